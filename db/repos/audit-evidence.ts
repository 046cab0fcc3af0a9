// The evidence rows beside the audit entries that recorded them, for `audit verify`
// (electron/features/audit/integrity.ts compares the two and each file with its hash).
import type { Database } from 'better-sqlite3'
import type { AuditRow } from './audit'
import type { EvidenceRow } from './evidence'

export type EvidenceWithEntry = Pick<EvidenceRow, 'id' | 'sha256' | 'size' | 'ref' | 'purged_at' | 'ticket_id'> & {
  content: Buffer | null
  /** Of the entry named by audit_seq; null (with audit_action) when that entry is missing. */
  inputs: AuditRow['inputs'] | null
  audit_action: AuditRow['action'] | null
  audit_ticket: AuditRow['ticket_id']
}

/** Every evidence row in id order with its entry's inputs, action and ticket, streamed. */
export const evidenceWithEntries = (db: Database): IterableIterator<EvidenceWithEntry> =>
  db
    .prepare(`SELECT e.id, e.sha256, e.size, e.content, e.ref, e.purged_at, e.ticket_id, a.inputs, a.action AS audit_action, a.ticket_id AS audit_ticket
      FROM evidence e LEFT JOIN audit_log a ON a.seq = e.audit_seq ORDER BY e.id`)
    .iterate() as IterableIterator<EvidenceWithEntry>
