// Ticket exports, shared by the API and the CLI. Each export is itself audited.
import type { App } from '../core/app'
import { AuditQueryRepo } from '../../db/repos/audit-query'
import { vault } from '../evidence/vault'
import { buildBundle } from './bundle'
import { ticketPdf } from './pdf'

const stamp = (iso: string) => iso.slice(0, 19).replace(/[:T]/g, '-')

export async function exportTicketBundle(app: App, ticketId: number): Promise<{ fileName: string; data: Buffer; bundleHash: string }> {
  const ticket = await app.tickets.get(ticketId)
  // Audit first, so the bundle includes the entry saying it was exported.
  await app.audit({ action: 'report.export', outcome: 'ok', ticketId, inputs: { format: 'json-bundle' } })
  const b = buildBundle(app.db, ticket, vault(app).listForTicket(ticketId), await app.agentLabel())
  return { fileName: `ticket-${ticketId}-audit-${stamp(b.exportedAt)}.json`, data: Buffer.from(JSON.stringify(b, null, 1)), bundleHash: b.bundleHash }
}

export async function exportTicketPdf(app: App, ticketId: number): Promise<{ fileName: string; data: Buffer }> {
  const ticket = await app.tickets.get(ticketId)
  await app.audit({ action: 'report.export', outcome: 'ok', ticketId, inputs: { format: 'pdf' } })
  const v = vault(app)
  const evidence = v.listForTicket(ticketId)
  const exportedAt = new Date().toISOString()
  const b = buildBundle(app.db, ticket, evidence, await app.agentLabel(), exportedAt)
  const data = await ticketPdf({
    ticket,
    entries: new AuditQueryRepo(app.db).forTicket(ticketId),
    evidence: evidence.map((m) => ({ ...m, thumbnail: m.hasThumbnail ? v.thumbnail(m.id) : null })),
    chainHead: b.chainHead,
    exportedBy: b.exportedBy,
    exportedAt,
    bundleHash: b.bundleHash,
  })
  return { fileName: `ticket-${ticketId}-report-${stamp(exportedAt)}.pdf`, data }
}
