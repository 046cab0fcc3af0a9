// Browser sessions of the loopback host (issue 13, finding 4). A session is a random value the
// page keeps in sessionStorage and sends as a header on every call: never a cookie, because
// cookies ignore ports and any other service on 127.0.0.1 the browser visits would receive it.
// Everything lives in memory: when the console stops, every session and ticket ends with it.
import { createHash, randomBytes } from 'node:crypto'

/** The header the page sends its session in (a custom header also forces a CORS preflight). */
export const SESSION_HEADER = 'x-console-session'
/** How long ago (ms) the agent last typed or clicked in the page that makes the call. */
export const INPUT_IDLE_HEADER = 'x-console-idle-ms'
/** Idle time after which a session ends (no API call in between). */
export const DEFAULT_SESSION_IDLE_MS = 12 * 60 * 60 * 1000
/** An event-stream ticket is used at once by the page that asked for it. */
export const STREAM_TICKET_MS = 30_000

// Only hashes are kept: a memory dump or a debug print shows no usable session.
const digest = (s: string) => createHash('sha256').update(s).digest('hex')
const fresh = () => randomBytes(32).toString('base64url')

export type SessionCheck = { ok: true; id: string } | { ok: false; reason: 'missing' | 'ended' }

export class SessionStore {
  private readonly sessions = new Map<string, number>() // hash → last use (ms)
  private readonly tickets = new Map<string, { session: string; until: number }>()

  constructor(
    private readonly idleMs = DEFAULT_SESSION_IDLE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new session (after the start token was shown). */
  open(): string {
    this.sweep()
    const s = fresh()
    this.sessions.set(digest(s), this.now())
    return s
  }

  /**
   * Checks the session a request carries and counts it as activity. The page polls and
   * refreshes on events by itself, so it reports how long the agent has not touched it
   * (`inputIdleMs`); such calls keep the session no fresher than the agent's last input.
   */
  use(value: string | undefined, inputIdleMs?: number): SessionCheck {
    if (!value) return { ok: false, reason: 'missing' }
    const id = digest(value)
    if (!this.alive(id)) return { ok: false, reason: 'ended' }
    const idle = inputIdleMs !== undefined && Number.isFinite(inputIdleMs) ? Math.max(0, inputIdleMs) : 0
    const last = this.sessions.get(id)!
    this.sessions.set(id, Math.max(last, this.now() - idle))
    if (!this.alive(id)) return { ok: false, reason: 'ended' }
    return { ok: true, id }
  }

  /** Whether a session is still open, without counting it as activity (the event stream). */
  alive(id: string): boolean {
    const last = this.sessions.get(id)
    if (last === undefined) return false
    if (this.now() - last >= this.idleMs) {
      this.sessions.delete(id)
      return false
    }
    return true
  }

  /** A single-use, short-lived ticket for one event-stream connection of this session. */
  streamTicket(session: string): string {
    this.sweep()
    const t = fresh()
    this.tickets.set(digest(t), { session, until: this.now() + STREAM_TICKET_MS })
    return t
  }

  /** Spends a ticket: the session it was made for, or null (unknown, used, expired, session over). */
  redeem(ticket: string | null): string | null {
    if (!ticket) return null
    const key = digest(ticket)
    const t = this.tickets.get(key)
    this.tickets.delete(key)
    if (!t || this.now() > t.until || !this.alive(t.session)) return null
    return t.session
  }

  get size(): number {
    return this.sessions.size
  }

  private sweep(): void {
    for (const id of [...this.sessions.keys()]) this.alive(id)
    const now = this.now()
    for (const [k, t] of this.tickets) if (now > t.until) this.tickets.delete(k)
  }
}
