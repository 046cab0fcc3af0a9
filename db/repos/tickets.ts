import type { Database, Statement } from 'better-sqlite3'
import { AppError } from '../../shared/contract/common'
import { reading, txScope, writing } from './tx-scope'
import type { CustomerLang, Ticket, TicketEdit, TicketField, TicketStatus } from '../../shared/contract/tickets'
import type { RowOf } from '../row-of'

/** A tickets row. customer_lang: migration 22; absent on an older database (migration tests). */
type Row = RowOf<Ticket, { customer_lang?: Ticket['customerLang'] }>

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
  customerLang: r.customer_lang ?? null,
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

export type NewTicket = Omit<Ticket, 'id' | 'status' | 'customerLang' | 'createdAt' | 'updatedAt'>

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

/** What the identifier index stores of a value: no separators (see migration 18). */
export const compactIdentifier = (s: string): string => s.replace(/[-:. +()/]/g, '')

/**
 * The search, word by word: each word matches as a word prefix (names, notes, any field),
 * or, from three characters on, as a substring of an identifier (serial, MAC, helpdesk ID,
 * phone, e-mail), so "5383", "0559-5383" and "BHEKX" find their ticket. Every word must
 * match. A word of letters only is looked up as a piece of an identifier only when no word
 * starts with it ("bhekx", not "novak"): unioning the 30,000 "novak"s with their substring
 * matches would cost more than the 30 ms a search may take, and names are words anyway.
 * `hasWord` answers whether any word starts with a (cleaned) word. Returns one SQL select of
 * matching ticket ids and its parameters, or null when nothing searchable was typed.
 */
export interface SearchPlan {
  /** A select of the matching ticket ids. */
  sql: string
  /** The same as a condition on `t.id` (cheap per row: each IN set is built once). */
  cond: string
  /** How many tickets match, counted without building the union where it can be avoided. */
  countSql: string
  params: Record<string, string>
}

