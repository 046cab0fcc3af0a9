// What the first page of a ticket's report says, worked out from the ticket's audit entries
// (the same entries the JSON bundle carries, so the page can be checked against them) and
// the inventory: the device, the procedure runs and their outcome, who released which code to
// whom and when, and the approvals.
import type { Ticket } from '../../shared/contract/tickets'
import type { AuditRow } from '../../db/repos/audit-query'

export interface ReportDevice { model: string; serial: string; mac: string; firmware: string; source: string }
export interface ReportRun { procedure: string; title: string; version: number; status: string; startedAt: string; endedAt: string | null; lastStep: string }
export interface ReportRelease { at: string; agent: string; what: string; to: string; detail: string }
export interface ReportApproval { at: string; approver: string; agent: string; note: string }

export interface ReportSummary {
  devices: ReportDevice[]
  runs: ReportRun[]
  outcome: string
  releases: ReportRelease[]
  approvals: ReportApproval[]
}

const parse = (json: string): Record<string, unknown> => {
  try {
    return JSON.parse(json) as Record<string, unknown>
  } catch {
    return {}
  }
}
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v))

/** Codes and passwords released, from the entries that recorded them (codes are only ever masked there). */
export function releasesOf(entries: AuditRow[], ticket: Ticket): ReportRelease[] {
  const out: ReportRelease[] = []
  const customer = ticket.customerName + (ticket.contact ? ` (${ticket.contact})` : '')
  for (const e of entries) {
    const i = parse(e.inputs)
    if (e.action === 'nvrReset.code.issued') out.push({ at: e.at, agent: e.agent, what: `NVR security code ${str(i.codeHint)} (${str(i.provider)})`, to: 'the agent (obtained for the current QR)', detail: i.serial ? `serial ${str(i.serial)}` : '' })
    else if (e.action === 'nvrReset.message' && i.kind === 'code') out.push({ at: e.at, agent: e.agent, what: `NVR security code ${str(i.codeHint)}`, to: `${customer}, message in ${str(i.lang) === 'cs' ? 'Czech' : 'English'}`, detail: i.tz ? `deadline in ${str(i.tz)}` : '' })
    else if (e.action === 'nvrReset.apply' && e.outcome === 'ok' && i.result === 'accepted') out.push({ at: e.at, agent: e.agent, what: `NVR security code ${str(i.codeHint)}`, to: `the NVR at ${str(e.device)} (bench), which accepted it`, detail: '' })
    else if (e.action === 'workflow.reveal') out.push({ at: e.at, agent: e.agent, what: `generated ${str(i.secret) === 'newPassword' ? 'device password' : str(i.secret)}`, to: 'the agent, shown once for the customer', detail: e.detail })
  }
  return out
}

export function approvalsOf(entries: AuditRow[]): ReportApproval[] {
  return entries
    .filter((e) => e.action === 'nvrReset.approve' && e.outcome === 'ok')
    .map((e) => ({ at: e.at, approver: str(parse(e.inputs).approver), agent: e.agent, note: e.detail }))
}

/** One line for the outcome: the newest run's end, or what the trail shows when no run exists. */
export function outcomeOf(runs: ReportRun[], entries: AuditRow[]): string {
  const run = runs[0]
  const verified = entries.findLast((e) => e.action === 'nvrReset.verify')
  if (run?.status === 'completed') return `${run.title}: completed ${run.endedAt ? `on ${run.endedAt.slice(0, 10)}` : ''}${verified?.outcome === 'ok' ? ` (${verified.detail})` : ''}`.trim()
  if (run?.status === 'abandoned') return `${run.title}: abandoned`
  if (run) return `${run.title}: in progress, at "${run.lastStep}"`
  if (verified?.outcome === 'ok') return `New password verified: ${verified.detail}`
  return 'No procedure has been carried out on this ticket yet.'
}
