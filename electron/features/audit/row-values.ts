// Rows against the values their last entry recorded (issue 13): records.ts checks that a row
// has the entry that created it, and that rows named by entries still exist; this checks what
// the rows hold. A ticket's fields against the seals of its last change (ticket-state.ts),
// and a device backup's hash, size, verification, ticket and time against its devices.backup
// entry, and its content against its hash: a backup altered by SQL (an old one made to look
// fresh or verified, its content replaced) would otherwise authorise a factory reset.
import type { Database } from 'better-sqlite3'
import { createHash } from 'node:crypto'
import type { VerifyReport } from '../../../shared/contract/audit'
import { hasTable } from '../../../db/repos/audit-records'
import { backupById, backupEntries, lastTicketChange, ticketValues } from '../../../db/repos/audit-row-values'
import { changedFields, TICKET_CHANGES } from './ticket-state'

type Problem = VerifyReport['records']['problems'][number]

const LIMIT = 50
const WORDS: Record<string, string> = {
  externalRef: 'helpdesk ID', customerName: 'customer name', contact: 'contact', deviceSerial: 'device serial',
  deviceModel: 'device model', procedure: 'procedure', notes: 'notes', status: 'status',
}
/** A backup's time may trail its entry's by clock jitter, never lead it by more than this. */
const CLOCK_SLACK_MS = 1000

export interface RowValuesReport {
  /** Rows whose values were compared (tickets whose last change carries seals, backups with their entry). */
  checked: number
  problems: Problem[]
}

/** Needs the audit key for tickets (their seals); without it only the backups are checked. */
export function checkRowValues(db: Database, key?: Buffer): RowValuesReport {
  return db.transaction(() => {
    const problems: Problem[] = []
    let checked = 0
    if (key) {
      const last = lastTicketChange(db, TICKET_CHANGES)
      const rows = ticketValues(db)
      for (const t of rows) {
        const e = last(t.id)
        let recorded: unknown
        try {
          recorded = e?.inputs ? (JSON.parse(e.inputs) as { ticketState?: unknown }).ticketState : undefined
        } catch {
          recorded = undefined
        }
        // No entry: records.ts reports it. An entry without seals: written before they existed.
        if (!e || !recorded || typeof recorded !== 'object') continue
        checked++
        const fields = changedFields(key, t, recorded as Record<string, unknown>)
        if (fields.length && problems.length < LIMIT) {
          problems.push({ kind: 'ticket', id: t.id, message: `Ticket #${t.id}: its ${fields.map((f) => WORDS[f]).join(', ')} ${fields.length === 1 && fields[0] !== 'notes' ? 'does' : 'do'} not match the values recorded by its last change (entry ${e.seq}, ${e.action}): the ticket was edited outside the console.` })
        }
      }
    }
    if (hasTable(db, 'device_backups')) {
      const entries = backupEntries(db)
      const row = backupById(db)
      const seen = new Set<number>()
      for (const e of entries) {
        const m = e.detail.match(/^Backup #(\d+): (\d+) bytes, SHA-256 ([0-9a-f]{64}), (verified|NOT verified)/)
        if (!m) continue
        const id = Number(m[1])
        if (seen.has(id)) continue
        seen.add(id)
        const b = row(id)
        if (!b) continue // deleted: records.ts reports it
        checked++
        const wrong: string[] = []
        if (b.sha256 !== m[3]) wrong.push('its SHA-256')
        if (b.size !== Number(m[2])) wrong.push('its size')
        if ((b.verified === 1) !== (m[4] === 'verified')) wrong.push(b.verified ? 'its "verified" mark (the entry recorded it NOT verified)' : 'its "verified" mark')
        if (e.ticket_id !== null && b.ticket_id !== null && b.ticket_id !== e.ticket_id) wrong.push('its ticket')
        if (!(Date.parse(b.taken_at) <= Date.parse(e.at) + CLOCK_SLACK_MS)) wrong.push(`its time (${b.taken_at}, after the entry's ${e.at})`)
        if (b.data.length !== b.size || createHash('sha256').update(b.data).digest('hex') !== b.sha256) wrong.push('its content (it no longer matches its SHA-256)')
        if (wrong.length && problems.length < LIMIT * 2) {
          problems.push({ kind: 'device-backup', id, message: `Device backup #${id}: ${wrong.join(', ')} ${wrong.length === 1 ? 'differs' : 'differ'} from what entry ${e.seq} (devices.backup) recorded: the backup was altered outside the console.` })
        }
      }
    }
    return { checked, problems }
  })()
}
