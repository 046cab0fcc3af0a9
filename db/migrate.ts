import type { Database } from 'better-sqlite3'
import { AppError } from '../shared/contract/common'
import { latestVersion, migrations, type Migration } from './migrations/index'

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Brings the database to `target` (default: the newest this build knows), one migration
 * per transaction with `user_version` bumped inside it, so a crash leaves the file at a
 * whole version. A database written by a newer build is refused rather than guessed at.
 */
export function migrate(db: Database, target = latestVersion(), list: Migration[] = migrations): number {
  const current = schemaVersion(db)
  const known = list[list.length - 1]?.version ?? 0
  if (current > known) {
    throw new AppError(
      'STORAGE',
      `This data folder was written by a newer Support Console (database version ${current}; this app knows up to ${known}).`,
      { hint: 'Install the newer version of the console, or start this one with another --data-dir. Nothing was changed.' },
    )
  }
  for (const m of list) {
    if (m.version <= current || m.version > target) continue
    db.transaction(() => {
      m.up(db)
      db.pragma(`user_version = ${m.version}`)
    })()
  }
  return schemaVersion(db)
}
