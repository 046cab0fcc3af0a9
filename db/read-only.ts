// A database file opened read-only for examining it (`audit verify`, `audit list`:
// electron/features/audit/open-trail.ts): no migration, no checkpoint, no journal switch.
import BetterSqlite3, { type Database } from 'better-sqlite3'

/**
 * Opens `file` read-only and reads the schema at once, so a WAL database whose -shm index cannot
 * be used in place fails here (SQLITE_READONLY / SQLITE_CANTOPEN, as SQLite reports it) rather
 * than at the first query. The caller decides what to do about it (open-trail reads a copy).
 */
export function openReadOnlyFile(file: string): Database {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    db.prepare('SELECT count(*) FROM sqlite_master').get() // opens the WAL now, so failures show here
    return db
  } catch (e) {
    db.close()
    throw e
  }
}
