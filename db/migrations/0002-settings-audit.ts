import type { Database } from 'better-sqlite3'

// Settings (agent identity, preferences) and the append-only, hash-chained audit trail.
// The trail refuses UPDATE and DELETE at the database level, so no code path, bug or
// SQL console session of the app can rewrite history; `audit verify` catches edits made
// with other tools (which can drop the triggers) through the hash chain.
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE settings (
      key        TEXT PRIMARY KEY,
      value      TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE audit_log (
      seq        INTEGER PRIMARY KEY,
      at         TEXT NOT NULL,
      agent      TEXT NOT NULL,
      ticket_id  INTEGER,
      device     TEXT,
      action     TEXT NOT NULL,
      inputs     TEXT NOT NULL DEFAULT '{}',
      outcome    TEXT NOT NULL,
      detail     TEXT NOT NULL DEFAULT '',
      prev_hash  TEXT NOT NULL,
      hash       TEXT NOT NULL UNIQUE
    ) STRICT;
    CREATE INDEX audit_ticket ON audit_log (ticket_id, seq);
    CREATE INDEX audit_action ON audit_log (action, seq);
    CREATE INDEX audit_device ON audit_log (device, seq);

    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  `)
}
