// "Updated" follows every activity on a ticket (issue 12): each audit entry that names a
// ticket moves the ticket's updated_at to the entry's time, inside the transaction that
// appends the entry (a trigger: no code path can forget it). The ticket list sorts by it.
// Existing tickets take the time of their newest entry.
import type { Database } from 'better-sqlite3'

export function up(db: Database): void {
  db.exec(`
    CREATE TRIGGER audit_touches_ticket AFTER INSERT ON audit_log
    WHEN new.ticket_id IS NOT NULL
    BEGIN
      UPDATE tickets SET updated_at = new.at WHERE id = new.ticket_id AND updated_at < new.at;
    END;
    UPDATE tickets SET updated_at = (SELECT max(a.at) FROM audit_log a WHERE a.ticket_id = tickets.id)
    WHERE (SELECT max(a.at) FROM audit_log a WHERE a.ticket_id = tickets.id) > updated_at;
  `)
}
