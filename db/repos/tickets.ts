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
    .replace(/["*^:(){}[\]]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 12)
  return words.map((w) => `"${w}"*`).join(' ')
}

export class TicketsRepo {
  private readonly st: Record<string, Statement>
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
    const r = this.st.setStatus.get(status, now, id) as Row | undefined
    if (!r) throw new AppError('NOT_FOUND', `Ticket #${id} does not exist.`)
    return toTicket(r)
  }

  async list(q: { search: string; status: TicketStatus | 'active' | 'all'; limit: number; offset: number }): Promise<{ items: Ticket[]; total: number }> {
    const where: string[] = []
    const params: Record<string, unknown> = { limit: q.limit, offset: q.offset }
    if (q.status === 'active') where.push(`t.status IN ('open', 'waiting')`)
    else if (q.status !== 'all') {
      where.push('t.status = @status')
      params.status = q.status
    }
    const match = ftsQuery(q.search)
    let from = 'tickets t'
    if (match) {
      from = 'tickets_fts f JOIN tickets t ON t.id = f.rowid'
      where.push('tickets_fts MATCH @match')
      params.match = match
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : ''
    const items = (this.db.prepare(`SELECT t.* FROM ${from} ${w} ORDER BY t.updated_at DESC, t.id DESC LIMIT @limit OFFSET @offset`).all(params) as Row[]).map(toTicket)
    const { limit: _l, offset: _o, ...countParams } = params
    const total = items.length < q.limit && q.offset === 0
      ? items.length
      : (this.db.prepare(`SELECT count(*) AS n FROM ${from} ${w}`).get(countParams) as { n: number }).n
    return { items, total }
  }

  async counts(): Promise<Record<TicketStatus, number>> {
    const out: Record<TicketStatus, number> = { open: 0, waiting: 0, resolved: 0, closed: 0 }
    for (const r of this.st.counts.all() as { status: TicketStatus; n: number }[]) out[r.status] = r.n
    return out
  }
}
