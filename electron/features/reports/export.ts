// Ticket exports, shared by the API and the CLI. Each export is itself audited.
import { AuditQueryRepo } from '../../../db/repos/audit-query'
import type { CommonRepos, Recording, Store } from '../../infra/ports'
import type { EvidenceVault } from '../evidence'
import { buildBundle } from './bundle'
import { approvalsOf, outcomeOf, releasesOf, type ReportDevice, type ReportRun } from './summary'
import { DevicesRepo } from '../../../db/repos/devices'
import { NvrResetRepo } from '../../../db/repos/nvr-reset'
import { WorkflowsRepo } from '../../../db/repos/workflows'
import type { ProcedureDefInput } from '../workflows'
import { reportTexts, type ReportLang } from './report-texts'

/** What an export reads (the ticket, its trail, runs, devices and evidence) and the entry it writes. */
export type ReportDeps = Store & Pick<CommonRepos, 'tickets'> & Pick<Recording, 'audit' | 'agentLabel'> & {
  readonly vault: EvidenceVault
  /** Every installed procedure and version: a run's steps are named as its own version names them. */
  readonly procedures: readonly ProcedureDefInput[]
}

/** The deps from the console's ports (methods bound) and its vault: the composition root builds them once. */
export function reportDeps(p: Store & Pick<CommonRepos, 'tickets'> & Pick<Recording, 'audit' | 'agentLabel'>, vault: EvidenceVault, procedures: readonly ProcedureDefInput[]): ReportDeps {
  return { db: p.db, tickets: p.tickets, audit: (e) => p.audit(e), agentLabel: () => p.agentLabel(), vault, procedures }
}

const stamp = (iso: string) => iso.slice(0, 19).replace(/[:T]/g, '-')

export async function exportTicketBundle(deps: ReportDeps, ticketId: number): Promise<{ fileName: string; data: Buffer; bundleHash: string }> {
  const ticket = await deps.tickets.get(ticketId)
  // Audit first, so the bundle includes the entry saying it was exported.
  await deps.audit({ action: 'report.export', outcome: 'ok', ticketId, inputs: { format: 'json-bundle' } })
  const b = buildBundle(deps.db, ticket, await deps.vault.listForTicket(ticketId), await deps.agentLabel())
  return { fileName: `ticket-${ticketId}-audit-${stamp(b.exportedAt)}.json`, data: Buffer.from(JSON.stringify(b, null, 1)), bundleHash: b.bundleHash }
}

/** `lang`: the language of the report's words (the agent's UI language); English by default. */
export async function exportTicketPdf(deps: ReportDeps, ticketId: number, lang: ReportLang = 'en'): Promise<{ fileName: string; data: Buffer }> {
  const ticket = await deps.tickets.get(ticketId)
  await deps.audit({ action: 'report.export', outcome: 'ok', ticketId, inputs: { format: 'pdf', ...(lang !== 'en' ? { lang } : {}) } })
  const v = deps.vault
  const evidence = await v.listForTicket(ticketId)
  const exportedAt = new Date().toISOString()
  const b = buildBundle(deps.db, ticket, evidence, await deps.agentLabel(), exportedAt)
  const entries = await new AuditQueryRepo(deps.db).forTicket(ticketId)
  const x = reportTexts(lang)
  const runs = await runsOf(deps, ticketId, lang)
  // pdf-lib, its fonts and fontkit load at the first export, not when the console starts.
  const { ticketPdf } = await import('./pdf')
  const data = await ticketPdf({
    ticket,
    entries,
    lang,
    summary: { devices: await devicesOf(deps, ticketId, lang), runs, outcome: outcomeOf(runs, entries, lang, (iso) => x.when(iso).replace(/ \d\d:\d\d:\d\d UTC$/, '')), releases: releasesOf(entries, ticket, lang), approvals: approvalsOf(entries) },
    evidence: await Promise.all(evidence.map(async (m) => ({ ...m, thumbnail: m.hasThumbnail ? await v.thumbnail(m.id) : null }))),
    chainHead: b.chainHead,
    exportedBy: b.exportedBy,
    exportedAt,
    bundleHash: b.bundleHash,
  })
  return { fileName: `ticket-${ticketId}-report-${stamp(exportedAt)}.pdf`, data }
}

/** The ticket's devices: linked inventory devices first, else what the NVR reset's QR told. */
const SOURCES: Record<ReportLang, { inventory: (ip: string) => string; qr: string }> = {
  en: { inventory: (ip) => `the device inventory, seen at ${ip}`, qr: 'the QR code on the NVR’s Retrieve Password screen' },
  cs: { inventory: (ip) => `inventář zařízení, viděno na ${ip}`, qr: 'QR kód na obrazovce Retrieve Password na NVR' },
  de: { inventory: (ip) => `Geräteinventar, gesehen unter ${ip}`, qr: 'QR-Code auf dem Bildschirm Retrieve Password des NVR' },
}
async function devicesOf(deps: Store, ticketId: number, lang: ReportLang): Promise<ReportDevice[]> {
  const linked = await new DevicesRepo(deps.db).list({ ticketId })
  if (linked.length) return linked.map((d) => ({ model: d.model, serial: d.serial, mac: d.mac, firmware: d.firmware, source: SOURCES[lang].inventory(d.ip) }))
  const c = await new NvrResetRepo(deps.db).getCase(ticketId)
  if (c?.serial) return [{ model: c.model ?? '', serial: c.serial, mac: c.mac ?? '', firmware: '', source: SOURCES[lang].qr }]
  return []
}

async function runsOf(deps: Store & Pick<ReportDeps, 'procedures'>, ticketId: number, lang: ReportLang): Promise<ReportRun[]> {
  const x = reportTexts(lang)
  const repo = new WorkflowsRepo(deps.db)
  const out: ReportRun[] = []
  for (const r of await repo.runsForTicket(ticketId)) {
    const def = deps.procedures.find((p) => p.id === r.procedure && p.version === r.procedureVersion) ?? deps.procedures.find((p) => p.id === r.procedure)
    const stepId = r.currentStep ?? (await repo.steps(r.id)).at(-1)?.stepId ?? ''
    const stepTitle = def?.steps.find((s) => s.id === stepId)?.title ?? stepId
    // Translated: the procedure's name, and the step's from its audit title ("Krok hotov: Sériové číslo").
    const title = lang === 'en' ? (def?.title ?? r.procedure) : (x.procedure[r.procedure as keyof typeof x.procedure] ?? def?.title ?? r.procedure)
    const phrase = x.action(`workflow.step.${stepId}`)
    const lastStep = lang === 'en' || !phrase.includes(': ') ? stepTitle : phrase.slice(phrase.indexOf(': ') + 2)
    out.push({ procedure: r.procedure, title, version: r.procedureVersion, status: r.status, startedAt: r.createdAt, endedAt: r.endedAt, lastStep })
  }
  return out
}
