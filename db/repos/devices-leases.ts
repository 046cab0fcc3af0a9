import { randomBytes } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import { reading, txScope, writing } from './tx-scope'

/** Tokens of the leases this process holds now (several App instances may share one process). */
const held = new Set<string>()

const alive = (pid: number): boolean => {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A leases row, declared here: leases are storage only and never cross the contract. */
export interface LeaseRow {
  key: string
  token: string
  pid: number
  purpose: string
  acquired_at: string
  expires_at: number
}

/**
 * Leases in the data folder's database (migration 10): a key held by one holder at a time,
 * across every process using the folder. Taking one is a single immediate transaction, so
 * two processes cannot both win. A lease is free when its time ran out, its process is gone,
 * or (same process) its holder released it without the row being removed (a crash of a test).
 */
export class LeasesTx {
  constructor(private readonly db: Database) {}

  /** The token of a new lease on `key`, or null (with the current holder) when someone holds it. */
  tryAcquire(key: string, purpose: string, ttlMs: number, now = Date.now()): { token: string } | { holder: LeaseRow } {
    const row = this.db.prepare('SELECT * FROM leases WHERE key = ?').get(key) as LeaseRow | undefined
    if (row && row.expires_at > now && alive(row.pid) && (row.pid !== process.pid || held.has(row.token))) return { holder: row }
    const token = randomBytes(16).toString('hex')
    this.db.prepare('INSERT OR REPLACE INTO leases (key, token, pid, purpose, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run(key, token, process.pid, purpose, new Date(now).toISOString(), now + ttlMs)
    held.add(token)
    return { token }
  }

  renew(key: string, token: string, ttlMs: number, now = Date.now()): boolean {
    return this.db.prepare('UPDATE leases SET expires_at = ? WHERE key = ? AND token = ?').run(now + ttlMs, key, token).changes === 1
  }

  /** A marker row (no holder): `key` is known good until `ttlMs` from now. */
  mark(key: string, ttlMs: number, now = Date.now()): void {
    this.db.prepare("INSERT OR REPLACE INTO leases (key, token, pid, purpose, acquired_at, expires_at) VALUES (?, '', 0, 'proven', ?, ?)").run(key, new Date(now).toISOString(), now + ttlMs)
  }

  valid(key: string, now = Date.now()): boolean {
    return !!this.db.prepare('SELECT 1 FROM leases WHERE key = ? AND expires_at > ?').get(key, now)
  }

  /** The device rejected what was proven: nothing of it holds any more. */
  forget(prefix: string): void {
    this.db.prepare("DELETE FROM leases WHERE substr(key, 1, length(?)) = ?").run(prefix, prefix)
  }

  release(key: string, token: string): void {
    held.delete(token)
    this.db.prepare('DELETE FROM leases WHERE key = ? AND token = ?').run(key, token)
  }
}

/**
 * Leases of the data folder (see LeasesTx). Taking one is a single immediate transaction, so two
 * processes cannot both win; `tx()` gives the same operations inside a caller's transaction.
 */
export class LeasesRepo {
  private readonly view: LeasesTx
  constructor(private readonly db: Database) {
    this.view = new LeasesTx(db)
  }

  tx(): LeasesTx {
    return txScope(this.db, this.view, 'leases')
  }

  /** The token of a new lease on `key`, or null (with the current holder) when someone holds it. */
  async tryAcquire(key: string, purpose: string, ttlMs: number, now?: number): Promise<{ token: string } | { holder: LeaseRow }> {
    return writing(this.db, () => this.tx().tryAcquire(key, purpose, ttlMs, now))
  }

  async renew(key: string, token: string, ttlMs: number, now?: number): Promise<boolean> {
    return writing(this.db, () => this.tx().renew(key, token, ttlMs, now))
  }

  /** A marker row (no holder): `key` is known good until `ttlMs` from now. */
  async mark(key: string, ttlMs: number, now?: number): Promise<void> {
    writing(this.db, () => this.tx().mark(key, ttlMs, now))
  }

  async valid(key: string, now?: number): Promise<boolean> {
    return reading(this.db, () => this.tx().valid(key, now))
  }

  /** The device rejected what was proven: nothing of it holds any more. */
  async forget(prefix: string): Promise<void> {
    writing(this.db, () => this.tx().forget(prefix))
  }

  /** Lets the lease go; on a closed database only this process's memory of it. */
  async release(key: string, token: string): Promise<void> {
    if (this.db.open) writing(this.db, () => this.tx().release(key, token))
    else held.delete(token)
  }
}
