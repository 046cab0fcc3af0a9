import type { Database } from 'better-sqlite3'

// Tickets and their full-text index. The FTS table is external-content, kept in step by
// triggers, so a search never reads a stale row and the text is stored only once.
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE tickets (
      id            INTEGER PRIMARY KEY,
      external_ref  TEXT NOT NULL DEFAULT '',
      customer_name TEXT NOT NULL,
      contact       TEXT NOT NULL DEFAULT '',
      device_serial TEXT NOT NULL DEFAULT '',
      device_model  TEXT NOT NULL DEFAULT '',
      procedure     TEXT NOT NULL DEFAULT 'other'
                    CHECK (procedure IN ('nvr-password-reset', 'my2n-move', 'other')),
      notes         TEXT NOT NULL DEFAULT '',
      status        TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'waiting', 'resolved', 'closed')),
      created_at    TEXT NOT NULL,
      updated_at    TEXT NOT NULL
    ) STRICT;
    CREATE INDEX tickets_status_updated ON tickets (status, updated_at DESC);
    CREATE INDEX tickets_updated ON tickets (updated_at DESC);

    CREATE VIRTUAL TABLE tickets_fts USING fts5 (
      external_ref, customer_name, contact, device_serial, device_model, notes,
      content = 'tickets', content_rowid = 'id',
      tokenize = "unicode61 remove_diacritics 2 tokenchars '-_'",
      prefix = '2 3'
    );
    CREATE TRIGGER tickets_ai AFTER INSERT ON tickets BEGIN
      INSERT INTO tickets_fts (rowid, external_ref, customer_name, contact, device_serial, device_model, notes)
      VALUES (new.id, new.external_ref, new.customer_name, new.contact, new.device_serial, new.device_model, new.notes);
    END;
    CREATE TRIGGER tickets_ad AFTER DELETE ON tickets BEGIN
      INSERT INTO tickets_fts (tickets_fts, rowid, external_ref, customer_name, contact, device_serial, device_model, notes)
      VALUES ('delete', old.id, old.external_ref, old.customer_name, old.contact, old.device_serial, old.device_model, old.notes);
    END;
    CREATE TRIGGER tickets_au AFTER UPDATE OF external_ref, customer_name, contact, device_serial, device_model, notes ON tickets BEGIN
      INSERT INTO tickets_fts (tickets_fts, rowid, external_ref, customer_name, contact, device_serial, device_model, notes)
      VALUES ('delete', old.id, old.external_ref, old.customer_name, old.contact, old.device_serial, old.device_model, old.notes);
      INSERT INTO tickets_fts (rowid, external_ref, customer_name, contact, device_serial, device_model, notes)
      VALUES (new.id, new.external_ref, new.customer_name, new.contact, new.device_serial, new.device_model, new.notes);
    END;
  `)
}
