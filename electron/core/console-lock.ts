// One console per data folder (issue 13, finding 7): two consoles on one folder started
// without complaint, each with its own lock state and timers. `console.lock` in the folder names
// the process that runs the console; it is created exclusively (O_EXCL), so of two starts at
// the same instant one wins, and a lock left by a process that is gone (a crash, a kill) is
// taken over. Command-line tools (`device`, `audit`) do not take it: they run beside a console.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/contract/common'

export const CONSOLE_LOCK = 'console.lock'

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface ConsoleLock {
  release(): void
}

/** Takes the folder's console lock or throws (CONFLICT) naming the console that has it. */
export function lockConsole(dataDir: string, what = 'console'): ConsoleLock {
  const file = join(dataDir, CONSOLE_LOCK)
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const mine = JSON.stringify({ pid: process.pid, what, since: new Date().toISOString() })
  for (let i = 0; i < 3; i++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, mine)
      closeSync(fd)
      return {
        release() {
          try {
            if (readFileSync(file, 'utf8') === mine) unlinkSync(file)
          } catch {
            // Gone already: nothing to release.
          }
        },
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    let other: { pid?: number; what?: string; since?: string } = {}
    try {
      other = JSON.parse(readFileSync(file, 'utf8')) as typeof other
    } catch {
      // Half written by a start at this very instant, or damaged: treated as held below once.
    }
    if (typeof other.pid === 'number' && other.pid !== process.pid && alive(other.pid)) {
      throw new AppError('CONFLICT', `Another Support Console (process ${other.pid}, ${other.what ?? 'console'} started ${other.since ?? 'earlier'}) is already using the data folder ${dataDir}. This one was not started.`, {
        hint: `Use that console (or stop it first), or start this one with another --data-dir. If process ${other.pid} is not a Support Console, delete ${file}.`,
 key: 'storage.folderInUse', values: { pid: other.pid, what: other.what ?? 'console', since: other.since ?? '', dir: dataDir, file },      })
    }
    if (other.pid === undefined && i === 0) continue // a start racing with us: look again
    try {
      unlinkSync(file) // left by a console that is gone
    } catch {
      // Someone else removed it first.
    }
  }
  throw new AppError('CONFLICT', `The data folder ${dataDir} is being opened by another console at this moment.`, { hint: 'Try again in a moment.', key: 'storage.folderOpening', values: { dir: dataDir } })
}
