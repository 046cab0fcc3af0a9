import BetterSqlite3, { type Database } from 'better-sqlite3'
import { accessSync, constants, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../shared/contract/common'
import { migrate } from './migrate'

export const DB_FILE = 'support-console.sqlite'

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

/** Turns file-system and SQLite errors into messages an agent can act on. */
export function storageError(e: unknown, dataDir: string): AppError {
  const err = e as NodeJS.ErrnoException & { code?: string }
  const code = String(err?.code ?? '')
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN') {
    return new AppError('STORAGE', `The data folder ${dataDir} cannot be written (${code}).`, {
      hint: 'Check its permissions or choose another folder with --data-dir. Nothing already saved was lost.',
      cause: e,
 key: 'storage.notWritable', values: { dir: dataDir, code },    })
  }
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') {
    return new AppError('STORAGE', `The disk holding ${dataDir} is full; the last change was not saved.`, {
      hint: 'Free some space and try again. Everything saved before this change is intact.',
      cause: e,
 key: 'storage.diskFull', values: { dir: dataDir },    })
  }
  return new AppError('STORAGE', `The database in ${dataDir} could not be used: ${err?.message ?? String(e)}`, { cause: e, key: 'storage.unusable', values: { dir: dataDir, detail: err?.message ?? String(e) } })
}
