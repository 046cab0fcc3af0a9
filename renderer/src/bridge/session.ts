// The browser session of this tab (issue 13, finding 4). The start link carries the token in
// the fragment (#token=…), which no server ever receives; the page trades it once for a
// session, keeps that in sessionStorage (this tab only; a reload keeps it) and sends it as a
// header. Nothing is a cookie, so no other service on 127.0.0.1 ever receives it.
//
// Imported first by main.ts: the fragment must leave the address bar before the hash router
// reads it (it would take "token=…" for a route and keep it in the history). No Vue here: the
// exchange, and the first screen's reads with it, leave before the app's code is evaluated.
import { ticketListQuery } from '../../../shared/contract/first-reads'
import { putEarly, type RawReply } from './early'

/** ok | no session in this tab | the start link is not the running console's | the session ended. */
export type SessionState = 'ok' | 'missing' | 'invalid' | 'ended'
let state: SessionState = 'ok'
const watchers = new Set<(s: SessionState) => void>()
/** The session's state now, and its changes (bridge/session-state.ts makes a Vue ref of it). */
export const sessionStateNow = (): SessionState => state
export function onSessionState(cb: (s: SessionState) => void): () => void {
  watchers.add(cb)
  return () => watchers.delete(cb)
}
function setState(s: SessionState) {
  state = s
  for (const w of watchers) w(s)
}

const KEY = 'supportConsole.session'
const browserMode = typeof window !== 'undefined' && !window.supportConsole
let exchange: Promise<void> | null = null
let lastInput = Date.now()

function store(): Storage | null {
  try {
    return window.sessionStorage
  } catch {
    return null // storage disabled: the session lives as long as the page
  }
}
let memory: string | null = null
// The tab's storage is asked once: its first use costs the page a round trip to the browser.
const read = () => memory ?? (memory = store()?.getItem(KEY) ?? null)
function write(s: string | null) {
  memory = s
  if (s) store()?.setItem(KEY, s)
  else store()?.removeItem(KEY)
}

/** Takes "#token=…" out of the address (replaceState: it stays in no history entry). */
function takeToken(): string | null {
  const m = /^#token=([^&]*)/.exec(window.location.hash)
  if (!m) return null
  window.history.replaceState(null, '', window.location.pathname)
  try {
    return decodeURIComponent(m[1]!)
  } catch {
    return ''
  }
}

type Read = { method: string; input: unknown }

/**
 * What the first screen reads, known before the router runs: the ticket list (the start page)
 * and, on every page, the lock state and the console's info. Keyed by the very input the
 * stores send (ticketListQuery).
 */
function firstScreenReads(): Read[] {
  const always: Read[] = [
    { method: 'lock.status', input: {} },
    { method: 'system.info', input: {} },
  ]
  const route = window.location.hash.replace(/^#/, '').replace(/\?.*$/, '')
  if (route !== '' && route !== '/' && route !== '/tickets') return always
  return [{ method: 'tickets.list', input: ticketListQuery('', 'active') }, { method: 'tickets.counts', input: {} }, ...always]
}

async function trade(token: string, reads: Read[] = []): Promise<void> {
  const reply = fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(reads.length ? { token, reads } : { token }), credentials: 'omit' })
    .then(async (res) => ({ res, body: res.ok ? ((await res.json()) as { value: { session: string; reads?: unknown[] } }) : null }))
  // Each read's reply comes with the session (the host answers them as it would POST /api/rpc).
  reads.forEach((r, i) =>
    putEarly(r.method, r.input, reply.then(({ body }): RawReply | null => (body?.value.reads?.[i] ? { status: 200, body: body.value.reads[i] } : null))),
  )
  const { res, body } = await reply
  if (res.ok && body) {
    write(body.value.session)
    setState('ok')
  } else if (res.status === 401) {
    write(null)
    setState('invalid')
  } else {
    throw new Error(`The console host answered ${res.status} to the start link.`)
  }
}

/** The session's headers: the session, and how long the agent has not touched the page (its own polls do not keep the session alive). */
const headersOf = (session: string): Record<string, string> => ({ 'x-console-session': session, 'x-console-idle-ms': String(Math.max(0, Date.now() - lastInput)) })

/** After a reload (the session is in this tab already): the first screen's reads leave at once. */
function readEarly(session: string, reads: Read[]): void {
  for (const r of reads) {
    const reply = fetch(`/api/rpc/${encodeURIComponent(r.method)}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headersOf(session) }, body: JSON.stringify(r.input), credentials: 'omit' })
      .then(async (res): Promise<RawReply> => ({ status: res.status, body: (await res.json()) as unknown }))
    putEarly(r.method, r.input, reply)
  }
}

function begin(token: string, reads: Read[] = []): Promise<void> {
  exchange = trade(token, reads)
  exchange.catch(() => undefined).finally(() => (exchange = null))
  return exchange
}

if (browserMode) {
  const token = takeToken()
  const kept = token === null ? read() : null
  if (token !== null) void begin(token, firstScreenReads()).catch(() => undefined)
  else if (kept) readEarly(kept, firstScreenReads())
  else setState('missing')
  // The start link opened again in this tab (e.g. after the session ended) changes only the
  // fragment, so the page does not reload: trade the new token before the router sees it.
  const again = (e: Event) => {
    const token = takeToken()
    if (token === null) return
    e.stopImmediatePropagation()
    begin(token).then(
      () => {
        if (state === 'ok') window.location.reload() // a clean start with the new session
      },
      () => undefined,
    )
  }
  window.addEventListener('popstate', again)
  window.addEventListener('hashchange', again)
  for (const type of ['keydown', 'pointerdown', 'wheel', 'touchstart']) window.addEventListener(type, () => (lastInput = Date.now()), { capture: true, passive: true })
}

/** Headers of an API call of this tab, once its session is there; null when it has none. Throws when the host could not be reached for the exchange. */
export async function sessionHeaders(): Promise<Record<string, string> | null> {
  if (exchange) await exchange
  const s = read()
  if (!s) {
    if (state === 'ok') setState('missing')
    return null
  }
  return headersOf(s)
}

/** The host said the session is gone (idle too long, or the console restarted). */
export function sessionRefused(key: string | undefined): void {
  write(null)
  setState(key === 'sessionEnded' ? 'ended' : 'missing')
}
