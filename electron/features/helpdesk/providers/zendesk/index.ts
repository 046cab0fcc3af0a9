// Zendesk Support API (v2), as published:
//  - Auth: API token as HTTP Basic "{email}/token:{api_token}".
//  - GET /api/v2/tickets/{id}.json?include=users,organizations: the ticket with its requester
//    side-loaded (users[], organizations[]).
//  - GET /api/v2/tickets/{id}/comments.json?page[size]=100: cursor pagination (meta.has_more,
//    meta.after_cursor); attachments sit on the comments. The next page is requested with
//    page[after] on the configured base URL, never by following links.next.
//  - GET /api/v2/attachments/{id}.json then its content_url, only on the configured host.
//  - Sending: POST /api/v2/uploads.json?filename=… (binary body) → upload.token, then
//    PUT /api/v2/tickets/{id}.json { ticket: { comment: { body, public, uploads: [tokens] } } };
//    public:false is an internal note. Comments cannot carry an idempotency key, so the key
//    marker goes into the body and findSent() reads the comments for it.
//  - Pick list: GET /api/v2/search.json?query=type:ticket status<solved assignee:me (and
//    assignee:none) &sort_by=updated_at&sort_order=desc&per_page=N&include=tickets(users):
//    offset pagination, one page only; requesters side-loaded.
//  - 429 (and 503) carry Retry-After in seconds: the outbox waits that long.
import type { HelpdeskProvider, OpenTicket, ProviderConfig, RemoteAttachment, RemoteTicket, SendItem } from '../../provider'
import { addressOn, HelpdeskError, marker, OPEN_LIST_MAX } from '../../provider'
import { json, request } from '../../http'

interface ZUser {
  id: number
  name: string
  email: string | null
  phone: string | null
  organization_id: number | null
}
interface ZAttachment {
  id: number
  file_name: string
  content_type: string
  size: number
  content_url: string
}
interface ZComment {
  id: number
  body: string
  public: boolean
  attachments: ZAttachment[]
}

