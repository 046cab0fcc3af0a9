// The evidence rows beside the audit entries that recorded them, for `audit verify`
// (electron/features/audit/integrity.ts compares the two and each file with its hash).
import type { Database } from 'better-sqlite3'

export interface EvidenceWithEntry {
  id: number
  sha256: string
  size: number
  content: Buffer | null
  ref: string | null
  purged_at: string | null
  ticket_id: number
  /** Of the entry named by audit_seq; null (with audit_action) when that entry is missing. */
  inputs: string | null
  audit_action: string | null
  audit_ticket: number | null
}

/** Every evidence row in id order with its entry's inputs, action and ticket, streamed. */
export const evidenceWithEntries = (db: Database): IterableIterator<EvidenceWithEntry> =>
  db
    .prepare(`SELECT e.id, e.sha256, e.size, e.content, e.ref, e.purged_at, e.ticket_id, a.inputs, a.action AS audit_action, a.ticket_id AS audit_ticket
      FROM evidence e LEFT JOIN audit_log a ON a.seq = e.audit_seq ORDER BY e.id`)
    .iterate() as IterableIterator<EvidenceWithEntry>
