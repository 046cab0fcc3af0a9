// One console per data folder (issue 13, finding 7). The lock is an OS file lock, so it cannot
// go stale: `console.lock.db` in the folder is a SQLite file the owner opens in exclusive
// locking mode and writes once; SQLite then holds its fcntl (Windows: LockFileEx) lock until the
// connection closes, and the OS drops it when the process dies however it dies (SIGKILL, a
// crash, a power cut), so no PID check or takeover is needed. Node has no flock of its own, and
// better-sqlite3 is already in every host, so no native module is added.
//
// The locked file cannot be read by anyone else, so the owner writes who it is (PID, host,
// what, since) beside it in `console.lock`: the second start names the first one from there.
// Taken by the browser host, the Electron main and the CLI's writing commands (`device`,
// `discover --save`, `helpdesk`); read-only commands (`audit verify`, `audit list`) do not take
// it and run beside a console. The lock file is never deleted: a process that opened it just
// before a delete would hold a lock on a file the next start no longer sees.
import { chmodSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { AppError } from '../../shared/contract/common'
import { tryLockFile, type LockFileHandle } from '../../db/console-lock-file'
import { privateUmask } from './data-dir'

export const CONSOLE_LOCK_DB = 'console.lock.db'
/** Who holds the lock (JSON); informative only, the lock itself is CONSOLE_LOCK_DB's. */
export const CONSOLE_LOCK = 'console.lock'

export interface ConsoleOwner {
  pid: number
  host: string
  what: string
  since: string
}

export interface ConsoleLock {
  readonly owner: ConsoleOwner
  release(): void
}

const readOwner = (file: string): Partial<ConsoleOwner> | null => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<ConsoleOwner>
  } catch {
    return null
  }
}

/** Takes the folder's console lock or throws (CONFLICT) naming the console that has it. */
export function lockConsole(dataDir: string, what = 'console'): ConsoleLock {
  // The lock is the first thing written to the folder (SQLite's journal included): private
  // from the start, or every start would find a readable file and "tighten" the folder.
  privateUmask()
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const dbFile = join(dataDir, CONSOLE_LOCK_DB)
  const info = join(dataDir, CONSOLE_LOCK)
  let db: LockFileHandle | null = null
  for (let i = 0; i < 3 && !db; i++) db = tryLockFile(dbFile)
  if (!db) {
    // The owner writes its name right after taking the lock: give a start of this very instant a moment.
    let other = readOwner(info)
    for (let waited = 0; (!other || typeof other.pid !== 'number') && waited < 1000; waited += 50) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
      other = readOwner(info)
    }
    const who = other && typeof other.pid === 'number'
      ? `process ${other.pid}${other.host ? ` on ${other.host}` : ''}, ${other.what ?? 'console'} started ${other.since ?? 'earlier'}`
      : 'its process could not be named'
    throw new AppError('CONFLICT', `Another Support Console (${who}) is already using the data folder ${dataDir}. This one was not started.`, {
      hint: 'Use that console (or stop it first), or start this one with another --data-dir. Read-only commands (audit verify, audit list) work while it runs.',
      key: 'storage.folderInUse',
      values: { who, dir: dataDir },
    })
  }
  try {
    chmodSync(dbFile, 0o600)
  } catch {
    // Not ours to change (another user's share): the folder itself is private.
  }
  const owner: ConsoleOwner = { pid: process.pid, host: hostname(), what, since: new Date().toISOString() }
  const mine = JSON.stringify(owner)
  const tmp = `${info}.${process.pid}.tmp`
  writeFileSync(tmp, mine, { mode: 0o600 })
  renameSync(tmp, info) // whole or not at all: a reader never sees half a name
  const held = db
  return {
    owner,
    release() {
      if (!held.open) return
      try {
        if (readFileSync(info, 'utf8') === mine) unlinkSync(info)
      } catch {
        // Gone already: nothing to remove.
      }
      held.close() // the OS lock goes with the connection
    },
  }
}
