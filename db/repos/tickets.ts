import type { Database, Statement } from 'better-sqlite3'
import { AppError } from '../../shared/contract/common'
import type { Ticket, TicketStatus } from '../../shared/contract/tickets'

interface Row {
  id: number
  external_ref: string
  customer_name: string
  contact: string
  device_serial: string
  device_model: string
  procedure: Ticket['procedure']
  notes: string
  status: TicketStatus
  created_at: string
  updated_at: string
}

const toTicket = (r: Row): Ticket => ({
  id: r.id,
  externalRef: r.external_ref,
  customerName: r.customer_name,
  contact: r.contact,
  deviceSerial: r.device_serial,
  deviceModel: r.device_model,
  procedure: r.procedure,
  notes: r.notes,
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
})

const columns: Record<string, string> = {
  externalRef: 'external_ref',
  customerName: 'customer_name',
  contact: 'contact',
  deviceSerial: 'device_serial',
  deviceModel: 'device_model',
  procedure: 'procedure',
  notes: 'notes',
}

export type NewTicket = Omit<Ticket, 'id' | 'status' | 'createdAt' | 'updatedAt'>

/**
 * Turns what an agent types into a safe FTS5 query: every word must match, as a prefix,
 * so "novak 21-01" finds "Nováková" with serial "21-0123-4567". Quotes are stripped, so
 * FTS5 syntax in the input can never produce a query error.
 */
