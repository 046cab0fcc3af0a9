// Opens a data folder's database for checking or reading it, never for writing: `audit verify`
// and `audit list` must not change what they examine (no migration, no WAL checkpoint, no
// journal switch, no new database) and must work on a folder the auditor may only read (a
// copy on a read-only share, a seized disk).
import type { Database } from 'better-sqlite3'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppError } from '../../../shared/contract/common'
import { DB_FILE } from '../../../db/database'
import { appliedVersions, schemaVersion } from '../../../db/migrate'
import { migrations } from '../../../db/migrations/index'
import { openReadOnlyFile } from '../../../db/read-only'

export interface OpenTrail {
  db: Database
  /** Set when the folder could not be read in place and a private copy was checked instead. */
  note: string | null
  close(): void
}

/**
 * The database of `dataDir`, opened read-only at the schema this build knows. Refuses (with
 * what to do) a missing database, one written by a newer console and one that needs a
 * migration first: verifying it would mean changing it.
 */
export function openTrailReadOnly(dataDir: string, purpose: 'verify' | 'list' = 'verify'): OpenTrail {
  const file = join(dataDir, DB_FILE)
  if (!existsSync(file)) {
    throw new AppError('NOT_FOUND', `There is no Support Console database in ${dataDir} (${DB_FILE} is missing): nothing to ${purpose}.`, {
      hint: 'Name the folder the console uses with --data-dir (its path is shown under Settings).',
      key: 'audit.noDatabase', values: { dir: dataDir, file: DB_FILE },
    })
  }
  let opened: OpenTrail
  try {
    opened = { db: openReadOnlyFile(file), note: null, close() { this.db.close() } }
  } catch (e) {
    // A WAL database needs its -shm index; read-only SQLite can open the file in place only when the
    // index exists or can be created there. In a folder we may not write to, read a private copy.
    const code = String((e as { code?: unknown }).code ?? '')
    if (!/^SQLITE_(READONLY|CANTOPEN)/.test(code)) throw new AppError('STORAGE', `The database in ${dataDir} could not be read: ${(e as Error).message}`, { cause: e, key: 'audit.unreadable', values: { dir: dataDir, detail: (e as Error).message } })
    const dir = mkdtempSync(join(tmpdir(), 'sc-verify-'))
    try {
      copyFileSync(file, join(dir, DB_FILE))
      if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, join(dir, `${DB_FILE}-wal`))
      const db = openReadOnlyFile(join(dir, DB_FILE))
      opened = {
        db,
        note: `The data folder cannot be written, so SQLite could not read the database in place; a private copy taken now (in ${dir}, removed afterwards) was checked.`,
        close() {
          db.close()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    } catch (e2) {
      rmSync(dir, { recursive: true, force: true })
      throw new AppError('STORAGE', `The database in ${dataDir} could not be read: ${(e2 as Error).message}`, { cause: e2, key: 'audit.unreadable', values: { dir: dataDir, detail: (e2 as Error).message } })
    }
  }
  try {
    checkSchema(opened.db, dataDir, purpose)
  } catch (e) {
    opened.close()
    throw e
  }
  return opened
}

function checkSchema(db: Database, dataDir: string, purpose: 'verify' | 'list'): void {
  const version = schemaVersion(db)
  const known = Math.max(...migrations.map((m) => m.version))
  if (version > known) {
    throw new AppError('STORAGE', `The database in ${dataDir} was written by a newer Support Console (database version ${version}; this one knows up to ${known}).`, {
      hint: `${purpose === 'verify' ? 'Verify' : 'List'} it with that newer console. Nothing was changed.`,
      key: 'audit.newerDatabase', values: { dir: dataDir, version, known },
    })
  }
  const applied = appliedVersions(db)
  const pending = migrations.filter((m) => !applied.has(m.version)).sort((a, b) => a.version - b.version)
  if (pending.length) {
    throw new AppError('STORAGE', `The database in ${dataDir} needs migrating before this console can ${purpose} it (missing: ${pending.map((m) => `${m.version} ${m.name}`).join(', ')}). ${purpose === 'verify' ? 'Verify' : 'Listing'} opens it read-only and does not migrate it.`, {
      hint: `${purpose === 'verify' ? 'Verify' : 'List'} it with the console version that wrote it, or start this console once on the folder (it migrates on start, keeping every entry) and ${purpose} then. Nothing was changed.`,
      key: 'audit.needsMigration', values: { dir: dataDir, missing: pending.map((m) => `${m.version} ${m.name}`).join(', ') },
    })
  }
}
