// Reads about the trail's keyed seals (electron/features/audit/seal.ts, integrity.ts).
import type { Database } from 'better-sqlite3'

export interface SealedTail {
  seq: number
  hash: string
  mac: string | null
}

/** The last entry with its seal (needs the mac column, migration 11). */
export const lastEntryWithSeal = (db: Database): SealedTail | undefined =>
  db.prepare('SELECT seq, hash, mac FROM audit_log ORDER BY seq DESC LIMIT 1').get() as SealedTail | undefined

/** Whether any entry carries a seal (throws before migration 11: no mac column). */
export const anySealedEntry = (db: Database): boolean => !!db.prepare('SELECT 1 FROM audit_log WHERE mac IS NOT NULL LIMIT 1').get()
