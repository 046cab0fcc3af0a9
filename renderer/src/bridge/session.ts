// The browser session of this tab (issue 13, finding 4). The start link carries the token in
// the fragment (#token=…), which no server ever receives; the page trades it once for a
// session, keeps that in sessionStorage (this tab only; a reload keeps it) and sends it as a
// header. Nothing is a cookie, so no other service on 127.0.0.1 ever receives it.
//
// Imported first by main.ts: the fragment must leave the address bar before the hash router
// reads it (it would take "token=…" for a route and keep it in the history).
import { ref } from 'vue'

/** ok | no session in this tab | the start link is not the running console's | the session ended. */
export type SessionState = 'ok' | 'missing' | 'invalid' | 'ended'
export const sessionState = ref<SessionState>('ok')

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
const read = () => store()?.getItem(KEY) ?? memory
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

async function trade(token: string): Promise<void> {
  const res = await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }), credentials: 'omit' })
  if (res.ok) {
    write(((await res.json()) as { value: { session: string } }).value.session)
    sessionState.value = 'ok'
  } else if (res.status === 401) {
    write(null)
    sessionState.value = 'invalid'
  } else {
    throw new Error(`The console host answered ${res.status} to the start link.`)
  }
}

function begin(token: string): Promise<void> {
  exchange = trade(token)
  exchange.catch(() => undefined).finally(() => (exchange = null))
  return exchange
}

if (browserMode) {
  const token = takeToken()
  if (token !== null) void begin(token).catch(() => undefined)
  else if (!read()) sessionState.value = 'missing'
  // The start link opened again in this tab (e.g. after the session ended) changes only the
  // fragment, so the page does not reload: trade the new token before the router sees it.
  const again = (e: Event) => {
    const token = takeToken()
    if (token === null) return
    e.stopImmediatePropagation()
    begin(token).then(
      () => {
        if (sessionState.value === 'ok') window.location.reload() // a clean start with the new session
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
    if (sessionState.value === 'ok') sessionState.value = 'missing'
    return null
  }
  // How long the agent has not touched the page: its own polls do not keep the session alive.
  return { 'x-console-session': s, 'x-console-idle-ms': String(Math.max(0, Date.now() - lastInput)) }
}

/** The host said the session is gone (idle too long, or the console restarted). */
export function sessionRefused(key: string | undefined): void {
  write(null)
  sessionState.value = key === 'sessionEnded' ? 'ended' : 'missing'
}
