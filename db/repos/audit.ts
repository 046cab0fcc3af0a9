import type { Database, Statement } from 'better-sqlite3'
import { createHash } from 'node:crypto'
import type { AuditItem, AuditOutcome } from '../../shared/contract/audit'
import type { Override, RowOf } from '../row-of'
import { txScope } from './tx-scope'

export interface AuditInput {
  agent: string
  action: string
  outcome: AuditOutcome
  ticketId?: number | null
  device?: string | null
  /** Arguments of the action. Secret-looking keys are masked before anything is stored. */
  inputs?: Record<string, unknown>
  detail?: string
}

/** An entry as stored: the contract's item with `inputs` as the JSON text the hash covers. */
export type AuditEntry = Override<AuditItem, { inputs: string }>

/** The one shape of an audit_log row (without mac, migration 11, which no read returns as a row). */
export type AuditRow = RowOf<AuditEntry>
type Row = AuditRow

export const GENESIS = '0'.repeat(64)
// Secret-bearing key names, matched on whole words of the key (camelCase, snake_case,
// kebab-case and dotted keys are split into words), so "newPassword", "admin_pass", "pin" and
// "my2n.securityCode" are masked while "passive", "passed", "pinned", "shipping", "spinner",
// "compass", "keyboard", "codeId" or "tokenizer" are not.
/** A word that makes any key secret: newPassword, admin_pass, userPin, clientSecret, accessToken… */
const SECRET_WORDS = new Set(['password', 'passwords', 'passwd', 'pass', 'passphrase', 'pwd', 'pin', 'pincode', 'secret', 'secrets', 'token', 'tokens', 'credential', 'credentials', 'apikey', 'privatekey', 'authorization', 'cookie', 'otp', 'totp'])
/** Words that make a key secret when followed by "code": securityCode, reset_code, my2nCode… */
const CODE_KINDS = new Set(['security', 'reset', 'unlock', 'verification', 'auth', 'activation', 'recovery', 'access', 'my2n', 'otp', 'secret'])
/** Words that make a key secret when followed by "key": apiKey, private_key, sealedKey… ("key" alone is a name, e.g. of a setting). */
const KEY_KINDS = new Set(['api', 'private', 'secret', 'encryption', 'sealed', 'master', 'signing', 'session', 'access', 'aes', 'hmac'])

/** Lower-case compounds that end in a secret word: newpassword, accesstoken, securitycode… */
const SECRET_SUFFIX = /(password|passwd|passphrase|secret|token|passcode|securitycode|resetcode|apikey|privatekey)$/

const keyWords = (k: string): string[] =>
  k
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)

const seen = new Map<string, boolean>()
/** True when a key name says its value is a secret (a password, PIN, security code, token, key material…). */
export function isSecretKey(k: string): boolean {
  let v = seen.get(k)
  if (v === undefined) {
    if (seen.size > 5000) seen.clear() // key names repeat; this only bounds hostile input
    seen.set(k, (v = secretWords(keyWords(k))))
  }
  return v
}

function secretWords(w: string[]): boolean {
  if (w.length === 1 && w[0] === 'code') return true
  for (let i = 0; i < w.length; i++) {
    if (SECRET_WORDS.has(w[i]) || SECRET_SUFFIX.test(w[i])) return true
    if (i > 0 && w[i] === 'code' && CODE_KINDS.has(w[i - 1])) return true
    if (i > 0 && w[i] === 'key' && KEY_KINDS.has(w[i - 1])) return true
  }
  return false
}

