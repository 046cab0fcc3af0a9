import type { Database, Transaction } from 'better-sqlite3'

// One async repository API (issue 11). A change and its audit entry share one better-sqlite3
// transaction (App.record), and those transactions are synchronous, so each repository keeps
// its statements in a transactional view reached only through `repo.tx()` inside a
// transaction; everything else awaits the repository's async methods, which run the same view
// in a transaction of their own (or as a savepoint of the caller's). One copy of the SQL.

/**
 * The repository's transactional view, or a programming error when no transaction is open:
 * a synchronous path must not leak out of `record(...)` / `db.transaction(...)`.
 */
export function txScope<V>(db: Database, view: V, repo: string): V {
  if (!db.inTransaction) throw new Error(`${repo}.tx() called outside a transaction: use the async method, or call it inside App.record / db.transaction`)
  return view
}

// Built once per database: better-sqlite3 transaction wrappers are costly to create per call.
const runners = new WeakMap<Database, Transaction<(fn: () => unknown) => unknown>>()
const runner = (db: Database) => {
  let r = runners.get(db)
  if (!r) runners.set(db, (r = db.transaction((fn: () => unknown) => fn())))
  return r
}

/** Runs `fn` (reads) in a deferred transaction: like the statement on its own, no write lock. */
export function reading<R>(db: Database, fn: () => R): R {
  return runner(db)(fn) as R
}

/**
 * Runs `fn` (a change) in an immediate transaction: the write lock is taken up front, so a read
 * followed by a write cannot fail half way against another process (SQLITE_BUSY on upgrade).
 * Inside a caller's transaction it is a savepoint of it.
 */
export function writing<R>(db: Database, fn: () => R): R {
  return runner(db).immediate(fn) as R
}
