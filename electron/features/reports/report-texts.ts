// The words of the PDF report in the agent's UI language (reports.ticketPdf `lang`): labels,
// sentences, dates and durations. English is the report as it always was; Czech and German
// are for a supervisor or an installer who reads those. Names, notes and hashes print as typed.
import type { Procedure, TicketStatus } from '../../../shared/contract/tickets'
import { actionPhrase } from './phrases'
import { PHRASES_CS } from './phrases-cs'
import { PHRASES_DE } from './phrases-de'

export const REPORT_LANGS = ['en', 'cs', 'de'] as const
export type ReportLang = (typeof REPORT_LANGS)[number]

export interface ReportTexts {
  lang: ReportLang
  /** A time, always in UTC (the trail's clock), in the language's usual form. */
  when(iso: string): string
  /** A duration between two times, e.g. "1 h 5 min". */
  duration(fromIso: string, toIso: string): string
  action(action: string): string
  status: Record<TicketStatus, string>
  runStatus: Record<string, string>
  procedure: Record<Procedure, string>
  outcome: Record<string, string>
  notRecorded: string
  page(n: number): string
  footer(id: number, at: string, by: string): string
  docTitle(id: number, customer: string): string
  ticket: string
  statusLine(status: string, opened: string, last: string): string
  h: { customer: string; device: string; procedureOutcome: string; evidence(n: number): string; releases: string; approvals: string; integrity: string; timeline(n: number): string; pictures: string }
  f: { name: string; contact: string; notes: string; model: string; serial: string; mac: string; firmware: string; procedure: string; run(version: number): string; outcome: string }
  from(source: string): string
  sourceTicket: string
  runLine(status: string, started: string, ended: string | null, took: string | null, lastStep: string): string
  noEvidence: string
  evidenceLine(name: string, kind: string, added: string, agent: string, purged: string | null): string
  none: string
  released(at: string, agent: string, what: string, to: string, detail: string): string
  noApprovals: string
  approved(at: string, approver: string, agent: string, note: string): string
  integrity: string
  chainHead(seq: number, hash: string): string
  bundleHash: string
  entryBy(agent: string, device: string, seq: number): string
  pictureLine(mime: string, kb: string, seq: number): string
}

const pad = (n: number) => String(n).padStart(2, '0')
const utc = (iso: string) => new Date(iso)

/** "1 h 5 min", "45 s", "2 d 3 h": the two largest units, at least seconds. */
function span(fromIso: string, toIso: string, u: { d: string; h: string; min: string; s: string }): string {
  let s = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000))
  const parts: [number, string][] = [[Math.floor(s / 86400), u.d], [Math.floor((s %= 86400) / 3600), u.h], [Math.floor((s %= 3600) / 60), u.min], [s % 60, u.s]]
  const first = parts.findIndex(([n]) => n > 0)
  if (first < 0) return `0 ${u.s}`
  return parts.slice(first, first + 2).filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}`).join(' ')
}

const en: ReportTexts = {
  lang: 'en',
  when: (iso) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'),
  duration: (a, b) => span(a, b, { d: 'd', h: 'h', min: 'min', s: 's' }),
  action: actionPhrase,
  status: { open: 'open', waiting: 'waiting', resolved: 'resolved', closed: 'closed' },
  runStatus: { active: 'active', completed: 'completed', abandoned: 'abandoned' },
  procedure: { 'nvr-password-reset': 'NVR password reset from a QR photo (Option 2)', 'my2n-move': 'Move a 2N intercom to another My2N account', other: 'Other' },
  outcome: { ok: 'OK', failed: 'FAILED', refused: 'REFUSED', info: 'INFO' },
  notRecorded: 'not recorded',
  page: (n) => `page ${n}`,
  footer: (id, at, by) => `Ticket #${id} · exported ${at} by ${by}`,
  docTitle: (id, c) => `Ticket ${id} report: ${c}`,
  ticket: 'Ticket',
  statusLine: (s, o, l) => `Status: ${s} · opened ${o} · last activity ${l}`,
  h: { customer: 'Customer', device: 'Device', procedureOutcome: 'Procedure and outcome', evidence: (n) => `Evidence (${n})`, releases: 'Codes and passwords released', approvals: 'Approvals', integrity: 'Integrity', timeline: (n) => `Timeline (${n} entries)`, pictures: 'Evidence pictures' },
  f: { name: 'Name', contact: 'Contact', notes: 'Notes', model: 'Model', serial: 'Serial number', mac: 'MAC address', firmware: 'Firmware', procedure: 'Procedure', run: (v) => `Run (version ${v})`, outcome: 'Outcome' },
  from: (s) => `(from ${s})`,
  sourceTicket: 'ticket',
  runLine: (st, s, e, took, last) => `${st}, started ${s}${e ? `, ended ${e}${took ? ` (took ${took})` : ''}` : `, now at "${last}"`}`,
  noEvidence: 'No evidence was added to this ticket.',
  evidenceLine: (n, k, a, ag, p) => `${n} · ${k} · added ${a} by ${ag}${p ? ` · content purged ${p}` : ''}`,
  none: 'None.',
  released: (at, ag, what, to, d) => `${at} · ${ag} released ${what} to ${to}${d ? ` (${d})` : ''}`,
  noApprovals: 'No second-agent approval was recorded.',
  approved: (at, ap, ag, note) => `${at} · approved by ${ap} for ${ag}${note ? `: ${note}` : ''}`,
  integrity: 'Every action in this report is an entry of the console’s hash-chained audit trail. The matching JSON bundle lets anyone check the entries with "support-console audit verify --bundle FILE".',
  chainHead: (seq, hash) => `Audit chain head at export: entry ${seq}, hash ${hash}`,
  bundleHash: 'Bundle hash',
  entryBy: (ag, dev, seq) => `by ${ag}${dev ? ` on ${dev}` : ''} · entry ${seq}`,
  pictureLine: (m, kb, seq) => `${m}, ${kb} KB, audit entry ${seq}`,
}

