// A Zendesk Support API simulator for tests and benches (127.0.0.1, ephemeral port). It
// follows the published reference (developer.zendesk.com/api-reference) for every field and
// error the console's provider uses:
//  - API token auth: Basic base64("{email}/token:{api_token}"); otherwise 401
//    {"error":"Couldn't authenticate you"}.
//  - GET /api/v2/users/me.json → { user }.
//  - GET /api/v2/tickets/{id}.json[?include=users,organizations] → { ticket, users, organizations }
//    (side-loading); unknown ticket → 404 {"error":"RecordNotFound","description":"Not found"}.
//  - GET /api/v2/tickets/{id}/comments.json: cursor pagination with page[size] (max 100) and
//    page[after]: { comments, meta: { has_more, after_cursor, before_cursor }, links: { next, prev } };
//    without page[size], offset style { comments, next_page, previous_page, count }.
//  - GET /api/v2/attachments/{id}.json → { attachment }; content_url serves the bytes.
//  - POST /api/v2/uploads.json?filename=… (binary body, optional &token= to add to an upload)
//    → 201 { upload: { token, expires_at, attachment, attachments } }; no filename → 400.
//  - PUT /api/v2/tickets/{id}.json { ticket: { comment: { body, public, uploads }, status } }
//    → 200 { ticket, audit: { id, ticket_id, events } }; an unknown upload token or a status other
//    than new/open/pending/hold/solved/closed → 422 RecordInvalid.
//  - GET /api/v2/search.json?query=…&sort_by=updated_at|created_at&sort_order=asc|desc&per_page
//    (max 100)&page&include=tickets(users): offset pagination { results (each with result_type),
//    users (side-loaded), count, next_page, previous_page, facets }. The query terms understood:
//    type:ticket, status:X / status<X / status>X (new<open<pending<hold<solved<closed),
//    assignee:me|none|ID, requester:ID; several terms are ANDed. Anything else → 400 here (the
//    real search would treat it as free text; a test should not silently match nothing).
//  - Rate limits: `limit` requests per `windowMs`; beyond it 429 with Retry-After (seconds) and
//    {"error":"APIRateLimitExceeded","description":"Number of allowed API requests per minute exceeded"};
//    every answer carries X-Rate-Limit and X-Rate-Limit-Remaining.
// Test hooks: fail(status, n) answers the next n API requests with that status (503 with
// Retry-After); dropNextUpdate() applies the next ticket update and then cuts the connection
// without an answer (a lost response: the client cannot know it arrived).
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

interface User { id: number; name: string; email: string; phone: string | null; organization_id: number | null; role: 'end-user' | 'agent' | 'admin'; token?: string }
interface Attachment { id: number; file_name: string; content_type: string; size: number; content_url: string; mapped_content_url: string; inline: boolean; deleted: boolean; bytes: Buffer }
interface Comment { id: number; type: 'Comment'; author_id: number; body: string; html_body: string; plain_body: string; public: boolean; attachments: Attachment[]; audit_id: number; created_at: string }
interface Ticket { id: number; subject: string; description: string; requester_id: number; submitter_id: number; assignee_id: number | null; status: string; created_at: string; updated_at: string; comments: Comment[] }

export interface ZendeskSimOptions { limit?: number; windowMs?: number }

export class ZendeskSim {
  url = ''
  readonly stats = { requests: 0, rateLimited: 0, updates: 0, uploads: 0 }
  private server: Server | null = null
  private seq = 1000
  private users: User[] = []
  private orgs: { id: number; name: string }[] = []
  private tickets = new Map<number, Ticket>()
  private attachments = new Map<number, Attachment>()
  private uploads = new Map<string, { expires: number; attachments: Attachment[] }>()
  private hits: number[] = []
  private failing: { status: number; n: number } | null = null
  private dropUpdate = false
  limit: number
  windowMs: number

