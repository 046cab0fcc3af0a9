import type { Database } from 'better-sqlite3'
import type { AuditRow } from './audit'
import { reading, txScope } from './tx-scope'

export interface AuditFilter {
  ticketId?: number
  device?: string
  agent?: string
  action?: string
  outcome?: string
  from?: string
  to?: string
  limit: number
  beforeSeq?: number
}

export type { AuditRow }

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

/**
 * Read side of the audit trail inside a transaction: a bundle reads its entries, links and
 * head in one snapshot (AuditQueryRepo.tx()).
 */
export class AuditQueryTx {
  constructor(private readonly db: Database) {}

  private where(f: AuditFilter): { sql: string; args: unknown[] } {
    const w: string[] = []
    const args: unknown[] = []
    const add = (sql: string, arg: unknown) => {
      w.push(sql)
      args.push(arg)
    }
    if (f.ticketId !== undefined) add('ticket_id = ?', f.ticketId)
    if (f.device) add("device LIKE ? ESCAPE '\\'", `%${likeEscape(f.device)}%`)
    if (f.agent) add("agent LIKE ? ESCAPE '\\'", `%${likeEscape(f.agent)}%`)
    // "evidence." selects a family; a full name selects one action.
    if (f.action) add(f.action.endsWith('.') ? "action LIKE ? ESCAPE '\\'" : 'action = ?', f.action.endsWith('.') ? `${likeEscape(f.action)}%` : f.action)
    if (f.outcome) add('outcome = ?', f.outcome)
    // Times are stored as ISO UTC strings; normalise the bounds so string comparison is right.
    if (f.from) add('at >= ?', new Date(f.from).toISOString())
    if (f.to) add('at <= ?', new Date(f.to).toISOString())
    return { sql: w.length ? `WHERE ${w.join(' AND ')}` : '', args }
  }

  page(f: AuditFilter): { rows: AuditRow[]; total: number } {
    const { sql, args } = this.where(f)
    const total = this.db.prepare(`SELECT count(*) FROM audit_log ${sql}`).pluck().get(...args) as number
    const pageWhere = f.beforeSeq !== undefined ? (sql ? `${sql} AND seq < ?` : 'WHERE seq < ?') : sql
    const pageArgs = f.beforeSeq !== undefined ? [...args, f.beforeSeq] : args
    const rows = this.db.prepare(`SELECT * FROM audit_log ${pageWhere} ORDER BY seq DESC LIMIT ?`).all(...pageArgs, f.limit) as AuditRow[]
    return { rows, total }
  }

  /** Entries of one ticket in chain order (reports and bundles). */
  forTicket(ticketId: number): AuditRow[] {
    return this.db.prepare('SELECT * FROM audit_log WHERE ticket_id = ? ORDER BY seq').all(ticketId) as AuditRow[]
  }


  /** The hash links (seq, prev_hash, hash) after `seq` of the entries not of `ticketId`: what a bundle carries between its ticket's entries. */
  linksAfter(seq: number, ticketId: number): [seq: number, prevHash: string, hash: string][] {
    return this.db
      .prepare('SELECT seq, prev_hash, hash FROM audit_log WHERE seq > ? AND (ticket_id IS NULL OR ticket_id <> ?) ORDER BY seq')
      .raw(true)
      .all(seq, ticketId) as [number, string, string][]
  }

  /** The hash of entry `seq`, or undefined when the trail has no such entry. */
  hashOf(seq: number): string | undefined {
    return this.db.prepare('SELECT hash FROM audit_log WHERE seq = ?').pluck().get(seq) as string | undefined
  }

  /** Whether the trail holds any entry of `action` with `outcome`. */
  hasEntry(action: string, outcome: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM audit_log WHERE action = ? AND outcome = ? LIMIT 1').get(action, outcome)
  }

  head(): { seq: number; hash: string } | null {
    return (this.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined) ?? null
  }

  facets(): { agents: string[]; actions: string[] } {
    return {
      agents: this.db.prepare('SELECT DISTINCT agent FROM audit_log ORDER BY agent LIMIT 200').pluck().all() as string[],
      actions: this.db.prepare('SELECT DISTINCT action FROM audit_log ORDER BY action LIMIT 500').pluck().all() as string[],
    }
  }
}

/** Read side of the audit trail: filtered, newest-first pages over the indexed columns. */
export class AuditQueryRepo {
  private readonly view: AuditQueryTx
  constructor(private readonly db: Database) {
    this.view = new AuditQueryTx(db)
  }

  tx(): AuditQueryTx {
    return txScope(this.db, this.view, 'auditQuery')
  }

  /** A page and its total, counted in the same snapshot. */
  async page(f: AuditFilter): Promise<{ rows: AuditRow[]; total: number }> {
    return reading(this.db, () => this.tx().page(f))
  }
  async forTicket(ticketId: number): Promise<AuditRow[]> {
    return reading(this.db, () => this.tx().forTicket(ticketId))
  }
  async linksAfter(seq: number, ticketId: number): Promise<[seq: number, prevHash: string, hash: string][]> {
    return reading(this.db, () => this.tx().linksAfter(seq, ticketId))
  }
  async hashOf(seq: number): Promise<string | undefined> {
    return reading(this.db, () => this.tx().hashOf(seq))
  }
  async hasEntry(action: string, outcome: string): Promise<boolean> {
    return reading(this.db, () => this.tx().hasEntry(action, outcome))
  }
  async head(): Promise<{ seq: number; hash: string } | null> {
    return reading(this.db, () => this.tx().head())
  }
  async facets(): Promise<{ agents: string[]; actions: string[] }> {
    return reading(this.db, () => this.tx().facets())
  }
}
