// The reads behind the audit chain check (electron/features/audit/verify.ts). The page
// statement is prepared once per run and reused for every page: verify walks millions of
// entries, so statements are never prepared per row or per page.
import type { Database } from 'better-sqlite3'

/** The columns of a raw chain row, in the order entryHash hashes the first ten of them. */
const COLS = 'seq, at, agent, ticket_id, device, action, inputs, outcome, detail, prev_hash, hash'

/** A raw row: [seq, at, agent, ticket_id, device, action, inputs, outcome, detail, prev_hash, hash] (+ mac when asked for). */
export type RawChainRow = unknown[]

/** Whether audit_log has the seal column (migration 11). */
export const hasSealColumn = (db: Database): boolean => !!db.prepare("SELECT 1 FROM pragma_table_info('audit_log') WHERE name = 'mac'").get()

/** How many entries the trail holds. */
export const countEntries = (db: Database): number => db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number

export interface ChainPages {
  /** Up to `size` raw rows after `after` (seq), in seq order; with `withMac` each row ends with its mac. */
  after(after: number): RawChainRow[]
}

/** One prepared statement for the whole walk, in raw (array) mode. */
export function chainPages(db: Database, size: number, withMac: boolean): ChainPages {
  const page = db.prepare(`SELECT ${COLS}${withMac ? ', mac' : ''} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ${size}`).raw(true)
  return { after: (after) => page.all(after) as RawChainRow[] }
}

/** The seq of the entry with this hash, if any (the diagnosis of a break, run once). */
export const seqOfHash = (db: Database, hash: string): number | undefined => db.prepare('SELECT seq FROM audit_log WHERE hash = ?').pluck().get(hash) as number | undefined

/** The raw row at `seq` (without mac), if any. */
export const rawRowAt = (db: Database, seq: number): RawChainRow | undefined => db.prepare(`SELECT ${COLS} FROM audit_log WHERE seq = ?`).raw(true).get(seq) as RawChainRow | undefined

/**
 * A read transaction held open across pauses (the UI's check, on a connection of its own):
 * `db.transaction` cannot span awaits.
 */
export function beginRead(db: Database): void {
  db.exec('BEGIN')
}

export function endRead(db: Database): void {
  db.exec('COMMIT')
}
