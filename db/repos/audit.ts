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
const SECRET_KEY = /pass(word)?|secret|token|security.?code|^code$|pin|apikey|api_key|credential/i

/** Replaces the values of secret-looking keys, at any depth, with "[masked]". */
export function maskSecrets(v: unknown, depth = 0): unknown {
  if (depth > 8 || v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map((x) => maskSecrets(x, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) && x !== null && x !== undefined && x !== '' ? '[masked]' : maskSecrets(x, depth + 1)
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
