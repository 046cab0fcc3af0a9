import type { Database } from 'better-sqlite3'

// Issue 13: limits that hold across processes. Every console, CLI run and workflow on one data
// folder shares this file, so the limits live here rather than in a process's memory.
//
// `leases`: who holds a device right now. `login:<address>` is held for one credentialed
// attempt at a time (the next caller waits, then sees the rejection the first recorded and
// sends nothing); `destructive:<address>` for one factory reset / restore / password change at a
// time (a second one is refused at once). A holder names its process (pid) and a random token;
// a lease whose time ran out, or whose process is gone, may be taken over.
//
// `attempts`: one row per PIN attempt (unlock, approver PIN), written BEFORE the PIN is
// compared, in the same immediate transaction that counts the recent ones, so parallel calls
// and several processes together get no more comparisons than the limit.
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE leases (
      key         TEXT PRIMARY KEY,
      token       TEXT NOT NULL,
      pid         INTEGER NOT NULL,
      purpose     TEXT NOT NULL,
      acquired_at TEXT NOT NULL,
      expires_at  INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE attempts (
      id      INTEGER PRIMARY KEY,
      scope   TEXT NOT NULL,
      at      INTEGER NOT NULL,
      outcome TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'ok', 'wrong'))
    ) STRICT;
    CREATE INDEX attempts_scope_at ON attempts (scope, at);
  `)
}