  constructor(o: ZendeskSimOptions = {}) {
    this.limit = o.limit ?? 700
    this.windowMs = o.windowMs ?? 60_000
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((e) => this.send(res, 500, { error: 'InternalError', description: String(e) })))
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`
    return this
  }
  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise((r) => this.server?.close(r))
  }

  // ---- set-up hooks (what the helpdesk holds before the console looks)
  addOrganization(name: string): number {
    const id = ++this.seq
    this.orgs.push({ id, name })
    return id
  }
  addUser(u: Omit<User, 'id'>): number {
    const id = ++this.seq
    this.users.push({ ...u, id })
    return id
  }
  addTicket(t: { subject: string; requesterId: number; assigneeId?: number | null; status?: string; comments: { body: string; public?: boolean; authorId?: number; files?: { name: string; mime: string; data: Buffer }[] }[] }): number {
    const id = ++this.seq
    const now = new Date().toISOString()
    const ticket: Ticket = { id, subject: t.subject, description: t.comments[0]?.body ?? '', requester_id: t.requesterId, submitter_id: t.requesterId, assignee_id: t.assigneeId ?? null, status: t.status ?? 'open', created_at: now, updated_at: now, comments: [] }
    this.tickets.set(id, ticket)
    for (const c of t.comments) this.addComment(ticket, c.authorId ?? t.requesterId, c.body, c.public ?? true, (c.files ?? []).map((f) => this.storeAttachment(f.name, f.mime, f.data)))
    return id
  }
  ticketStatus(ticketId: number): string | undefined {
    return this.tickets.get(ticketId)?.status
  }
  comments(ticketId: number): Comment[] {
    return this.tickets.get(ticketId)?.comments ?? []
  }
  fail(status: number, n = 1): void {
    this.failing = { status, n }
  }
  dropNextUpdate(): void {
    this.dropUpdate = true
  }

  private addComment(t: Ticket, authorId: number, body: string, pub: boolean, atts: Attachment[]): Comment {
    const c: Comment = { id: ++this.seq, type: 'Comment', author_id: authorId, body, html_body: `<div class="zd-comment"><p>${body.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p></div>`, plain_body: body, public: pub, attachments: atts, audit_id: ++this.seq, created_at: new Date().toISOString() }
    t.comments.push(c)
    t.updated_at = c.created_at
    return c
  }
  private storeAttachment(name: string, mime: string, bytes: Buffer): Attachment {
    const id = ++this.seq
    const tok = randomBytes(12).toString('hex')
    const a: Attachment = { id, file_name: name, content_type: mime, size: bytes.length, content_url: `${this.url}/attachments/token/${tok}/?name=${encodeURIComponent(name)}`, mapped_content_url: `${this.url}/attachments/token/${tok}/?name=${encodeURIComponent(name)}`, inline: false, deleted: false, bytes }
    this.attachments.set(id, a)
    return a
  }
  private agent(req: IncomingMessage): User | null {
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '')
    if (!m) return null
    const [who, secret] = Buffer.from(m[1], 'base64').toString('utf8').split(/:(.*)/s)
    const email = /^(.+)\/token$/.exec(who ?? '')?.[1]
    const u = this.users.find((x) => x.email === email && x.role !== 'end-user')
    return u?.token && secret && createHash('sha256').update(secret).digest().equals(createHash('sha256').update(u.token).digest()) ? u : null
  }
  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const data = Buffer.from(JSON.stringify(body))
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(data.length), ...headers })
    res.end(data)
  }
  private json = (a: Attachment) => {
    const { bytes: _b, ...rest } = a
    return rest
  }
  private commentJson = (c: Comment) => ({ ...c, attachments: c.attachments.map(this.json) })
  private ticketJson = (t: Ticket) => {
    const { comments: _c, ...rest } = t
    return { ...rest, url: `${this.url}/api/v2/tickets/${t.id}.json` }
  }

  private search(res: ServerResponse, u: URL, me: User, rl: Record<string, string>): void {
    const bad = (d: string) => this.send(res, 400, { error: 'InvalidSearch', description: d }, rl)
    const per = Number(u.searchParams.get('per_page') ?? 100)
    const page = Number(u.searchParams.get('page') ?? 1)
    if (!Number.isInteger(per) || per < 1 || per > 100 || !Number.isInteger(page) || page < 1) return bad('per_page must be 1-100 and page ≥ 1')
    if (page * per > 1000) return this.send(res, 422, { error: 'InsufficientResourceError', description: 'Results are limited to 1000' }, rl)
    const tests: ((t: Ticket) => boolean)[] = []
    for (const term of (u.searchParams.get('query') ?? '').split(/\s+/).filter(Boolean)) {
      const m = /^(type|status|assignee|requester)(:|<|>)(.+)$/.exec(term)
      if (!m) return bad(`The simulator does not understand "${term}"`)
      const [, key, op, v] = m
      if (key === 'type') {
        if (v !== 'ticket' || op !== ':') return bad(`type${op}${v}: only type:ticket is simulated`)
      } else if (key === 'status') {
        const i = STATUS_ORDER.indexOf(v)
        if (i < 0) return bad(`Unknown status ${v}`)
        tests.push((t) => (op === ':' ? t.status === v : op === '<' ? STATUS_ORDER.indexOf(t.status) < i : STATUS_ORDER.indexOf(t.status) > i))
      } else {
        const want = v === 'me' ? me.id : v === 'none' ? null : Number(v)
        if (op !== ':' || Number.isNaN(want)) return bad(`${term}: use ${key}:me, ${key}:none or an id`)
        tests.push((t) => (key === 'assignee' ? t.assignee_id : t.requester_id) === want)
      }
    }
    const by = u.searchParams.get('sort_by') ?? 'updated_at'
    if (by !== 'updated_at' && by !== 'created_at') return bad('sort_by: only updated_at and created_at are simulated')
    const dir = u.searchParams.get('sort_order') === 'asc' ? 1 : -1
    const all = [...this.tickets.values()].filter((t) => tests.every((f) => f(t))).sort((a, b) => dir * a[by].localeCompare(b[by]) || dir * (a.id - b.id))
    const slice = all.slice((page - 1) * per, page * per)
    const out: Record<string, unknown> = {
      results: slice.map((t) => ({ ...this.ticketJson(t), result_type: 'ticket' })),
      facets: null,
      count: all.length,
      next_page: page * per < all.length ? `${this.url}/api/v2/search.json?${new URLSearchParams({ ...Object.fromEntries(u.searchParams), page: String(page + 1) })}` : null,
      previous_page: page > 1 ? `${this.url}/api/v2/search.json?${new URLSearchParams({ ...Object.fromEntries(u.searchParams), page: String(page - 1) })}` : null,
    }
    if ((u.searchParams.get('include') ?? '').split(',').includes('tickets(users)')) {
      const ids = new Set(slice.flatMap((t) => [t.requester_id, t.submitter_id, t.assignee_id]))
      out.users = this.users.filter((x) => ids.has(x.id)).map(({ token: _t, ...x }) => x)
    }
    this.send(res, 200, out, rl)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', this.url)
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks)
    // The bytes behind content_url (on the account's host; the real one redirects to a CDN).
    const file = /^\/attachments\/token\/([0-9a-f]+)\/$/.exec(u.pathname)
    if (file && req.method === 'GET') {
      const a = [...this.attachments.values()].find((x) => x.content_url.includes(`/token/${file[1]}/`))
      if (!a) return this.send(res, 404, { error: 'RecordNotFound', description: 'Not found' })
      res.writeHead(200, { 'Content-Type': a.content_type, 'Content-Length': String(a.size) })
      return void res.end(a.bytes)
    }
    this.stats.requests++
    const now = Date.now()
    this.hits = this.hits.filter((t) => t > now - this.windowMs)
    const rl = { 'X-Rate-Limit': String(this.limit), 'X-Rate-Limit-Remaining': String(Math.max(0, this.limit - this.hits.length - 1)) }
    if (this.hits.length >= this.limit) {
      this.stats.rateLimited++
      const retry = Math.max(1, Math.ceil((this.hits[0] + this.windowMs - now) / 1000))
      return this.send(res, 429, { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' }, { ...rl, 'Retry-After': String(retry), 'X-Rate-Limit-Remaining': '0' })
    }
    this.hits.push(now)
    if (this.failing && this.failing.n > 0) {
      this.failing.n--
      const s = this.failing.status
      return this.send(res, s, { error: 'ServiceUnavailable', description: 'Temporarily unavailable' }, s === 503 ? { ...rl, 'Retry-After': '1' } : rl)
    }
    const me = this.agent(req)
    if (!me) return this.send(res, 401, { error: "Couldn't authenticate you" }, rl)
    const notFound = () => this.send(res, 404, { error: 'RecordNotFound', description: 'Not found' }, rl)
    const p = u.pathname

    if (req.method === 'GET' && p === '/api/v2/users/me.json') return this.send(res, 200, { user: { id: me.id, name: me.name, email: me.email, role: me.role } }, rl)
    let m = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(p)
    if (m && req.method === 'GET') {
      const t = this.tickets.get(Number(m[1]))
      if (!t) return notFound()
      const include = (u.searchParams.get('include') ?? '').split(',')
      const ids = new Set([t.requester_id, t.submitter_id, ...t.comments.map((c) => c.author_id)])
      const users = this.users.filter((x) => ids.has(x.id)).map(({ token: _t, ...x }) => x)
      const out: Record<string, unknown> = { ticket: this.ticketJson(t) }
      if (include.includes('users')) out.users = users
      if (include.includes('organizations')) out.organizations = this.orgs.filter((o) => users.some((x) => x.organization_id === o.id))
      return this.send(res, 200, out, rl)
    }
    if (m && req.method === 'PUT') {
      const t = this.tickets.get(Number(m[1]))
      if (!t) return notFound()
      let payload: { ticket?: { comment?: { body?: string; public?: boolean; uploads?: string[] }; status?: string } }
      try {
        payload = JSON.parse(body.toString('utf8'))
      } catch {
        return this.send(res, 400, { error: 'InvalidEndpoint', description: 'Invalid JSON' }, rl)
      }
      const st = payload.ticket?.status
      if (st !== undefined && !['new', 'open', 'pending', 'hold', 'solved', 'closed'].includes(st)) return this.send(res, 422, { error: 'RecordInvalid', description: 'Record validation errors', details: { status: [{ description: `Status: ${st} is not valid` }] } }, rl)
      const c = payload.ticket?.comment
      const atts: Attachment[] = []
      for (const tok of c?.uploads ?? []) {
        const up = this.uploads.get(tok)
        if (!up || up.expires < now) return this.send(res, 422, { error: 'RecordInvalid', description: 'Record validation errors', details: { base: [{ description: `Upload token ${tok} is invalid or expired` }] } }, rl)
        atts.push(...up.attachments)
      }
      const events: unknown[] = []
      if (c?.body) {
        for (const tok of c.uploads ?? []) this.uploads.delete(tok)
        const cm = this.addComment(t, me.id, c.body, c.public !== false, atts)
        events.push({ id: cm.id, type: 'Comment', body: cm.body, public: cm.public, attachments: atts.map(this.json) })
      }
      if (payload.ticket?.status !== undefined) {
        t.status = payload.ticket.status
        t.updated_at = new Date().toISOString()
      }
      this.stats.updates++
      if (this.dropUpdate) {
        this.dropUpdate = false
        return void req.socket.destroy() // applied, but the answer is lost
      }
      return this.send(res, 200, { ticket: this.ticketJson(t), audit: { id: ++this.seq, ticket_id: t.id, created_at: new Date().toISOString(), author_id: me.id, events } }, rl)
    }
    m = /^\/api\/v2\/tickets\/(\d+)\/comments\.json$/.exec(p)
    if (m && req.method === 'GET') {
      const t = this.tickets.get(Number(m[1]))
      if (!t) return notFound()
      const all = t.comments.map(this.commentJson)
      const size = u.searchParams.get('page[size]')
      if (size === null) return this.send(res, 200, { comments: all.slice(0, 100), next_page: null, previous_page: null, count: all.length }, rl)
      const n = Number(size)
      if (!Number.isInteger(n) || n < 1 || n > 100) return this.send(res, 400, { error: 'InvalidPaginationParameter', description: 'page[size] must be between 1 and 100' }, rl)
      const after = u.searchParams.get('page[after]')
      const start = after ? all.findIndex((c) => String(c.id) === Buffer.from(after, 'base64url').toString()) + 1 : 0
      if (after && start === 0) return this.send(res, 400, { error: 'InvalidPaginationParameter', description: 'Invalid cursor' }, rl)
      const page = all.slice(start, start + n)
      const cur = (c: { id: number } | undefined) => (c ? Buffer.from(String(c.id)).toString('base64url') : null)
      const hasMore = start + n < all.length
      const base = `${this.url}/api/v2/tickets/${t.id}/comments.json?page[size]=${n}`
      return this.send(res, 200, {
        comments: page,
        meta: { has_more: hasMore, after_cursor: cur(page[page.length - 1]), before_cursor: cur(page[0]) },
        links: { next: hasMore ? `${base}&page[after]=${cur(page[page.length - 1])}` : null, prev: start > 0 ? `${base}&page[before]=${cur(page[0])}` : null },
      }, rl)
    }
    if (p === '/api/v2/search.json' && req.method === 'GET') return this.search(res, u, me, rl)
    m = /^\/api\/v2\/attachments\/(\d+)\.json$/.exec(p)
    if (m && req.method === 'GET') {
      const a = this.attachments.get(Number(m[1]))
      return a ? this.send(res, 200, { attachment: this.json(a) }, rl) : notFound()
    }
    if (p === '/api/v2/uploads.json' && req.method === 'POST') {
      const name = u.searchParams.get('filename')
      if (!name) return this.send(res, 400, { error: 'InvalidParameter', description: 'filename is required' }, rl)
      const a = this.storeAttachment(name, (req.headers['content-type'] ?? '') === 'application/binary' ? guessMime(name) : String(req.headers['content-type']), body)
      const existing = u.searchParams.get('token')
      const tok = existing && this.uploads.has(existing) ? existing : randomBytes(12).toString('hex')
      const up = this.uploads.get(tok) ?? { expires: now + 60 * 60_000, attachments: [] }
      up.attachments.push(a)
      this.uploads.set(tok, up)
      this.stats.uploads++
      return this.send(res, 201, { upload: { token: tok, expires_at: new Date(up.expires).toISOString(), attachment: this.json(a), attachments: up.attachments.map(this.json) } }, rl)
    }
    return this.send(res, 404, { error: 'InvalidEndpoint', description: 'Not found' }, rl)
  }
}

const STATUS_ORDER = ['new', 'open', 'pending', 'hold', 'solved', 'closed']
const guessMime = (name: string) =>
  /\.pdf$/i.test(name) ? 'application/pdf' : /\.json$/i.test(name) ? 'application/json' : /\.jpe?g$/i.test(name) ? 'image/jpeg' : /\.png$/i.test(name) ? 'image/png' : 'application/octet-stream'