export function searchPlan(input: string, hasWord: (fts: string) => boolean = () => false, o: { pieces?: boolean } = {}): SearchPlan | null {
  const params: Record<string, string> = {}
  const plain: string[] = []
  const parts: { word?: string; ids?: string }[] = []
  const wordSet = (name: string) => `SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH @${name}`
  // Split on what the agent typed, not on the FTS-cleaned text: "9c:0d:ef" is one piece of a
  // MAC here, while the word index sees three words in it.
  for (const [i, raw] of input.split(/\s+/).filter(Boolean).slice(0, 12).entries()) {
    const words = ftsQuery(raw)
    // eslint-disable-next-line no-control-regex -- quotes and control characters would end the FTS5 string early
    const sub = compactIdentifier(raw.replace(/["\u0000-\u001f\u007f]/g, ''))
    const piece = (o.pieces ?? true) && [...sub].length >= 3 && (!/^\p{L}+$/u.test(raw) || !hasWord(words))
    if (!piece) {
      if (words) plain.push(words)
      continue
    }
    params[`g${i}`] = `"${sub}"`
    const ids = `SELECT rowid FROM ticket_ids_fts WHERE ticket_ids_fts MATCH @g${i}`
    if (words) params[`w${i}`] = words
    parts.push(words ? { word: wordSet(`w${i}`), ids } : { ids })
  }
  if (plain.length) {
    params.w = plain.join(' ')
    parts.unshift({ word: wordSet('w') })
  }
  if (!parts.length) return null
  const asSet = (p: { word?: string; ids?: string }) => (p.word && p.ids ? `SELECT rowid FROM (${p.word} UNION ${p.ids})` : (p.word ?? p.ids)!)
  const asCond = (p: { word?: string; ids?: string }) => (p.word && p.ids ? `(t.id IN (${p.word}) OR t.id IN (${p.ids}))` : `t.id IN (${(p.word ?? p.ids)!})`)
  const sql = parts.map(asSet).join(' INTERSECT ')
  const one = parts.length === 1 ? parts[0] : null
  // One word (the usual search): the word matches plus the identifier matches not among them,
  // so 30,000 "my2n" matches are counted by FTS5 alone, not deduplicated against a handful.
  const countSql = !one ? `SELECT count(*) FROM (${sql})`
    : one.word && one.ids ? `SELECT (SELECT count(*) FROM (${one.word})) + (SELECT count(*) FROM (${one.ids}) WHERE rowid NOT IN (${one.word}))`
      : `SELECT count(*) FROM (${(one.word ?? one.ids)!})`
  return { sql, cond: parts.map(asCond).join(' AND '), countSql, params }
}

/**
 * The tickets' statements that run inside a transaction (a change and its audit entry:
 * App.record), reached only through `TicketsRepo.tx()`; everything else awaits the repository.
 */
export class TicketsTx {
  /** Tickets per status, kept between writes (see TicketsRepo.counts); every write drops it. */
  countCache: Record<TicketStatus, number> | null = null
  private readonly st: Record<string, Statement> & { editIns?: Statement; hasWord?: Statement }
  constructor(private readonly db: Database) {
    this.st = {
      insert: db.prepare(`INSERT INTO tickets (external_ref, customer_name, contact, device_serial, device_model, procedure, notes, status, created_at, updated_at)
        VALUES (@externalRef, @customerName, @contact, @deviceSerial, @deviceModel, @procedure, @notes, 'open', @now, @now) RETURNING *`),
      get: db.prepare('SELECT * FROM tickets WHERE id = ?'),
      setStatus: db.prepare('UPDATE tickets SET status = ?, updated_at = ? WHERE id = ? RETURNING *'),
    }
  }

  create(t: NewTicket, now = new Date().toISOString()): Ticket {
    this.countCache = null
    return toTicket(this.st.insert.get({ ...t, now }) as Row)
  }

  get(id: number): Ticket {
    const r = this.st.get.get(id) as Row | undefined
    if (!r) throw new AppError('NOT_FOUND', `Ticket #${id} does not exist.`, { key: 'tickets.noSuch', values: { id } })
    return toTicket(r)
  }

  update(id: number, patch: Partial<NewTicket>, now = new Date().toISOString()): Ticket {
    const keys = Object.keys(patch).filter((k) => k in columns && patch[k as keyof NewTicket] !== undefined)
    if (keys.length === 0) return this.get(id)
    const sets = keys.map((k) => `${columns[k]} = @${k}`).join(', ')
    const r = this.db.prepare(`UPDATE tickets SET ${sets}, updated_at = @now WHERE id = @id RETURNING *`).get({ ...patch, id, now }) as Row | undefined
    if (!r) throw new AppError('NOT_FOUND', `Ticket #${id} does not exist.`, { key: 'tickets.noSuch', values: { id } })
    return toTicket(r)
  }

  /** The fields of `patch` whose value differs from the ticket's, with both values. */
  changes(id: number, patch: Partial<NewTicket>): { field: TicketField; from: string; to: string }[] {
    const t = this.get(id)
    return (Object.keys(columns) as TicketField[])
      .filter((k) => patch[k] !== undefined && patch[k] !== t[k])
      .map((k) => ({ field: k, from: t[k], to: patch[k] as string }))
  }

  /** Keeps the values an edit changed beside its audit entry (migration 19). */
  recordEdits(id: number, auditSeq: number, at: string, changes: { field: TicketField; from: string; to: string }[]): void {
    const ins = (this.st.editIns ??= this.db.prepare('INSERT INTO ticket_edits (ticket_id, audit_seq, at, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?)'))
    for (const c of changes) ins.run(id, auditSeq, at, c.field, c.from, c.to)
  }

  setStatus(id: number, status: TicketStatus, now = new Date().toISOString()): Ticket {
    this.countCache = null
    const r = this.st.setStatus.get(status, now, id) as Row | undefined
    if (!r) throw new AppError('NOT_FOUND', `Ticket #${id} does not exist.`, { key: 'tickets.noSuch', values: { id } })
    return toTicket(r)
  }

  /** The language of messages to the customer (migration 22); null: the default. Not an edit of the ticket's details: updated_at stays. */
  setCustomerLang(id: number, lang: CustomerLang | null): Ticket {
    const r = this.db.prepare('UPDATE tickets SET customer_lang = ? WHERE id = ? RETURNING *').get(lang, id) as Row | undefined
    if (!r) throw new AppError('NOT_FOUND', `Ticket #${id} does not exist.`, { key: 'tickets.noSuch', values: { id } })
    return toTicket(r)
  }

  /**
   * Whether a word of the index starts with `fts` (one `"word"*` of ftsQuery), looked up in
   * the vocabulary (migration 18), normalised as the unicode61 tokenizer does. Synchronous:
   * searchPlan asks it while building the query (the list, and the search benchmark's anchor).
   */
  hasWord(fts: string): boolean {
    const w = fts.replace(/^"|"\*$/g, '').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')
    if (!w) return false
    this.st.hasWord ??= this.db.prepare("SELECT 1 FROM tickets_fts_vocab WHERE term >= ? AND term < ? || char(1114111) LIMIT 1")
    return !!this.st.hasWord.get(w, w)
  }
}

export class TicketsRepo {
  private readonly st: { counts: Statement }
  private readonly view: TicketsTx
  private pieces: boolean | undefined
  constructor(private readonly db: Database) {
    this.view = new TicketsTx(db)
    this.st = { counts: db.prepare('SELECT status, count(*) AS n FROM tickets GROUP BY status') }
  }

  /**
   * The synchronous operations, for a change and its audit entry in one transaction
   * (App.record, db.transaction); throws outside a transaction. Everything else awaits the
   * methods below, which run the same operations in a transaction of their own.
   */
  tx(): TicketsTx {
    return txScope(this.db, this.view, 'tickets')
  }

  async create(t: NewTicket, now?: string): Promise<Ticket> {
    return writing(this.db, () => this.tx().create(t, now))
  }

  async get(id: number): Promise<Ticket> {
    return reading(this.db, () => this.tx().get(id))
  }

  async update(id: number, patch: Partial<NewTicket>, now?: string): Promise<Ticket> {
    return writing(this.db, () => this.tx().update(id, patch, now))
  }

  async edits(id: number, limit = 500): Promise<TicketEdit[]> {
    const rows = this.db.prepare('SELECT audit_seq, at, field, old_value, new_value FROM ticket_edits WHERE ticket_id = ? ORDER BY audit_seq DESC, id LIMIT ?').all(id, limit) as { audit_seq: number; at: string; field: TicketField; old_value: string; new_value: string }[]
    return rows.map((r) => ({ auditSeq: r.audit_seq, at: r.at, field: r.field, from: r.old_value, to: r.new_value }))
  }

  async setStatus(id: number, status: TicketStatus, now?: string): Promise<Ticket> {
    return writing(this.db, () => this.tx().setStatus(id, status, now))
  }

  async setCustomerLang(id: number, lang: CustomerLang | null): Promise<Ticket> {
    return writing(this.db, () => this.tx().setCustomerLang(id, lang))
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
    // A database older than migration 18 (migration tests use this repository on one) has
    // only the word index.
    this.pieces ??= !!this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ticket_ids_fts'").get()
    // The view's own statement: list runs it as it always did, without a transaction of its own.
    const plan = searchPlan(q.search, (w) => this.view.hasWord(w), { pieces: this.pieces })
    const page = (sql: string, p: Record<string, unknown>) => (this.db.prepare(sql).all(p) as Row[]).map(toTicket)
    const order = 'ORDER BY t.updated_at DESC, t.id DESC LIMIT @limit OFFSET @offset'

    if (!plan) {
      const w = statusSql ? `WHERE ${statusSql}` : ''
      const items = page(`SELECT t.* FROM tickets t INDEXED BY tickets_updated ${w} ${order}`, params)
      const { limit: _l, offset: _o, ...cp } = params
      const total = (this.db.prepare(`SELECT count(*) AS n FROM tickets t ${w}`).get(cp) as { n: number }).n
      return { items, total, totalExact: true }
    }

    Object.assign(params, plan.params)
    const matches = { n: this.db.prepare(plan.countSql).pluck().get(plan.params) as number }
    if (matches.n <= 2000) {
      // Few matches: read them by id from the match set. CROSS JOIN keeps that order: with a
      // status filter SQLite would otherwise walk the 20,000 active tickets and probe the set.
      const few = `(SELECT rowid AS mid FROM (${plan.sql})) AS m CROSS JOIN tickets t ON t.id = m.mid${statusSql ? ` WHERE ${statusSql}` : ''}`
      const items = page(`SELECT t.* FROM ${few} ${order}`, params)
      const { limit: _l, offset: _o, ...cp } = params
      const total = statusSql ? (this.db.prepare(`SELECT count(*) AS n FROM ${few}`).get(cp) as { n: number }).n : matches.n
      return { items, total, totalExact: true }
    }
    // Many: walk the updated_at index and test each row against the sets (built once).
    const cond = [statusSql, plan.cond].filter(Boolean).join(' AND ')
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
    if (this.view.countCache) return { ...this.view.countCache }
    const out: Record<TicketStatus, number> = { open: 0, waiting: 0, resolved: 0, closed: 0 }
    for (const r of this.st.counts.all() as { status: TicketStatus; n: number }[]) out[r.status] = r.n
    this.view.countCache = out
    return { ...out }
  }
}