export function ftsQuery(input: string): string {
  const words = input
    // eslint-disable-next-line no-control-regex -- control characters (NUL) end an FTS5 string early, so they must go
    .replace(/["*^:(){}[\]\u0000-\u001f\u007f]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 12)
  return words.map((w) => `"${w}"*`).join(' ')
}

export class TicketsRepo {
  private readonly st: Record<string, Statement> & { ftsCount?: Statement }
  private countCache: Record<TicketStatus, number> | null = null
  constructor(private readonly db: Database) {
    this.st = {
      insert: db.prepare(`INSERT INTO tickets (external_ref, customer_name, contact, device_serial, device_model, procedure, notes, status, created_at, updated_at)
        VALUES (@externalRef, @customerName, @contact, @deviceSerial, @deviceModel, @procedure, @notes, 'open', @now, @now) RETURNING *`),
      get: db.prepare('SELECT * FROM tickets WHERE id = ?'),
      setStatus: db.prepare('UPDATE tickets SET status = ?, updated_at = ? WHERE id = ? RETURNING *'),
      counts: db.prepare('SELECT status, count(*) AS n FROM tickets GROUP BY status'),
    }
  }

  // The *Sync variants exist so a change and its audit entry can share one transaction
  // (App.record); everything else calls the async API.
  createSync(t: NewTicket, now = new Date().toISOString()): Ticket {
    this.countCache = null
    return toTicket(this.st.insert.get({ ...t, now }) as Row)
  }
  async create(t: NewTicket, now?: string): Promise<Ticket> {
    return this.createSync(t, now)
  }

  async get(id: number): Promise<Ticket> {
    return this.getSync(id)
  }

  getSync(id: number): Ticket {
    const r = this.st.get.get(id) as Row | undefined
    if (!r) throw new AppError('NOT_FOUND', `Ticket #${id} does not exist.`)
    return toTicket(r)
  }

  async update(id: number, patch: Partial<NewTicket>, now?: string): Promise<Ticket> {
    return this.updateSync(id, patch, now)
  }
  updateSync(id: number, patch: Partial<NewTicket>, now = new Date().toISOString()): Ticket {
    const keys = Object.keys(patch).filter((k) => k in columns && patch[k as keyof NewTicket] !== undefined)
    if (keys.length === 0) return this.getSync(id)
    const sets = keys.map((k) => `${columns[k]} = @${k}`).join(', ')
    const r = this.db.prepare(`UPDATE tickets SET ${sets}, updated_at = @now WHERE id = @id RETURNING *`).get({ ...patch, id, now }) as Row | undefined
    if (!r) throw new AppError('NOT_FOUND', `Ticket #${id} does not exist.`)
    return toTicket(r)
  }

  async setStatus(id: number, status: TicketStatus, now?: string): Promise<Ticket> {
    return this.setStatusSync(id, status, now)
  }
  setStatusSync(id: number, status: TicketStatus, now = new Date().toISOString()): Ticket {
    this.countCache = null
    const r = this.st.setStatus.get(status, now, id) as Row | undefined
    if (!r) throw new AppError('NOT_FOUND', `Ticket #${id} does not exist.`)
    return toTicket(r)
  }

  /**
   * One page of tickets, newest change first. Two plans, chosen by how many tickets match:
   * a few → read the matches and sort them; many → walk the updated_at index and keep the
   * ones in the match set, which stops after one page instead of sorting 50,000 rows.
   * For large filtered result sets the total is an estimate (`totalExact: false`).
   */
  async list(q: { search: string; status: TicketStatus | 'active' | 'all'; limit: number; offset: number }): Promise<{ items: Ticket[]; total: number; totalExact: boolean }> {
    const params: Record<string, unknown> = { limit: q.limit, offset: q.offset }
    const statusSql = q.status === 'active' ? `t.status IN ('open', 'waiting')` : q.status === 'all' ? '' : 't.status = @status'
    if (q.status !== 'active' && q.status !== 'all') params.status = q.status
    const match = ftsQuery(q.search)
    const page = (sql: string, p: Record<string, unknown>) => (this.db.prepare(sql).all(p) as Row[]).map(toTicket)
    const order = 'ORDER BY t.updated_at DESC, t.id DESC LIMIT @limit OFFSET @offset'

    if (!match) {
      const w = statusSql ? `WHERE ${statusSql}` : ''
      const items = page(`SELECT t.* FROM tickets t INDEXED BY tickets_updated ${w} ${order}`, params)
      const { limit: _l, offset: _o, ...cp } = params
      const total = (this.db.prepare(`SELECT count(*) AS n FROM tickets t ${w}`).get(cp) as { n: number }).n
      return { items, total, totalExact: true }
    }

    params.match = match
    const matches = (this.st.ftsCount ??= this.db.prepare('SELECT count(*) AS n FROM tickets_fts WHERE tickets_fts MATCH ?')).get(match) as { n: number }
    const cond = [statusSql, 't.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH @match)'].filter(Boolean).join(' AND ')
    if (matches.n <= 2000) {
      const items = page(`SELECT t.* FROM tickets t WHERE ${cond} ${order}`, params)
      const { limit: _l, offset: _o, ...cp } = params
      const total = statusSql ? (this.db.prepare(`SELECT count(*) AS n FROM tickets t WHERE ${cond}`).get(cp) as { n: number }).n : matches.n
      return { items, total, totalExact: true }
    }
    const items = page(`SELECT t.* FROM tickets t INDEXED BY tickets_updated WHERE ${cond} ${order}`, params)
    if (!statusSql) return { items, total: matches.n, totalExact: true }
    // Estimate: matches × share of all tickets having the wanted status.
    const counts = await this.counts()
    const all = counts.open + counts.waiting + counts.resolved + counts.closed || 1
    const wanted = q.status === 'active' ? counts.open + counts.waiting : counts[q.status as TicketStatus]
    return { items, total: Math.max(items.length, Math.round((matches.n * wanted) / all)), totalExact: false }
  }

  /**
   * Tickets per status. Cached between writes: counting 100,000 rows costs ~10 ms, and the
   * list asks for it on every keystroke. Only this process writes the database.
   */
  async counts(): Promise<Record<TicketStatus, number>> {
    if (this.countCache) return { ...this.countCache }
    const out: Record<TicketStatus, number> = { open: 0, waiting: 0, resolved: 0, closed: 0 }
    for (const r of this.st.counts.all() as { status: TicketStatus; n: number }[]) out[r.status] = r.n
    this.countCache = out
    return { ...out }
  }
}
