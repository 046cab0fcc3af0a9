import type { Database } from 'better-sqlite3'

// The evidence vault: files that prove ownership and record what vendors said, per ticket.
// Rows are never deleted and their identity and hash never change; the only update allowed
// is dropping the content (retention purge, or a backup deleted on purpose), which keeps
// the SHA-256 so the audit trail can still prove what was there.
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE evidence (
      id         INTEGER PRIMARY KEY,
      ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
      kind       TEXT NOT NULL CHECK (kind IN ('qr-photo', 'label-photo', 'ownership-certificate',
                   'customer-statement', 'config-backup', 'vendor-reply', 'other')),
      source     TEXT NOT NULL,
      name       TEXT NOT NULL,
      mime       TEXT NOT NULL,
      size       INTEGER NOT NULL CHECK (size >= 0),
      sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
      added_at   TEXT NOT NULL,
      agent      TEXT NOT NULL,
      note       TEXT NOT NULL DEFAULT '',
      -- Where the content lives when the vault holds only its hash (a device config backup).
      ref        TEXT,
      -- 1 = personal data, purged after the retention period; 0 = kept until deleted on purpose.
      personal   INTEGER NOT NULL CHECK (personal IN (0, 1)),
      content    BLOB,
      thumbnail  BLOB,
      width      INTEGER,
      height     INTEGER,
      purged_at  TEXT,
      purge_reason TEXT,
      -- The audit entry that recorded the addition (same transaction).
      audit_seq  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX evidence_ticket ON evidence (ticket_id, id);
    CREATE INDEX evidence_retention ON evidence (personal, purged_at, added_at);

    CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence
    BEGIN SELECT RAISE(ABORT, 'evidence rows are kept; purge the content instead'); END;
    CREATE TRIGGER evidence_fixed BEFORE UPDATE OF id, ticket_id, kind, source, name, mime, size, sha256, added_at, agent, ref, personal, audit_seq ON evidence
    BEGIN SELECT RAISE(ABORT, 'evidence identity and hash never change'); END;
    CREATE TRIGGER evidence_content_only_dropped BEFORE UPDATE OF content, thumbnail ON evidence
    WHEN new.content IS NOT NULL OR new.thumbnail IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'evidence content can only be purged, not replaced'); END;
  `)
}
