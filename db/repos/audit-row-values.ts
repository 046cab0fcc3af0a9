// The reads behind `audit verify`'s row-value checks (electron/features/audit/row-values.ts):
// tickets and device backups, and the entries whose recorded values they are compared with.
// The per-row lookups (lastTicketChange, backupById) are prepared once and called per row.
import type { Database } from 'better-sqlite3'
import type { Ticket } from '../../shared/contract/tickets'
import type { AuditRow } from './audit'
import type { BackupRow as DeviceBackupRow } from './devices'

/** A ticket's sealed fields as the row holds them. */
export type TicketValuesRow = Pick<Ticket, 'id' | 'externalRef' | 'customerName' | 'contact' | 'deviceSerial' | 'deviceModel' | 'procedure' | 'notes' | 'status'>

export type TicketChangeEntry = Pick<AuditRow, 'seq' | 'action' | 'inputs'>

/** Every ticket's sealed fields, by id, streamed. */
export const ticketValues = (db: Database): IterableIterator<TicketValuesRow> =>
  db.prepare(`SELECT id, external_ref AS externalRef, customer_name AS customerName, contact, device_serial AS deviceSerial,
          device_model AS deviceModel, procedure, notes, status FROM tickets ORDER BY id`).iterate() as IterableIterator<TicketValuesRow>

/** A ticket's last entry among `actions` (prepared once for the list of actions). */
export function lastTicketChange(db: Database, actions: readonly string[]): (ticketId: number) => TicketChangeEntry | undefined {
  const st = db.prepare(`SELECT seq, action, inputs FROM audit_log WHERE ticket_id = ? AND action IN (${actions.map(() => '?').join(', ')}) ORDER BY seq DESC LIMIT 1`)
  return (ticketId) => st.get(ticketId, ...actions) as TicketChangeEntry | undefined
}

/** detail: "Backup #<id>: <size> bytes, SHA-256 <hex>, verified|NOT verified…" */
export type BackupEntry = Pick<AuditRow, 'seq' | 'at' | 'ticket_id' | 'detail'>

/** Ok 'devices.backup' entries naming a backup, in seq order, streamed. */
export const backupEntries = (db: Database): IterableIterator<BackupEntry> =>
  db.prepare(`SELECT seq, at, ticket_id, detail FROM audit_log WHERE action = 'devices.backup' AND outcome = 'ok' AND detail LIKE 'Backup #%' ORDER BY seq`).iterate() as IterableIterator<BackupEntry>

/** The columns of a device backup the check reads, with its content. */
export type BackupRow = Pick<DeviceBackupRow, 'id' | 'ticket_id' | 'taken_at' | 'sha256' | 'size' | 'verified'> & { data: Buffer }

/** A device backup by id, with its content (prepared once, called per entry). */
export function backupById(db: Database): (id: number) => BackupRow | undefined {
  const st = db.prepare('SELECT id, ticket_id, taken_at, sha256, size, verified, data FROM device_backups WHERE id = ?')
  return (id) => st.get(id) as BackupRow | undefined
}
