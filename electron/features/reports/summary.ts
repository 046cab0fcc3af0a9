// What the first page of a ticket's report says, worked out from the ticket's audit entries
// (the same entries the JSON bundle carries, so the page can be checked against them) and
// the inventory: the device, the procedure runs and their outcome, who released which code to
// whom and when, and the approvals.
import type { Ticket } from '../../../shared/contract/tickets'
import type { AuditRow } from '../../../db/repos/audit-query'
import type { ReportLang } from './report-texts'

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

/** The summary's sentences per report language (English as the report always said them). */
const WORDS = {
  en: {
    nvrCode: (hint: string) => `NVR security code ${hint}`, toAgent: 'the agent (obtained for the current QR)', serial: (s: string) => `serial ${s}`,
    message: (customer: string, lang: string) => `${customer}, message in ${({ cs: 'Czech', de: 'German' } as Record<string, string>)[lang] ?? 'English'}`, deadline: (tz: string) => `deadline in ${tz}`,
    toNvr: (d: string) => `the NVR at ${d} (bench), which accepted it`, password: 'generated device password', secret: (x: string) => `generated ${x}`, toShown: 'the agent, shown once for the customer',
    completed: (title: string, on: string) => `${title}: completed ${on ? `on ${on}` : ''}`, abandoned: (title: string) => `${title}: abandoned`,
    inProgress: (title: string, step: string) => `${title}: in progress, at "${step}"`, verified: (d: string) => `New password verified: ${d}`, nothing: 'No procedure has been carried out on this ticket yet.',
  },
  cs: {
    nvrCode: (hint: string) => `bezpečnostní kód NVR ${hint}`, toAgent: 'agentovi (získán pro aktuální QR kód)', serial: (s: string) => `sériové číslo ${s}`,
    message: (customer: string, lang: string) => `${customer}, zpráva ${({ cs: 'v češtině', de: 'v němčině' } as Record<string, string>)[lang] ?? 'v angličtině'}`, deadline: (tz: string) => `termín v pásmu ${tz}`,
    toNvr: (d: string) => `NVR na ${d} (laboratoř), které ho přijalo`, password: 'vygenerované heslo zařízení', secret: (x: string) => `vygenerováno: ${x}`, toShown: 'agentovi, zobrazeno jednou pro zákazníka',
    completed: (title: string, on: string) => `${title}: dokončeno${on ? ` ${on}` : ''}`, abandoned: (title: string) => `${title}: opuštěno`,
    inProgress: (title: string, step: string) => `${title}: probíhá, v kroku „${step}“`, verified: (d: string) => `Nové heslo ověřeno: ${d}`, nothing: 'Na tomto tiketu zatím neproběhl žádný postup.',
  },
  de: {
    nvrCode: (hint: string) => `NVR-Sicherheitscode ${hint}`, toAgent: 'den Agenten (für den aktuellen QR-Code geholt)', serial: (s: string) => `Seriennummer ${s}`,
    message: (customer: string, lang: string) => `${customer}, Nachricht auf ${({ cs: 'Tschechisch', de: 'Deutsch' } as Record<string, string>)[lang] ?? 'Englisch'}`, deadline: (tz: string) => `Frist in ${tz}`,
    toNvr: (d: string) => `den NVR unter ${d} (Labor), der ihn annahm`, password: 'erzeugtes Gerätepasswort', secret: (x: string) => `erzeugt: ${x}`, toShown: 'den Agenten, einmal für den Kunden angezeigt',
    completed: (title: string, on: string) => `${title}: abgeschlossen${on ? ` am ${on}` : ''}`, abandoned: (title: string) => `${title}: abgebrochen`,
    inProgress: (title: string, step: string) => `${title}: läuft, bei „${step}“`, verified: (d: string) => `Neues Passwort geprüft: ${d}`, nothing: 'Zu diesem Ticket wurde noch kein Ablauf durchgeführt.',
  },
} satisfies Record<ReportLang, unknown>

/** Codes and passwords released, from the entries that recorded them (codes are only ever masked there). */
export function releasesOf(entries: AuditRow[], ticket: Ticket, lang: ReportLang = 'en'): ReportRelease[] {
  const w = WORDS[lang]
  const out: ReportRelease[] = []
  const customer = ticket.customerName + (ticket.contact ? ` (${ticket.contact})` : '')
  for (const e of entries) {
    const i = parse(e.inputs)
    if (e.action === 'nvrReset.code.issued') out.push({ at: e.at, agent: e.agent, what: `${w.nvrCode(str(i.codeHint))} (${str(i.provider)})`, to: w.toAgent, detail: i.serial ? w.serial(str(i.serial)) : '' })
    else if (e.action === 'nvrReset.message' && i.kind === 'code') out.push({ at: e.at, agent: e.agent, what: w.nvrCode(str(i.codeHint)), to: w.message(customer, str(i.lang)), detail: i.tz ? w.deadline(str(i.tz)) : '' })
    else if (e.action === 'nvrReset.apply' && e.outcome === 'ok' && i.result === 'accepted') out.push({ at: e.at, agent: e.agent, what: w.nvrCode(str(i.codeHint)), to: w.toNvr(str(e.device)), detail: '' })
    else if (e.action === 'workflow.reveal') out.push({ at: e.at, agent: e.agent, what: str(i.secret) === 'newPassword' ? w.password : w.secret(str(i.secret)), to: w.toShown, detail: e.detail })
  }
  return out
}

export function approvalsOf(entries: AuditRow[]): ReportApproval[] {
  return entries
    .filter((e) => e.action === 'nvrReset.approve' && e.outcome === 'ok')
    .map((e) => ({ at: e.at, approver: str(parse(e.inputs).approver), agent: e.agent, note: e.detail }))
}

/** One line for the outcome: the newest run's end, or what the trail shows when no run exists. */
export function outcomeOf(runs: ReportRun[], entries: AuditRow[], lang: ReportLang = 'en', day: (iso: string) => string = (iso) => iso.slice(0, 10)): string {
  const w = WORDS[lang]
  const run = runs[0]
  const verified = entries.findLast((e) => e.action === 'nvrReset.verify')
  if (run?.status === 'completed') return `${w.completed(run.title, run.endedAt ? day(run.endedAt) : '')}${verified?.outcome === 'ok' ? ` (${verified.detail})` : ''}`.trim()
  if (run?.status === 'abandoned') return w.abandoned(run.title)
  if (run) return w.inProgress(run.title, run.lastStep)
  if (verified?.outcome === 'ok') return w.verified(verified.detail)
  return w.nothing
}
