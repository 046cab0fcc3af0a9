// Request Tracker 5 over REST2 (/REST/2.0/ on the configured base URL).
//  - Auth: with a user name, HTTP Basic (user + password or token); without, "Authorization: token …".
//  - Requester details come from /user/{id}; attachments from /ticket/{id}/attachments.
//  - Internal note = POST /ticket/{id}/comment, public reply = POST /ticket/{id}/correspond, with
//    JSON Attachments [{FileName, FileType, FileContent (base64)}]; 201 and the transaction in Location.
//  - RT has no idempotency header: the key marker goes into the Subject, and findSent searches
//    the ticket's attachments (each message's top part carries its Subject) for it.
//  - The pick list (listOpen) is one TicketSQL search, GET /tickets?query=…, see there.
//  - `_url` fields carry RT's WebBaseURL, not the address we called: only ids are read from them.
import type { HelpdeskProvider, OpenTicket, ProviderConfig, RemoteAttachment, RemoteTicket, SendItem } from '../../provider'
import { addressOn, HelpdeskError, marker, OPEN_LIST_MAX } from '../../provider'
import { json, request } from '../../http'

interface Ref {
  id: string
  type?: string
}
interface Page<T> {
  items: T[]
  page: number
  pages: number
}

export function rtProvider(cfg: ProviderConfig): HelpdeskProvider {
  const base = cfg.baseUrl.replace(/\/+$/, '')
  const origin = new URL(base).origin
  const auth = cfg.user ? `Basic ${Buffer.from(`${cfg.user}:${cfg.token}`).toString('base64')}` : `token ${cfg.token}`
  const label = 'Request Tracker'
  const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ data: T; location: string | null }> => {
    const r = await request(label, `${base}/REST/2.0/${path}`, {
      method: init.method,
      headers: { Authorization: auth, Accept: 'application/json', ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      timeoutMs: 60_000,
    })
    return { data: r.body.length ? json<T>(r.body) : (null as T), location: r.headers.get('location') }
  }
  const ticketId = (id: string) => {
    if (!/^\d{1,12}$/.test(id)) throw new HelpdeskError(`"${id}" is not a Request Tracker ticket number.`, 400)
    return id
  }

  async function allAttachments(id: string): Promise<RemoteAttachment[]> {
    const out: RemoteAttachment[] = []
    for (let page = 1; page <= 50; page++) {
      const { data } = await api<Page<{ id: string; Filename: string; ContentType: string; ContentLength: string }>>(
        `ticket/${ticketId(id)}/attachments?fields=Filename,ContentType,ContentLength&per_page=100&page=${page}`,
      )
      for (const a of data.items) if (a.Filename) out.push({ remoteId: String(a.id), fileName: a.Filename, mime: a.ContentType || 'application/octet-stream', size: Number(a.ContentLength) || 0 })
      if (page >= data.pages) break
    }
    return out
  }

  return {
    id: 'rt',
    label,
    parseRef(ref) {
      const s = ref.trim()
      const n = s.match(/^(?:rt)?\s*#?\s*(\d{1,12})$/i)
      if (n) return n[1]
      const u = addressOn(origin, s)
      if (!u) return null
      const id = u.searchParams.get('id') ?? u.pathname.match(/\/ticket\/(\d+)/i)?.[1] ?? null
      return id && /^\d{1,12}$/.test(id) ? id : null
    },
    webUrl: (id) => `${base}/Ticket/Display.html?id=${encodeURIComponent(id)}`,
    async check() {
      // Any authenticated read works; the queue list is small and every account may see one.
      await api('queues/all')
      return cfg.user || 'token'
    },
    async getTicket(id): Promise<RemoteTicket> {
      const { data: t } = await api<{ id: number; Subject: string; Requestor: Ref[] }>(`ticket/${ticketId(id)}`)
      const req = t.Requestor?.[0]
      let requester = { name: '', email: req?.id ?? '', phone: '', organization: '' }
      if (req) {
        try {
          const { data: u } = await api<Record<string, string>>(`user/${encodeURIComponent(req.id)}`)
          requester = {
            name: u.RealName || u.Name || '',
            email: u.EmailAddress || '',
            phone: u.WorkPhone || u.MobilePhone || u.HomePhone || '',
            organization: u.Organization || '',
          }
        } catch (e) {
          // An agent without the right to see users still gets the requester's address.
          if (!(e instanceof HelpdeskError) || e.status !== 403) throw e
        }
      }
      return { id: String(t.id), subject: t.Subject ?? '', requester, attachments: await allAttachments(id) }
    },
    async listOpen(limit): Promise<OpenTicket[]> {
      // Active (RT's lifecycle: new, open, stalled) and owned by the signed-in user or by nobody:
      // what the agent works on plus the unclaimed queue, as RT's own "10 newest unowned" and
      // "my tickets" home page boxes show. RT itself limits the search to queues the user may see
      // (ShowTicket), so no queue list is needed here. Newest update first, one page; LastUpdated
      // has whole seconds, so the newer ticket wins a tie (RT takes repeated orderby/order pairs).
      const query = "Status = '__Active__' AND (Owner = '__CurrentUser__' OR Owner = 'Nobody')"
      const n = Math.max(1, Math.min(OPEN_LIST_MAX, Math.floor(limit)))
      const { data } = await api<Page<{ id: string | number; Subject: string; Status: string; LastUpdated: string; Requestor?: { id: string; RealName?: string; Name?: string }[] }>>(
        `tickets?query=${encodeURIComponent(query)}&orderby=LastUpdated&order=DESC&orderby=id&order=DESC&per_page=${n}&page=1&fields=Subject,Status,Requestor,LastUpdated&fields[Requestor]=RealName,Name`,
      )
      return (data.items ?? []).slice(0, n).map((t) => {
        const r = t.Requestor?.[0]
        return { id: String(t.id), subject: t.Subject ?? '', status: t.Status ?? '', updatedAt: t.LastUpdated ?? '', requesterName: r?.RealName || r?.Name || r?.id || '' }
      })
    },
    async download(remoteTicketId, attachmentId) {
      if (!/^\d{1,12}$/.test(attachmentId)) throw new HelpdeskError(`"${attachmentId}" is not an RT attachment id.`, 400)
      const { data } = await api<{ Content: string; TransactionId: Ref }>(`attachment/${attachmentId}`)
      // The attachment must belong to this ticket: its transaction's object is the ticket.
      const { data: tx } = await api<{ Object: Ref }>(`transaction/${data.TransactionId.id}`)
      if (String(tx.Object?.id) !== remoteTicketId) throw new HelpdeskError(`Attachment ${attachmentId} is not on RT ticket #${remoteTicketId}.`, 404)
      return Buffer.from(data.Content ?? '', 'base64')
    },
    async findSent(remoteTicketId, key) {
      const { data } = await api<Page<{ id: string; TransactionId: string }>>(`ticket/${ticketId(remoteTicketId)}/attachments?fields=TransactionId`, {
        method: 'POST',
        body: [{ field: 'Subject', operator: 'LIKE', value: marker(key) }],
      })
      return data.items.length ? `transaction/${data.items[0].TransactionId}` : null
    },
    async setStatus(remoteTicketId, status) {
      await api(`ticket/${ticketId(remoteTicketId)}`, { method: 'PUT', body: { Status: { open: 'open', waiting: 'stalled', solved: 'resolved' }[status] } })
      return `status/${status}`
    },
    async send(remoteTicketId, item: SendItem) {
      const { location } = await api(`ticket/${ticketId(remoteTicketId)}/${item.kind === 'note' ? 'comment' : 'correspond'}`, {
        method: 'POST',
        body: {
          Subject: `${item.subject} ${marker(item.key)}`,
          Content: item.body,
          ContentType: 'text/plain',
          Attachments: item.files.map((f) => ({ FileName: f.name, FileType: f.mime, FileContent: f.content.toString('base64') })),
        },
      })
      const tx = location ? location.match(/transaction\/(\d+)/)?.[1] : null
      return tx ? `transaction/${tx}` : 'transaction/?'
    },
  }
}
