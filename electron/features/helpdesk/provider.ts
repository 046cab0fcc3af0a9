// The provider interface: what the console needs from a helpdesk. A new helpdesk (Freshdesk,
// Jira Service Management, Zammad) is one folder under providers/ implementing this, plus
// one line in providers/index.ts. Rules every provider keeps:
//  - Every request goes to the configured base URL. URLs the server sends back (RT's `_url`,
//    which carries its WebBaseURL; Zendesk's `links.next`) are never followed blindly: ids
//    are taken from them and the request is built from the base URL again.
//  - Errors are HelpdeskError: `status` (0 = no answer), `retryAfterMs` from Retry-After on
//    429/503, and a message for the agent that never contains the token.
//  - send() writes `marker(key)` into what it sends and findSent() looks for it, so the
//    outbox can tell after a lost answer whether an item arrived (no duplicates).
import type { HelpdeskProviderId } from '../../../shared/contract/helpdesk'
import type { Requester } from '../../../db/repos/helpdesk'

export interface RemoteAttachment {
  remoteId: string
  fileName: string
  mime: string
  size: number
}

export interface RemoteTicket {
  id: string
  subject: string
  requester: Requester
  attachments: RemoteAttachment[]
}

/** One row of the agent's pick list: enough to recognise the ticket, not the whole ticket. */
export interface OpenTicket {
  id: string
  subject: string
  requesterName: string
  /** ISO 8601. */
  updatedAt: string
  /** The helpdesk's own word (RT new/open/stalled, Zendesk new/open/pending/hold). */
  status: string
}

/** The pick list is one page: the agent picks from the most recently updated, or pastes a reference. */
export const OPEN_LIST_MAX = 100

export interface SendItem {
  key: string
  /** 'note': internal, not seen by the customer; 'reply': public, e-mailed to the requester. */
  kind: 'note' | 'reply'
  subject: string
  body: string
  files: { name: string; mime: string; content: Buffer }[]
}

export interface ProviderConfig {
  baseUrl: string
  user: string
  token: string
}

export interface HelpdeskProvider {
  readonly id: HelpdeskProviderId
  readonly label: string
  /** The helpdesk ticket id in a pasted number or URL; null when it is not a reference to this helpdesk. */
  parseRef(ref: string): string | null
  /** The ticket's page for the agent's browser, built from the configured base URL. */
  webUrl(remoteId: string): string
  /** Checks the URL and the credentials; returns who the console is signed in as. */
  check(): Promise<string>
  getTicket(remoteId: string): Promise<RemoteTicket>
  /** The agent's open tickets (theirs or nobody's, not solved), most recently updated first, at most `limit` (≤ OPEN_LIST_MAX). */
  listOpen(limit: number): Promise<OpenTicket[]>
  download(remoteTicketId: string, attachmentId: string): Promise<Buffer>
  /** The remote reference of an earlier send of `key`, or null when it did not arrive. */
  findSent(remoteTicketId: string, key: string): Promise<string | null>
  /** Sends; returns the remote reference (RT transaction, Zendesk audit). */
  send(remoteTicketId: string, item: SendItem): Promise<string>
  /** Sets the ticket's status (idempotent: setting it twice is harmless). */
  setStatus(remoteTicketId: string, status: HelpdeskStatus): Promise<string>
}

/** The console's statuses as a helpdesk knows them: RT open/stalled/resolved, Zendesk open/pending/solved. */
export type HelpdeskStatus = 'open' | 'waiting' | 'solved'
export const helpdeskStatusOf = (consoleStatus: string): HelpdeskStatus => (consoleStatus === 'waiting' ? 'waiting' : consoleStatus === 'resolved' || consoleStatus === 'closed' ? 'solved' : 'open')

export const marker = (key: string): string => `[sc:${key}]`

export class HelpdeskError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message)
    this.name = 'HelpdeskError'
  }
  /** Worth another try later (no answer, rate limit, server trouble); 4xx otherwise is not. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500
  }
}

/** A pasted address on this helpdesk (same origin), or null: another site's link is never followed. */
export function addressOn(origin: string, pasted: string): URL | null {
  try {
    const u = new URL(pasted)
    return u.origin === origin ? u : null
  } catch {
    return null
  }
}