const cs: ReportTexts = {
  lang: 'cs',
  // 6. 12. 2026 23:33:11 UTC
  when: (iso) => { const d = utc(iso); return `${d.getUTCDate()}. ${d.getUTCMonth() + 1}. ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC` },
  duration: (a, b) => span(a, b, { d: 'd', h: 'h', min: 'min', s: 's' }),
  action: (a) => PHRASES_CS[a] ?? actionPhrase(a),
  status: { open: 'otevřený', waiting: 'čeká', resolved: 'vyřešený', closed: 'uzavřený' },
  runStatus: { active: 'probíhá', completed: 'dokončen', abandoned: 'opuštěn' },
  procedure: { 'nvr-password-reset': 'Reset hesla NVR z fotky QR kódu (možnost 2)', 'my2n-move': 'Přesun interkomu 2N do jiného účtu My2N', other: 'Jiné' },
  outcome: { ok: 'OK', failed: 'SELHALO', refused: 'ODMÍTNUTO', info: 'INFO' },
  notRecorded: 'nezaznamenáno',
  page: (n) => `strana ${n}`,
  footer: (id, at, by) => `Tiket #${id} · exportováno ${at}, ${by}`,
  docTitle: (id, c) => `Zpráva k tiketu ${id}: ${c}`,
  ticket: 'Tiket',
  statusLine: (s, o, l) => `Stav: ${s} · otevřen ${o} · poslední aktivita ${l}`,
  h: { customer: 'Zákazník', device: 'Zařízení', procedureOutcome: 'Postup a výsledek', evidence: (n) => `Důkazy (${n})`, releases: 'Vydané kódy a hesla', approvals: 'Schválení', integrity: 'Integrita', timeline: (n) => `Časová osa (záznamů: ${n})`, pictures: 'Obrázky důkazů' },
  f: { name: 'Jméno', contact: 'Kontakt', notes: 'Poznámky', model: 'Model', serial: 'Sériové číslo', mac: 'Adresa MAC', firmware: 'Firmware', procedure: 'Postup', run: (v) => `Průběh (verze ${v})`, outcome: 'Výsledek' },
  from: (s) => `(zdroj: ${s})`,
  sourceTicket: 'tiket',
  runLine: (st, s, e, took, last) => `${st}, zahájen ${s}${e ? `, ukončen ${e}${took ? ` (trvání ${took})` : ''}` : `, nyní v kroku „${last}“`}`,
  noEvidence: 'K tiketu nebyly přidány žádné důkazy.',
  evidenceLine: (n, k, a, ag, p) => `${n} · ${k} · přidáno ${a}, ${ag}${p ? ` · obsah smazán ${p}` : ''}`,
  none: 'Žádné.',
  released: (at, ag, what, to, d) => `${at} · ${ag} vydal(a): ${what} → ${to}${d ? ` (${d})` : ''}`,
  noApprovals: 'Nebylo zaznamenáno žádné schválení druhým agentem.',
  approved: (at, ap, ag, note) => `${at} · schválil(a) ${ap} pro ${ag}${note ? `: ${note}` : ''}`,
  integrity: 'Každá akce v této zprávě je záznamem v hašovaném řetězci auditní stopy konzole. Odpovídající balíček JSON umožní komukoli záznamy ověřit příkazem "support-console audit verify --bundle FILE".',
  chainHead: (seq, hash) => `Hlava auditního řetězce při exportu: záznam ${seq}, haš ${hash}`,
  bundleHash: 'Haš balíčku',
  entryBy: (ag, dev, seq) => `${ag}${dev ? ` na ${dev}` : ''} · záznam ${seq}`,
  pictureLine: (m, kb, seq) => `${m}, ${kb.replace('.', ',')} KB, záznam auditu ${seq}`,
}

