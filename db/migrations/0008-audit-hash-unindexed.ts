import type { Database } from 'better-sqlite3'

// The audit trail without the UNIQUE index on `hash` (issue 7, append speed). A hash is
// random, so that index put every append on a random page of a B-tree as large as the
// trail: a cache miss and one more page written per commit, about 40 % of an append's cost
// (scripts/bench/audit.ts). Nothing looks entries up by hash except the diagnosis of a broken
// chain, which runs once; uniqueness was never the protection: every hash covers its seq and
// its predecessor's hash, and `audit verify` recomputes them all.
//
// SQLite cannot drop a UNIQUE constraint, so the table is rebuilt: same columns, rows copied
// unchanged (the chain verifies exactly as before), the other indexes and the triggers that
// refuse UPDATE and DELETE recreated. DROP TABLE does not fire the DELETE trigger. Runs in the
// migration's transaction: a crash leaves either the old table or the new one.
export function up(db: Database): void {
  const before = db.prepare('SELECT count(*) AS n, coalesce(max(seq), 0) AS head FROM audit_log').get() as { n: number; head: number }
  db.exec(`
    CREATE TABLE audit_log_v8 (
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
      hash       TEXT NOT NULL
    ) STRICT;
    INSERT INTO audit_log_v8 (seq, at, agent, ticket_id, device, action, inputs, outcome, detail, prev_hash, hash)
      SELECT seq, at, agent, ticket_id, device, action, inputs, outcome, detail, prev_hash, hash FROM audit_log ORDER BY seq;
    DROP TABLE audit_log;
    ALTER TABLE audit_log_v8 RENAME TO audit_log;
    CREATE INDEX audit_ticket ON audit_log (ticket_id, seq);
    CREATE INDEX audit_action ON audit_log (action, seq);
    CREATE INDEX audit_device ON audit_log (device, seq);

    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  `)
  const after = db.prepare('SELECT count(*) AS n, coalesce(max(seq), 0) AS head FROM audit_log').get() as { n: number; head: number }
  if (after.n !== before.n || after.head !== before.head) throw new Error(`audit_log rebuild lost entries (${before.n} → ${after.n}); nothing was changed`)
}
