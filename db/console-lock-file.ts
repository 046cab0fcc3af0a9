// The SQLite side of the console lock (electron/infra/console-lock.ts explains the lock): the
// owner opens `console.lock.db` in exclusive locking mode and writes to it once, and SQLite then
// holds the OS file lock until the connection closes.
import BetterSqlite3 from 'better-sqlite3'

/** The open connection that holds the lock: closing it releases the lock. */
export interface LockFileHandle {
  readonly open: boolean
  close(): void
}

const busy = (e: unknown) => /SQLITE_BUSY|SQLITE_LOCKED/.test(String((e as { code?: string }).code ?? ''))

/** One attempt: the open connection holding the lock, or null when another process holds it. */
export function tryLockFile(dbFile: string): LockFileHandle | null {
  const db = new BetterSqlite3(dbFile, { timeout: 0 })
  try {
    // No read before the write transaction: in exclusive mode a read would keep a shared lock
    // that blocks the other starter's commit, and both would lose.
    db.pragma('locking_mode = EXCLUSIVE')
    db.exec('BEGIN IMMEDIATE')
  } catch (e) {
    db.close() // drops any lock the failed attempt got
    if (busy(e)) return null
    throw e
  }
  try {
    // The commit needs the exclusive lock: a racing starter's brief shared lock ends when it closes.
    db.pragma('busy_timeout = 2000')
    db.exec("CREATE TABLE IF NOT EXISTS owner (k INTEGER PRIMARY KEY, pid INTEGER, since TEXT); INSERT OR REPLACE INTO owner VALUES (1, " + process.pid + ", datetime('now'))")
    db.exec('COMMIT')
    return db
  } catch (e) {
    db.close()
    if (busy(e)) return null
    throw e
  }
}
