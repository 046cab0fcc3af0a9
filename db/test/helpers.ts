import BetterSqlite3, { type Database } from 'better-sqlite3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { configure } from '../database'
import { migrate } from '../migrate'

/** A fresh file database (WAL needs a file) migrated to `version`. */
export function dbAt(version?: number): Database {
  const dir = mkdtempSync(join(tmpdir(), 'sc-db-'))
  const db = new BetterSqlite3(join(dir, 'test.sqlite'))
  configure(db)
  migrate(db, version)
  return db
}

export const tempDir = (prefix = 'sc-') => mkdtempSync(join(tmpdir(), prefix))

/**
 * Runs a repository's transactional operations (`repo.tx()`) in a transaction of their own,
 * as App.record would: for tests that set up rows with them outside any service.
 */
export const inTx = <R>(db: Database, fn: () => R): R => db.transaction(fn)()
