import type { Database, Statement } from 'better-sqlite3'
import { createHash } from 'node:crypto'

export interface AuditInput {
  agent: string
  action: string
  outcome: 'ok' | 'failed' | 'refused' | 'info'
  ticketId?: number | null
  device?: string | null
  /** Arguments of the action. Secret-looking keys are masked before anything is stored. */
  inputs?: Record<string, unknown>
  detail?: string
}

export interface AuditEntry {
  seq: number
  at: string
  agent: string
  ticketId: number | null
  device: string | null
  action: string
  inputs: string
  outcome: string
  detail: string
  prevHash: string
  hash: string
}

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

/** True when a key name says its value is a secret (a password, PIN, security code, token, key material…). */
export function isSecretKey(k: string): boolean {
  const w = keyWords(k)
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

interface Row {
  seq: number
  at: string
  agent: string
  ticket_id: number | null
  device: string | null
  action: string
  inputs: string
  outcome: string
  detail: string
  prev_hash: string
  hash: string
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
export class AuditRepo {
  private readonly insert: Statement
  private readonly last: Statement
  private readonly appendTx: (a: AuditInput, at: string) => AuditEntry
  constructor(private readonly db: Database) {
    this.insert = db.prepare(`INSERT INTO audit_log (seq, at, agent, ticket_id, device, action, inputs, outcome, detail, prev_hash, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').raw(true)
    // Built once: better-sqlite3 transaction wrappers are costly to create per call.
    const tx = db.transaction((a: AuditInput, at: string): AuditEntry => {
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
      this.insert.run(base.seq, at, base.agent, base.ticketId, base.device, base.action, base.inputs, base.outcome, base.detail, base.prevHash, hash)
      return { ...base, hash }
    })
    this.appendTx = tx.immediate
  }

  /** Synchronous core, so callers can append inside the same transaction as the change it records. */
  appendSync(a: AuditInput, at = new Date().toISOString()): AuditEntry {
    return this.appendTx(a, at)
  }

  async append(a: AuditInput): Promise<AuditEntry> {
    return this.appendSync(a)
  }

  async forTicket(ticketId: number, limit = 500): Promise<AuditEntry[]> {
    return (this.db.prepare('SELECT * FROM audit_log WHERE ticket_id = ? ORDER BY seq DESC LIMIT ?').all(ticketId, limit) as Row[]).map(toEntry)
  }
}
