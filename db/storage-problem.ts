// What is wrong with the data folder, in plain words (issue 13, finding 11). File-system and
// SQLite codes alone mislead: an immutable file (chattr +i) reaches SQLite as "disk I/O
// error", a folder made read-only while the console runs lets writes through already open
// files go on while new files (audit-head.json) cannot be created. So an unclear code is
// followed by a quick look at the folder itself: can a file be created in it, can the
// console's own files be opened for writing.
import { closeSync, existsSync, openSync, unlinkSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { AppError } from '../shared/contract/common'

export const DB_FILE = 'support-console.sqlite'

export type StorageKind = 'readOnly' | 'immutable' | 'full' | 'missing' | 'permission' | 'io'

export interface StorageDiagnosis {
  kind: StorageKind
  /** The errno or SQLite code that told. */
  code: string
  /** The file the problem is on; null when it is the folder itself. */
  file: string | null
}

const FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL'])
/** Files the console writes in place: the database, its journal files and the audit head. */
const OWN_FILES = [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, 'audit-head.json']

const inside = (dir: string, p: unknown): boolean => typeof p === 'string' && !relative(dir, p).startsWith('..')

/** Whether an error with this code (and path) is about the data folder rather than something else. */
export function isStorageFailure(e: unknown, dataDir: string): boolean {
  const err = e as { code?: unknown; path?: unknown; dest?: unknown }
  const code = String(err?.code ?? '')
  if (/^SQLITE_(FULL|READONLY|CANTOPEN|IOERR)/.test(code) || ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES'].includes(code)) return true
  // EPERM and ENOENT have other meanings elsewhere (signals, sockets, a missing import file).
  return (code === 'EPERM' || code === 'ENOENT') && (inside(dataDir, err.path) || inside(dataDir, err.dest))
}

/**
 * Tries what the console needs of the folder: create a file in it, open its own files for
 * writing. Returns the first thing that fails, or null when all of it works.
 */
export function probeFolder(dataDir: string): StorageDiagnosis | null {
  if (!existsSync(dataDir)) return { kind: 'missing', code: 'ENOENT', file: null }
  const probe = join(dataDir, `.write-probe-${process.pid}`)
  try {
    closeSync(openSync(probe, 'w'))
    unlinkSync(probe)
  } catch (e) {
    const code = String((e as NodeJS.ErrnoException).code ?? '')
    if (code === 'EROFS' || code === 'EACCES') return { kind: 'readOnly', code, file: null }
    if (code === 'EPERM') return { kind: 'immutable', code, file: null }
    if (FULL.has(code)) return { kind: 'full', code, file: null }
    if (code === 'ENOENT') return { kind: 'missing', code, file: null }
  }
  for (const f of OWN_FILES) {
    try {
      closeSync(openSync(join(dataDir, f), 'r+'))
    } catch (e) {
      const code = String((e as NodeJS.ErrnoException).code ?? '')
      if (code === 'EPERM') return { kind: 'immutable', code, file: f }
      if (code === 'EACCES') return { kind: 'permission', code, file: f }
      if (code === 'EROFS') return { kind: 'readOnly', code, file: null }
    }
  }
  return null
}

/** Names the problem behind a file-system or SQLite error on the data folder. */
export function diagnose(e: unknown, dataDir: string): StorageDiagnosis {
  const err = e as NodeJS.ErrnoException & { dest?: string }
  const code = String(err?.code ?? '')
  const file = typeof err?.path === 'string' && inside(dataDir, err.path) && err.path !== dataDir ? basename(err.dest ?? err.path) : null
  if (FULL.has(code)) return { kind: 'full', code, file: null }
  if (code === 'EROFS') return { kind: 'readOnly', code, file: null }
  if (code === 'ENOENT' && !existsSync(dataDir)) return { kind: 'missing', code, file: null }
  // The folder itself tells more than the code: EPERM on the folder or on one file, SQLite's
  // "disk I/O error" for an immutable WAL, "readonly" for a folder that lost its write bit.
  const seen = probeFolder(dataDir)
  if (seen) return { ...seen, code: code || seen.code }
  if (code === 'EPERM') return { kind: 'immutable', code, file }
  if (code === 'EACCES') return { kind: 'permission', code, file }
  if (code.startsWith('SQLITE_READONLY')) return { kind: 'readOnly', code, file: null }
  if (code === 'ENOENT') return { kind: 'missing', code, file }
  return { kind: 'io', code, file }
}

/** Turns file-system and SQLite errors into messages an agent can act on (AppError 'STORAGE', key errors.storage.<kind>). */
export function storageError(e: unknown, dataDir: string): AppError {
  const d = diagnose(e, dataDir)
  const what = d.file ? `the file ${d.file}` : 'the folder'
  const detail = String((e as Error)?.message ?? e).split('\n')[0].slice(0, 200)
  const values = { dir: dataDir, code: d.code || 'unknown', what: d.file ?? '', path: d.file ? join(dataDir, d.file) : dataDir, detail }
  // An immutable folder and an immutable file read differently ("nothing new can be created" / "this file").
  const key = d.kind === 'immutable' && d.file ? 'storage.immutableFile' : `storage.${d.kind}`
  const make = (message: string, hint: string) => new AppError('STORAGE', message, { key, values, hint, cause: e })
  switch (d.kind) {
    case 'full':
      return make(`The disk holding ${dataDir} is full; the last change was not saved.`, 'Free some space on that disk and try again. Everything saved before this change is intact.')
    case 'readOnly':
      return make(`The data folder ${dataDir} cannot be written: it is read-only (${values.code}).`, 'Make the folder writable again (or remount its disk read-write), or start the console with another folder (--data-dir). Nothing already saved was lost.')
    case 'immutable':
      return make(
        d.file
          ? `The data folder ${dataDir} cannot be written: the file ${d.file} is locked against any change (immutable, ${values.code}).`
          : `The data folder ${dataDir} cannot be written: the folder is locked against any change (immutable, ${values.code}), so nothing new can be created in it.`,
        `An administrator can unlock it with "chattr -i ${values.path}" (see lsattr). Nothing already saved was lost.`,
      )
    case 'permission':
      return make(`The data folder ${dataDir} cannot be written: this user may not write ${what} (${values.code}).`, 'Give the user running the console write access to the folder and its files, or start the console with another folder (--data-dir). Nothing already saved was lost.')
    case 'missing':
      return make(`The data folder ${dataDir} is missing (moved, deleted, or its disk was disconnected).`, 'Reconnect the disk or put the folder back, then restart the console.')
    default:
      return make(`The database in ${dataDir} could not be used: ${detail}`, 'The disk may be failing or disconnected: check it, then restart the console. Nothing already saved was lost.')
  }
}