const de: ReportTexts = {
  lang: 'de',
  // 06.12.2026 23:33:11 UTC
  when: (iso) => { const d = utc(iso); return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC` },
  duration: (a, b) => span(a, b, { d: 'T', h: 'Std.', min: 'Min.', s: 'Sek.' }),
  action: (a) => PHRASES_DE[a] ?? actionPhrase(a),
  status: { open: 'offen', waiting: 'wartend', resolved: 'gelöst', closed: 'geschlossen' },
  runStatus: { active: 'läuft', completed: 'abgeschlossen', abandoned: 'abgebrochen' },
  procedure: { 'nvr-password-reset': 'NVR-Passwort per QR-Foto zurücksetzen (Option 2)', 'my2n-move': '2N-Sprechanlage in ein anderes My2N-Konto verschieben', other: 'Sonstiges' },
  outcome: { ok: 'OK', failed: 'FEHLER', refused: 'ABGELEHNT', info: 'INFO' },
  notRecorded: 'nicht erfasst',
  page: (n) => `Seite ${n}`,
  footer: (id, at, by) => `Ticket #${id} · exportiert ${at} von ${by}`,
  docTitle: (id, c) => `Bericht zu Ticket ${id}: ${c}`,
  ticket: 'Ticket',
  statusLine: (s, o, l) => `Status: ${s} · eröffnet ${o} · letzte Aktivität ${l}`,
  h: { customer: 'Kunde', device: 'Gerät', procedureOutcome: 'Ablauf und Ergebnis', evidence: (n) => `Nachweise (${n})`, releases: 'Herausgegebene Codes und Passwörter', approvals: 'Freigaben', integrity: 'Integrität', timeline: (n) => `Verlauf (${n} Einträge)`, pictures: 'Bilder der Nachweise' },
  f: { name: 'Name', contact: 'Kontakt', notes: 'Notizen', model: 'Modell', serial: 'Seriennummer', mac: 'MAC-Adresse', firmware: 'Firmware', procedure: 'Ablauf', run: (v) => `Durchlauf (Version ${v})`, outcome: 'Ergebnis' },
  from: (s) => `(Quelle: ${s})`,
  sourceTicket: 'Ticket',
  runLine: (st, s, e, took, last) => `${st}, begonnen ${s}${e ? `, beendet ${e}${took ? ` (Dauer ${took})` : ''}` : `, jetzt bei „${last}“`}`,
  noEvidence: 'Zu diesem Ticket wurden keine Nachweise hinzugefügt.',
  evidenceLine: (n, k, a, ag, p) => `${n} · ${k} · hinzugefügt ${a} von ${ag}${p ? ` · Inhalt gelöscht ${p}` : ''}`,
  none: 'Keine.',
  released: (at, ag, what, to, d) => `${at} · ${ag} gab heraus: ${what} → ${to}${d ? ` (${d})` : ''}`,
  noApprovals: 'Es wurde keine Freigabe durch einen zweiten Agenten erfasst.',
  approved: (at, ap, ag, note) => `${at} · freigegeben von ${ap} für ${ag}${note ? `: ${note}` : ''}`,
  integrity: 'Jede Aktion in diesem Bericht ist ein Eintrag im hashverketteten Prüfprotokoll der Konsole. Mit dem passenden JSON-Paket kann jeder die Einträge prüfen: "support-console audit verify --bundle FILE".',
  chainHead: (seq, hash) => `Kopf der Prüfkette beim Export: Eintrag ${seq}, Hash ${hash}`,
  bundleHash: 'Hash des Pakets',
  entryBy: (ag, dev, seq) => `von ${ag}${dev ? ` auf ${dev}` : ''} · Eintrag ${seq}`,
  pictureLine: (m, kb, seq) => `${m}, ${kb.replace('.', ',')} KB, Protokolleintrag ${seq}`,
}

export const REPORT_TEXTS: Record<ReportLang, ReportTexts> = { en, cs, de }
export const reportTexts = (lang: ReportLang = 'en'): ReportTexts => REPORT_TEXTS[lang]