/** Replaces the values of secret-bearing keys, at any depth, with "[masked]". */
export function maskSecrets(v: unknown, depth = 0): unknown {
  if (depth > 8 || v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map((x) => maskSecrets(x, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) out[k] = x !== null && x !== undefined && x !== '' && isSecretKey(k) ? '[masked]' : maskSecrets(x, depth + 1)
  return out
}

/** The hash of one entry: covers every column and the previous hash, in a fixed order. */
export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const canonical = JSON.stringify([e.seq, e.at, e.agent, e.ticketId, e.device, e.action, e.inputs, e.outcome, e.detail, e.prevHash])
  return createHash('sha256').update(canonical).digest('hex')
}

export const toEntry = (r: Row): AuditEntry => ({
  seq: r.seq,
  at: r.at,
  agent: r.agent,
  ticketId: r.ticket_id,
  device: r.device,
  action: r.action,
  inputs: r.inputs,
  outcome: r.outcome,
  detail: r.detail,
  prevHash: r.prev_hash,
  hash: r.hash,
})

/** The append-only, hash-chained audit trail. */
/** The audit trail's transactional view (AuditRepo.tx()). */
export interface AuditTx {
  /** Appends inside the caller's transaction (a savepoint of it). */
  append(a: AuditInput, at?: string): AuditEntry
}

export class AuditRepo {
  private readonly insert: Statement
  private readonly last: Statement
  private readonly appendTx: (a: AuditInput, at: string) => AuditEntry
  private readonly view: AuditTx
  private readonly batchTx: (batch: { a: AuditInput; at: string }[]) => ({ ok: true; entry: AuditEntry } | { ok: false; error: unknown })[]
  /**
   * `onAppend` is told after each entry is written (inside its transaction, before the commit):
   * the app uses it to schedule the head file (electron/features/audit/head-file.ts), which reads the
   * committed head itself later, so it must stay cheap and must not touch the database. It is
   * given the entry's seq and ticket (the app tells open ticket pages after the commit).
   */
  constructor(private readonly db: Database, opts: { onAppend?: (e: { seq: number; ticketId: number | null }) => void; seal?: (hash: string) => string } = {}) {
    const onAppend = opts.onAppend
    // The seal (migration 11): HMAC of the entry's hash under the data folder's audit key.
    const sealed = !!db.prepare("SELECT 1 FROM pragma_table_info('audit_log') WHERE name = 'mac'").get()
    const seal = sealed ? opts.seal : undefined
    this.insert = sealed
      ? db.prepare(`INSERT INTO audit_log (seq, at, agent, ticket_id, device, action, inputs, outcome, detail, prev_hash, hash, mac)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      : db.prepare(`INSERT INTO audit_log (seq, at, agent, ticket_id, device, action, inputs, outcome, detail, prev_hash, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').raw(true)
    const append = (a: AuditInput, at: string): AuditEntry => {
      // Read the tail inside the write so two appends can never chain to the same parent.
      const tail = this.last.get() as [number, string] | undefined
      const base = {
        seq: (tail?.[0] ?? 0) + 1,
        at,
        agent: a.agent,
        ticketId: a.ticketId ?? null,
        device: a.device ?? null,
        action: a.action,
        inputs: JSON.stringify(maskSecrets(a.inputs ?? {})),
        outcome: a.outcome,
        detail: a.detail ?? '',
        prevHash: tail?.[1] ?? GENESIS,
      }
      const hash = entryHash(base)
      const cols = [base.seq, at, base.agent, base.ticketId, base.device, base.action, base.inputs, base.outcome, base.detail, base.prevHash, hash]
      if (sealed) cols.push(seal ? seal(hash) : null)
      this.insert.run(...cols)
      onAppend?.({ seq: base.seq, ticketId: base.ticketId })
      return { ...base, hash }
    }
    // Built once: better-sqlite3 transaction wrappers are costly to create per call.
    this.appendTx = db.transaction(append).immediate
    this.view = { append: (a, at = new Date().toISOString()) => this.appendTx(a, at) }
    // Group commit (see append). An entry that throws wrote nothing (its INSERT is the only
    // write and SQLite undoes a failed statement), so the next one reads the same tail. An
    // error that ended the transaction itself (disk full, I/O) fails the whole batch.
    this.batchTx = db.transaction((batch: { a: AuditInput; at: string }[]) =>
      batch.map((b) => {
        try {
          return { ok: true as const, entry: append(b.a, b.at) }
        } catch (error) {
          if (!db.inTransaction) throw error
          return { ok: false as const, error }
        }
      }),
    ).immediate
  }

  /**
   * The synchronous append, for an entry in the same transaction as the change it records
   * (App.record, db.transaction); throws outside a transaction. Everything else awaits `append`.
   */
  tx(): AuditTx {
    return txScope(this.db, this.view, 'auditLog')
  }

  /**
   * Appends and resolves once the entry is committed. Appends issued together (in the same
   * turn of the event loop, e.g. several requests finishing at once) share one transaction
   * (group commit): the same entries, order and chain as one by one, at a fraction of the
   * cost, since the commit, not the hashing, is what an append costs. An entry that fails
   * fails alone; the others still commit.
   */
  async append(a: AuditInput, at = new Date().toISOString()): Promise<AuditEntry> {
    // Inside a caller's transaction, join it exactly as tx().append does.
    if (this.db.inTransaction) return this.tx().append(a, at)
    return new Promise<AuditEntry>((resolve, reject) => {
      this.pending.push({ a, at, resolve, reject })
      if (this.pending.length === 1) queueMicrotask(() => this.flush())
    })
  }

  private pending: { a: AuditInput; at: string; resolve: (e: AuditEntry) => void; reject: (e: unknown) => void }[] = []

  private flush(): void {
    const batch = this.pending
    this.pending = []
    if (batch.length === 1) {
      const [b] = batch
      try {
        b.resolve(this.appendTx(b.a, b.at))
      } catch (e) {
        b.reject(e)
      }
      return
    }
    let results: ({ ok: true; entry: AuditEntry } | { ok: false; error: unknown })[]
    try {
      results = this.batchTx(batch)
    } catch (e) {
      for (const b of batch) b.reject(e) // the commit itself failed (disk full…): nothing was written
      return
    }
    results.forEach((r, i) => (r.ok ? batch[i].resolve(r.entry) : batch[i].reject(r.error)))
  }


  async forTicket(ticketId: number, limit = 500): Promise<AuditEntry[]> {
    return (this.db.prepare('SELECT * FROM audit_log WHERE ticket_id = ? ORDER BY seq DESC LIMIT ?').all(ticketId, limit) as Row[]).map(toEntry)
  }
}
