// Reads of the trail's end, for the head file (electron/features/audit/head-file.ts writes it
// after commits, integrity.ts compares it). The writer runs after every append, so it prepares
// these once (auditHeadReads) and reuses them.
import type { Database } from 'better-sqlite3'
import type { AuditRow } from './audit'

export type TrailEnd = Pick<AuditRow, 'seq' | 'hash'>

export interface AuditHeadReads {
  /** The last entry's seq and hash, or undefined for an empty trail. */
  last(): TrailEnd | undefined
  /** The hash of the entry at `seq`, if it exists. */
  hashAt(seq: number): string | undefined
  /** The hash of entry 1, if it exists. */
  firstHash(): string | undefined
}

/** The three reads, prepared once. */
export function auditHeadReads(db: Database): AuditHeadReads {
  const head = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')
  const at = db.prepare('SELECT hash FROM audit_log WHERE seq = ?').pluck()
  const first = db.prepare('SELECT hash FROM audit_log WHERE seq = 1').pluck()
  return {
    last: () => head.get() as TrailEnd | undefined,
    hashAt: (seq) => at.get(seq) as string | undefined,
    firstHash: () => first.get() as string | undefined,
  }
}

/** The highest seq in the trail, 0 when it is empty. */
export const maxSeq = (db: Database): number => db.prepare('SELECT coalesce(max(seq), 0) FROM audit_log').pluck().get() as number
