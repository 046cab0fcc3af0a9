import BetterSqlite3, { type Database } from 'better-sqlite3'
import { accessSync, constants, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../shared/contract/common'
import { migrate } from './migrate'
import { DB_FILE, storageError } from './storage-problem'

export { DB_FILE, storageError }

export interface OpenOptions {
  /** Stop migrating at this version (tests of single migrations). */
  targetVersion?: number
  readonly?: boolean
}

/** Opens (creating if needed) the console's one SQLite file in `dataDir` and migrates it. */
export function openDatabase(dataDir: string, opts: OpenOptions = {}): Database {
  try {
    mkdirSync(dataDir, { recursive: true })
  } catch (e) {
    throw storageError(e, dataDir)
  }
  if (!opts.readonly) {
    try {
      accessSync(dataDir, constants.W_OK)
    } catch (e) {
      throw storageError(e, dataDir)
    }
  }
  let db: Database
  try {
    db = new BetterSqlite3(join(dataDir, DB_FILE), { readonly: opts.readonly ?? false })
  } catch (e) {
    throw storageError(e, dataDir)
  }
  configure(db)
  try {
    migrate(db, opts.targetVersion)
  } catch (e) {
    db.close()
    throw e instanceof AppError ? e : storageError(e, dataDir)
  }
  return db
}

/** Pragmas every connection needs. */
export function configure(db: Database): void {
  if (!db.readonly && db.name !== ':memory:') db.pragma('journal_mode = WAL')
  // NORMAL in WAL mode never corrupts on power loss; it may lose the last commit, which the
  // workflow engine tolerates because each step is re-checked against the device on resume.
  db.pragma('synchronous = NORMAL')
  // Checkpoint every ~64 MB of WAL instead of SQLite's 4 MB: each checkpoint costs two fsyncs
  // and rewrites the pages changed since the last one, which halved audit appends per second
  // (scripts/bench/audit.ts). Commits are as durable as before (they are in the WAL either way);
  // the WAL file is capped at 64 MB once a checkpoint has run.
  db.pragma('wal_autocheckpoint = 16000')
  db.pragma('journal_size_limit = 67108864')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
}
