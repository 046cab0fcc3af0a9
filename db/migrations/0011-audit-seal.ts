import type { Database } from 'better-sqlite3'

// Issue 13, finding 2: the audit chain was plain SHA-256, so whoever could write the database
// could edit, delete or reorder entries and re-hash the rest (and rewrite audit-head.json) into
// a trail that verified. From now on each entry carries `mac`: HMAC-SHA256 of its hash under a
// key derived from the data folder's data key (SecretBox.auditKey), which is not in the
// database. The hash chain itself is unchanged (exported bundles still verify anywhere).
//
// A migration cannot hold the key, so entries written before it keep `mac` NULL; the first
// start after it appends one `audit.chain.keyed` entry, sealed, that names the last unsealed
// entry's hash (electron/features/audit/seal.ts): it seals that older part through the chain. Verify
// accepts unsealed entries only before that entry.
export function up(db: Database): void {
  db.exec('ALTER TABLE audit_log ADD COLUMN mac TEXT')
}
