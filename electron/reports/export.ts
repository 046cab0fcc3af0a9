// Ticket exports, shared by the API and the CLI. Each export is itself audited.
import { AuditQueryRepo } from '../../db/repos/audit-query'
import type { CommonRepos, Recording, Store } from '../core/ports'
import type { EvidenceVault } from '../evidence/vault'
import { buildBundle } from './bundle'
import { approvalsOf, outcomeOf, releasesOf, type ReportDevice, type ReportRun } from './summary'
import { DevicesRepo } from '../../db/repos/devices'
import { NvrResetRepo } from '../../db/repos/nvr-reset'
import { WorkflowsRepo } from '../../db/repos/workflows'
import { PROCEDURES } from '../workflows/registry'

/** What an export reads (the ticket, its trail, runs, devices and evidence) and the entry it writes. */
export type ReportDeps = Store & Pick<CommonRepos, 'tickets'> & Pick<Recording, 'audit' | 'agentLabel'> & { readonly vault: EvidenceVault }

/** The deps from the console's ports (methods bound) and its vault: the composition root builds them once. */
export function reportDeps(p: Store & Pick<CommonRepos, 'tickets'> & Pick<Recording, 'audit' | 'agentLabel'>, vault: EvidenceVault): ReportDeps {
  return { db: p.db, tickets: p.tickets, audit: (e) => p.audit(e), agentLabel: () => p.agentLabel(), vault }
}

const stamp = (iso: string) => iso.slice(0, 19).replace(/[:T]/g, '-')

export async function exportTicketBundle(deps: ReportDeps, ticketId: number): Promise<{ fileName: string; data: Buffer; bundleHash: string }> {
  const ticket = await deps.tickets.get(ticketId)
  // Audit first, so the bundle includes the entry saying it was exported.
  await deps.audit({ action: 'report.export', outcome: 'ok', ticketId, inputs: { format: 'json-bundle' } })
  const b = buildBundle(deps.db, ticket, deps.vault.listForTicket(ticketId), await deps.agentLabel())
  return { fileName: `ticket-${ticketId}-audit-${stamp(b.exportedAt)}.json`, data: Buffer.from(JSON.stringify(b, null, 1)), bundleHash: b.bundleHash }
}

export async function exportTicketPdf(deps: ReportDeps, ticketId: number): Promise<{ fileName: string; data: Buffer }> {
  const ticket = await deps.tickets.get(ticketId)
  await deps.audit({ action: 'report.export', outcome: 'ok', ticketId, inputs: { format: 'pdf' } })
  const v = deps.vault
  const evidence = v.listForTicket(ticketId)
  const exportedAt = new Date().toISOString()
  const b = buildBundle(deps.db, ticket, evidence, await deps.agentLabel(), exportedAt)
  const entries = new AuditQueryRepo(deps.db).forTicket(ticketId)
  const runs = runsOf(deps, ticketId)
  // pdf-lib, its fonts and fontkit load at the first export, not when the console starts.
  const { ticketPdf } = await import('./pdf')
  const data = await ticketPdf({
    ticket,
    entries,
    summary: { devices: await devicesOf(deps, ticketId), runs, outcome: outcomeOf(runs, entries), releases: releasesOf(entries, ticket), approvals: approvalsOf(entries) },
    evidence: evidence.map((m) => ({ ...m, thumbnail: m.hasThumbnail ? v.thumbnail(m.id) : null })),
    chainHead: b.chainHead,
    exportedBy: b.exportedBy,
    exportedAt,
    bundleHash: b.bundleHash,
  })
  return { fileName: `ticket-${ticketId}-report-${stamp(exportedAt)}.pdf`, data }
}

/** The ticket's devices: linked inventory devices first, else what the NVR reset's QR told. */
async function devicesOf(deps: Store, ticketId: number): Promise<ReportDevice[]> {
  const linked = await new DevicesRepo(deps.db).list({ ticketId })
  if (linked.length) return linked.map((d) => ({ model: d.model, serial: d.serial, mac: d.mac, firmware: d.firmware, source: `the device inventory, seen at ${d.ip}` }))
  const c = await new NvrResetRepo(deps.db).getCase(ticketId)
  if (c?.serial) return [{ model: c.model ?? '', serial: c.serial, mac: c.mac ?? '', firmware: '', source: 'the QR code on the NVR’s Retrieve Password screen' }]
  return []
}

function runsOf(deps: Store, ticketId: number): ReportRun[] {
  const repo = new WorkflowsRepo(deps.db)
  return repo.runsForTicket(ticketId).map((r) => {
    const def = PROCEDURES.find((p) => p.id === r.procedure && p.version === r.procedureVersion) ?? PROCEDURES.find((p) => p.id === r.procedure)
    const stepId = r.currentStep ?? repo.steps(r.id).at(-1)?.stepId ?? ''
    return { procedure: r.procedure, title: def?.title ?? r.procedure, version: r.procedureVersion, status: r.status, startedAt: r.createdAt, endedAt: r.endedAt, lastStep: def?.steps.find((s) => s.id === stepId)?.title ?? stepId }
  })
}
