import type { Database } from 'better-sqlite3'

/** Reads of the PIN attempts table (migration 10); counting and settling stay in electron/features/audit/attempts.ts. */
export class AttemptsRepo {
  constructor(private readonly db: Database) {}

  /** Wrong PINs for `scope` after `since` (ms since the epoch). */
  wrongSince(scope: string, since: number): number {
    return this.db.prepare("SELECT count(*) FROM attempts WHERE scope = ? AND outcome = 'wrong' AND at > ?").pluck().get(scope, since) as number
  }
}
