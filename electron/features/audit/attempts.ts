// PIN attempts counted in the data folder's database (migration 10), before the PIN is
// compared (issue 13, finding 3). The old counters lived in one process's memory and were
// bumped after an asynchronous scrypt comparison, so 300 parallel unlocks were all compared
// (and the right PIN among them unlocked), and two consoles doubled the rate. Now an attempt
// is a row written in one immediate transaction with the count of recent ones: parallel calls
// and other processes see it at once, and no more than `limit` comparisons run per window.
import type { Database } from 'better-sqlite3'
import { AppError } from '../../../shared/contract/common'
import { AttemptsRepo } from '../../../db/repos/audit-attempts'
import { writing } from '../../../db/repos/tx-scope'

export interface AttemptRule {
  /** What is guessed at: 'unlock', 'approver:<email>'… */
  scope: string
  /** Comparisons allowed in `windowMs` that did not succeed (pending ones included). */
  limit: number
  windowMs: number
  /** The refusal once the limit is reached, given the seconds left. */
  refusal(seconds: number): AppError
}

/** Counts one attempt or refuses it (nothing compared). Returns the attempt's id for `settle`. */
export function beginAttempt(db: Database, rule: AttemptRule, now = Date.now()): number {
  const attempts = new AttemptsRepo(db)
  return writing(db, () => {
    const t = attempts.tx()
    const since = now - rule.windowMs
    const recent = t.notOkSince(rule.scope, since)
    if (recent.length >= rule.limit) {
      const freeAt = recent[recent.length - rule.limit] + rule.windowMs
      throw rule.refusal(Math.max(1, Math.ceil((freeAt - now) / 1000)))
    }
    // Old rows say nothing any more: keep the table small.
    t.pruneUpTo(rule.scope, since - rule.windowMs)
    return t.addPending(rule.scope, now)
  })
}

/** The comparison's result: a right PIN clears the scope's failures, a wrong one stays counted. */
export function settleAttempt(db: Database, scope: string, id: number, ok: boolean): void {
  if (!db.open) return
  const attempts = new AttemptsRepo(db)
  writing(db, () => {
    if (ok) attempts.tx().clearAfterSuccess(scope, id)
    else attempts.tx().markWrong(id)
  })
}

/**
 * Runs `compare` with the attempt counted before it (refused over the limit, in every process)
 * and settled after: the order that keeps parallel guesses from all being compared.
 */
export async function countedAttempt(db: Database, rule: AttemptRule, compare: () => Promise<boolean>, now = Date.now()): Promise<boolean> {
  const id = beginAttempt(db, rule, now)
  let ok = false
  try {
    ok = await compare()
    return ok
  } finally {
    settleAttempt(db, rule.scope, id, ok)
  }
}
