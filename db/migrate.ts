import type { Database } from 'better-sqlite3'
import { AppError } from '../shared/contract/common'
import { latestVersion, migrations, type Migration } from './migrations/index'

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

const hasLedger = (db: Database) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()

/** Versions already applied: the ledger, or for a database older than the ledger, 1..user_version. */
export function appliedVersions(db: Database, list: Migration[] = migrations): Set<number> {
  if (hasLedger(db)) return new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[])
  const current = schemaVersion(db)
  return new Set(list.filter((m) => m.version <= current).map((m) => m.version))
}

/**
 * Brings the database to `target` (default: the newest this build knows), one migration
 * per transaction with the ledger row and `user_version` written inside it, so a crash
 * leaves the file at a whole version. Migrations are numbered by feature and may land in
 * any order (5 before 3 and 4): the ledger `schema_migrations` records each applied version,
 * so a missing lower version is still applied later, in version order. `user_version` keeps
 * the highest applied version. A database written by a newer build is refused rather than
 * guessed at.
 */
export function migrate(db: Database, target = latestVersion(), list: Migration[] = migrations): number {
  const current = schemaVersion(db)
  const ordered = [...list].sort((a, b) => a.version - b.version)
  const known = ordered[ordered.length - 1]?.version ?? 0
  if (current > known) {
    throw new AppError(
      'STORAGE',
      `This data folder was written by a newer Support Console (database version ${current}; this app knows up to ${known}).`,
      { hint: 'Install the newer version of the console, or start this one with another --data-dir. Nothing was changed.', key: 'storage.newerDatabase', values: { version: current, known } },
    )
  }
  const applied = appliedVersions(db, ordered)
  const pending = ordered.filter((m) => !applied.has(m.version) && m.version <= target)
  if (pending.length === 0) return current
  if (!hasLedger(db)) {
    db.transaction(() => {
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT')
      const ins = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
      for (const m of ordered) if (applied.has(m.version)) ins.run(m.version, m.name, 'before-ledger')
    })()
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  for (const m of pending) {
    db.transaction(() => {
      m.up(db)
      record.run(m.version, m.name, new Date().toISOString())
      if (m.version > schemaVersion(db)) db.pragma(`user_version = ${m.version}`)
    })()
  }
  return schemaVersion(db)
}
