// The keyed seal of the audit trail (issue 13, finding 2). Each entry's `mac` is HMAC-SHA256 of
// its hash under the audit key (derived from the data key, SecretBox.auditKey); the head file
// carries one too. The SHA-256 chain alone can be recomputed by anyone who can write the
// database; the seal cannot without the key, which is not in the database.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import { countEntries, hasSealColumn } from '../../../db/repos/audit-chain'
import { anySealedEntry, lastEntryWithSeal } from '../../../db/repos/audit-seal'

export const sealOf = (key: Buffer, hash: string): string => createHmac('sha256', key).update(`entry:${hash}`).digest('hex')

export function sealMatches(key: Buffer, hash: string, mac: unknown): boolean {
  if (typeof mac !== 'string' || mac.length !== 64) return false
  return timingSafeEqual(Buffer.from(sealOf(key, hash)), Buffer.from(mac))
}

export const headSealOf = (key: Buffer, h: { seq: number; hash: string; first: string; at: string }): string =>
  createHmac('sha256', key).update(JSON.stringify(['head', h.seq, h.hash, h.first, h.at])).digest('hex')

export const KEYED_ACTION = 'audit.chain.keyed'

/**
 * A trail written before the seal existed (every entry unsealed): what the anchoring entry must
 * name, or null when there is nothing to anchor (empty trail, already sealed, or sealed entries
 * present — a trail whose end lost its seals is verify's to report, never re-anchored).
 */
export function unsealedTrail(db: Database): { seq: number; hash: string; entries: number } | null {
  if (!hasSealColumn(db)) return null
  const last = lastEntryWithSeal(db)
  if (!last || last.mac !== null) return null
  if (anySealedEntry(db)) return null
  return { seq: last.seq, hash: last.hash, entries: countEntries(db) }
}
