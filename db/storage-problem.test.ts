// Each storage problem named in plain words (issue 13, finding 11). Errors with the codes the
// kernel and SQLite give are injected; where the folder itself is checked, it is made that way
// for real (chmod for a normal user, chattr or a read-only tmpfs as root).
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from './test/helpers'
import { DB_FILE, diagnose, isStorageFailure, storageError } from './storage-problem'

const isRoot = process.getuid?.() === 0
const undo: (() => void)[] = []
afterEach(() => {
  for (const u of undo.splice(0).reverse()) u()
})
const err = (code: string, path?: string, message = `${code}: failed`) => Object.assign(new Error(message), { code, ...(path ? { path } : {}) })
/** A data folder with the console's database file in it. */
function folder(): string {
  const dir = tempDir()
  writeFileSync(join(dir, DB_FILE), '')
  return dir
}
/** The folder made read-only for real: a read-only tmpfs as root (root ignores permission bits), chmod 0500 otherwise. */
function readOnlyFolder(): string {
  if (!isRoot) {
    const dir = folder()
    chmodSync(dir, 0o500)
    undo.push(() => chmodSync(dir, 0o700))
    return dir
  }
  const dir = join(tempDir(), 'mnt')
  mkdirSync(dir)
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir])
  undo.push(() => execFileSync('umount', ['-l', dir]))
  writeFileSync(join(dir, DB_FILE), '')
  execFileSync('mount', ['-o', 'remount,ro', dir])
  return dir
}

describe('storage problems in plain words', () => {
  it('a read-only folder: SQLite says only "readonly", the folder check names it', () => {
    const dir = readOnlyFolder()
    const e = storageError(err('SQLITE_READONLY', undefined, 'attempt to write a readonly database'), dir)
    expect(e).toMatchObject({ code: 'STORAGE', key: 'storage.readOnly', values: { dir } })
    expect(e.message).toBe(`The data folder ${dir} cannot be written: it is read-only (SQLITE_READONLY).`)
    expect(e.hint).toMatch(/writable again.*--data-dir/)
  })

  it('an immutable file (EPERM on a file that exists) says so and how to unlock it', () => {
    const dir = folder()
    const e = storageError(err('EPERM', join(dir, 'audit-head.json')), dir)
    expect(e).toMatchObject({ key: 'storage.immutableFile', values: { what: 'audit-head.json', path: join(dir, 'audit-head.json') } })
    expect(e.message).toMatch(/the file audit-head\.json is locked against any change \(immutable, EPERM\)/)
    expect(e.hint).toContain(`chattr -i ${join(dir, 'audit-head.json')}`)
  })

  it.runIf(isRoot)('an immutable folder (chattr +i) behind SQLite\'s "disk I/O error" is found by the folder check', () => {
    const dir = folder()
    execFileSync('chattr', ['+i', dir])
    undo.push(() => execFileSync('chattr', ['-i', dir]))
    const e = storageError(err('SQLITE_IOERR_WRITE', undefined, 'disk I/O error'), dir)
    expect(e).toMatchObject({ key: 'storage.immutable', values: { what: '', path: dir } })
    expect(e.message).toMatch(/the folder is locked against any change \(immutable, SQLITE_IOERR_WRITE\), so nothing new can be created in it/)
  })

  it.each(['ENOSPC', 'SQLITE_FULL', 'EDQUOT'])('a full disk (%s)', (code) => {
    const dir = folder()
    const e = storageError(err(code), dir)
    expect(e).toMatchObject({ key: 'storage.full' })
    expect(e.message).toBe(`The disk holding ${dir} is full; the last change was not saved.`)
    expect(e.hint).toMatch(/Free some space/)
  })

  it('a missing folder (moved or its disk gone)', () => {
    const dir = folder()
    rmSync(dir, { recursive: true })
    for (const e of [err('ENOENT', join(dir, 'audit-head.json.1.tmp')), err('SQLITE_CANTOPEN', undefined, 'unable to open database file')]) {
      expect(storageError(e, dir)).toMatchObject({ key: 'storage.missing', message: `The data folder ${dir} is missing (moved, deleted, or its disk was disconnected).` })
    }
  })

  it('permission denied on one of the console\'s files', () => {
    const dir = folder()
    if (!isRoot) chmodSync(join(dir, DB_FILE), 0o400)
    const e = storageError(err('EACCES', join(dir, DB_FILE)), dir)
    expect(e).toMatchObject({ key: 'storage.permission', values: { what: DB_FILE } })
    expect(e.message).toMatch(/this user may not write the file support-console\.sqlite \(EACCES\)/)
  })

  it('an I/O error with nothing wrong in the folder stays an I/O error', () => {
    const dir = folder()
    expect(diagnose(err('SQLITE_IOERR'), dir)).toEqual({ kind: 'io', code: 'SQLITE_IOERR', file: null })
  })

  it('EPERM or ENOENT outside the data folder is not a storage problem', () => {
    const dir = folder()
    expect(isStorageFailure(err('EPERM'), dir)).toBe(false)
    expect(isStorageFailure(err('ENOENT', '/etc/nothing-here'), dir)).toBe(false)
    expect(isStorageFailure(err('EPERM', join(dir, 'audit-head.json')), dir)).toBe(true)
    expect(isStorageFailure(err('SQLITE_IOERR_WRITE'), dir)).toBe(true)
  })
})