export function zendeskProvider(cfg: ProviderConfig): HelpdeskProvider {
  const base = cfg.baseUrl.replace(/\/+$/, '')
  const origin = new URL(base).origin
  const auth = `Basic ${Buffer.from(`${cfg.user}/token:${cfg.token}`).toString('base64')}`
  const label = 'Zendesk'
  const call = async (url: string, init: { method?: string; body?: string | Buffer; type?: string } = {}) =>
    request(label, url, { method: init.method, headers: { Authorization: auth, Accept: 'application/json', ...(init.type ? { 'Content-Type': init.type } : {}) }, body: init.body, timeoutMs: 60_000 })
  const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> =>
    json<T>((await call(`${base}/api/v2/${path}`, { method: init.method, body: init.body === undefined ? undefined : JSON.stringify(init.body), type: init.body === undefined ? undefined : 'application/json' })).body)
  const ticketId = (id: string) => {
    if (!/^\d{1,15}$/.test(id)) throw new HelpdeskError(`"${id}" is not a Zendesk ticket number.`, 400)
    return id
  }

  async function* comments(id: string): AsyncGenerator<ZComment> {
    let after: string | null = null
    for (let i = 0; i < 100; i++) {
      const page: { comments: ZComment[]; meta: { has_more: boolean; after_cursor: string | null } } = await api(
        `tickets/${ticketId(id)}/comments.json?page[size]=100${after ? `&page[after]=${encodeURIComponent(after)}` : ''}`,
      )
      yield* page.comments
      if (!page.meta?.has_more || !page.meta.after_cursor) return
      after = page.meta.after_cursor
    }
  }

  return {
    id: 'zendesk',
    label,
    parseRef(ref) {
      const s = ref.trim()
      const n = s.match(/^#?\s*(\d{1,15})$/)
      if (n) return n[1]
      const u = addressOn(origin, s)
      if (!u) return null
      return u.pathname.match(/\/tickets\/(\d{1,15})/)?.[1] ?? null
    },
    webUrl: (id) => `${base}/agent/tickets/${encodeURIComponent(id)}`,
    async check() {
      const r = await api<{ user: { id: number; email: string; role: string } }>('users/me.json')
      // An anonymous "me" (id null) means the credentials were not taken.
      if (!r.user?.id) throw new HelpdeskError('Zendesk did not accept the e-mail and API token (signed in as anonymous).', 401)
      return r.user.email
    },
    async getTicket(id): Promise<RemoteTicket> {
      const r = await api<{ ticket: { id: number; subject: string | null; requester_id: number }; users?: ZUser[]; organizations?: { id: number; name: string }[] }>(
        `tickets/${ticketId(id)}.json?include=users,organizations`,
      )
      const u = r.users?.find((x) => x.id === r.ticket.requester_id)
      const org = u?.organization_id != null ? r.organizations?.find((o) => o.id === u.organization_id) : undefined
      const attachments: RemoteAttachment[] = []
      for await (const c of comments(id)) for (const a of c.attachments ?? []) attachments.push({ remoteId: String(a.id), fileName: a.file_name, mime: a.content_type, size: a.size })
      return {
        id: String(r.ticket.id),
        subject: r.ticket.subject ?? '',
        requester: { name: u?.name ?? '', email: u?.email ?? '', phone: u?.phone ?? '', organization: org?.name ?? '' },
        attachments,
      }
    },
    async listOpen(limit): Promise<OpenTicket[]> {
      // The agent's own and the unassigned tickets, as RT's "mine or nobody's". Two searches
      // because Zendesk ANDs different terms; each is one page, merged newest update first.
      // Solved and closed are left out (status<solved keeps new, open, pending, hold).
      const n = Math.max(1, Math.min(OPEN_LIST_MAX, Math.floor(limit)))
      type R = { results: { result_type: string; id: number; subject: string | null; status: string; updated_at: string; requester_id: number }[]; users?: { id: number; name: string; email: string | null }[] }
      const pages = await Promise.all(
        ['assignee:me', 'assignee:none'].map((who) =>
          api<R>(`search.json?query=${encodeURIComponent(`type:ticket status<solved ${who}`)}&sort_by=updated_at&sort_order=desc&per_page=${n}&include=${encodeURIComponent('tickets(users)')}`),
        ),
      )
      const users = new Map(pages.flatMap((p) => p.users ?? []).map((u) => [u.id, u]))
      const seen = new Set<number>()
      return pages
        .flatMap((p) => p.results ?? [])
        .filter((t) => t.result_type === 'ticket' && !seen.has(t.id) && seen.add(t.id))
        .sort((a, b) => b.updated_at.localeCompare(a.updated_at))
        .slice(0, n)
        .map((t) => ({ id: String(t.id), subject: t.subject ?? '', status: t.status, updatedAt: t.updated_at, requesterName: users.get(t.requester_id)?.name || users.get(t.requester_id)?.email || '' }))
    },
    async download(remoteTicketId, attachmentId) {
      // The attachment must be on this ticket: look it up in the ticket's comments.
      let found: ZAttachment | undefined
      for await (const c of comments(remoteTicketId)) if ((found = c.attachments?.find((a) => String(a.id) === attachmentId))) break
      if (!found) throw new HelpdeskError(`Attachment ${attachmentId} is not on Zendesk ticket #${remoteTicketId}.`, 404)
      const { attachment } = await api<{ attachment: ZAttachment }>(`attachments/${encodeURIComponent(attachmentId)}.json`)
      const url = new URL(attachment.content_url)
      if (url.origin !== origin) throw new HelpdeskError(`Zendesk offered attachment ${attachmentId} from ${url.origin}, not from ${origin}; it was not fetched.`, 502)
      return (await call(url.href)).body
    },
    async findSent(remoteTicketId, key) {
      const m = marker(key)
      for await (const c of comments(remoteTicketId)) if (c.body?.includes(m)) return `comment/${c.id}`
      return null
    },
    async setStatus(remoteTicketId, status) {
      const r = await api<{ audit?: { id: number } }>(`tickets/${ticketId(remoteTicketId)}.json`, { method: 'PUT', body: { ticket: { status: { open: 'open', waiting: 'pending', solved: 'solved' }[status] } } })
      return r.audit?.id ? `audit/${r.audit.id}` : 'audit/?'
    },
    async send(remoteTicketId, item: SendItem) {
      const uploads: string[] = []
      for (const f of item.files) {
        const r = json<{ upload: { token: string } }>((await call(`${base}/api/v2/uploads.json?filename=${encodeURIComponent(f.name)}`, { method: 'POST', body: f.content, type: 'application/binary' })).body)
        uploads.push(r.upload.token)
      }
      const r = await api<{ audit?: { id: number } }>(`tickets/${ticketId(remoteTicketId)}.json`, {
        method: 'PUT',
        body: { ticket: { comment: { body: `${item.subject}\n\n${item.body}\n\n${marker(item.key)}`, public: item.kind === 'reply', uploads } } },
      })
      return r.audit?.id ? `audit/${r.audit.id}` : 'audit/?'
    },
  }
}
