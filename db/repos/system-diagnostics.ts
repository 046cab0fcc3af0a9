import type { Database } from 'better-sqlite3'

/** What the diagnostics bundle (electron/features/system/diagnostics.ts) reads from the database, all of it here. */
export interface DatabaseFacts {
  sqliteVersion: string
  /** Every setting as stored (JSON text); the bundle scrubs them before writing. */
  settings: { key: string; value: string }[]
  integrityCheck: string[]
  journalMode: unknown
}

export function databaseFacts(db: Database): DatabaseFacts {
  const integrity = db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[]
  return {
    sqliteVersion: (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
    settings: db.prepare('SELECT key, value FROM settings ORDER BY key').all() as { key: string; value: string }[],
    integrityCheck: integrity.map((r) => r.integrity_check),
    journalMode: db.pragma('journal_mode', { simple: true }),
  }
}
