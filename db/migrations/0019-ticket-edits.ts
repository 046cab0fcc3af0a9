import type { Database } from 'better-sqlite3'

/**
 * What an edit of a ticket changed, field by field, with the old and the new value (issue
 * 12: "Ticket details edited" listed every field and no value). The audit entry names the
 * changed fields and carries the values of the non-personal ones (helpdesk ID, serial,
 * model, procedure); customer name, contact and notes are personal data, kept out of the
 * hash-chained trail and its bundle (which cannot forget them), so their values live here,
 * beside the entry (`audit_seq`), written in the same transaction.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE ticket_edits (
      id         INTEGER PRIMARY KEY,
      ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
      audit_seq  INTEGER NOT NULL,
      at         TEXT NOT NULL,
      field      TEXT NOT NULL CHECK (field IN ('externalRef', 'customerName', 'contact', 'deviceSerial', 'deviceModel', 'procedure', 'notes')),
      old_value  TEXT NOT NULL,
      new_value  TEXT NOT NULL,
      UNIQUE (audit_seq, field)
    ) STRICT;
    CREATE INDEX ticket_edits_ticket ON ticket_edits (ticket_id, audit_seq);
  `)
}
