import type { Database } from 'better-sqlite3'
import { reading, txScope } from './tx-scope'

/**
 * The PIN attempts table (migration 10), inside a transaction: a count and the attempt it
 * allows are written in one immediate transaction (electron/features/audit/attempts.ts keeps
 * the rules: limit, window, refusal), reached through `AttemptsRepo.tx()`.
 */
export class AttemptsTx {
  constructor(private readonly db: Database) {}

  /** Wrong PINs for `scope` after `since` (ms since the epoch). */
  wrongSince(scope: string, since: number): number {
    return this.db.prepare("SELECT count(*) FROM attempts WHERE scope = ? AND outcome = 'wrong' AND at > ?").pluck().get(scope, since) as number
  }

  /** Times (ms) of the attempts for `scope` after `since` that did not succeed (pending included), oldest first. */
  notOkSince(scope: string, since: number): number[] {
    return this.db.prepare("SELECT at FROM attempts WHERE scope = ? AND at > ? AND outcome <> 'ok' ORDER BY at").pluck().all(scope, since) as number[]
  }

  /** Drops the attempts for `scope` at or before `upTo`. */
  pruneUpTo(scope: string, upTo: number): void {
    this.db.prepare('DELETE FROM attempts WHERE scope = ? AND at <= ?').run(scope, upTo)
  }

  /** Counts a pending attempt; returns its id. */
  addPending(scope: string, at: number): number {
    return Number(this.db.prepare("INSERT INTO attempts (scope, at, outcome) VALUES (?, ?, 'pending')").run(scope, at).lastInsertRowid)
  }

  /** A right PIN: the scope's wrong attempts and this one are cleared. */
  clearAfterSuccess(scope: string, id: number): void {
    this.db.prepare("DELETE FROM attempts WHERE scope = ? AND (outcome = 'wrong' OR id = ?)").run(scope, id)
  }

  /** A wrong PIN: the attempt stays counted. */
  markWrong(id: number): void {
    this.db.prepare("UPDATE attempts SET outcome = 'wrong' WHERE id = ?").run(id)
  }
}

/** The PIN attempts: counting and settling run in electron/features/audit/attempts.ts's immediate transactions, through tx(); the wrong PINs are read on their own. */
export class AttemptsRepo {
  private readonly view: AttemptsTx
  constructor(private readonly db: Database) {
    this.view = new AttemptsTx(db)
  }

  tx(): AttemptsTx {
    return txScope(this.db, this.view, 'attempts')
  }

  async wrongSince(scope: string, since: number): Promise<number> {
    return reading(this.db, () => this.tx().wrongSince(scope, since))
  }
}
