import type { ApiError, Bridge, EventName, Result } from '../../../shared/contract/index'
import { t } from '../i18n/en'
import { errorText } from '../i18n/errors'
import { sessionHeaders, sessionRefused } from './session'

/** Raised in the renderer for `{ ok: false }` results, carrying the contract's error. */
export class BridgeError extends Error {
  constructor(readonly error: ApiError) {
    super(errorText(error).message)
  }
  get code() {
    return this.error.code
  }
  /** The next step, in the agent's language where it is translated. */
  get hint() {
    return errorText(this.error).hint
  }
}

function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value
  throw new BridgeError(r.error)
}

/** Electron: the preload's allowlisted invoke/on. */
function ipcBridge(api: NonNullable<Window['supportConsole']>): Bridge {
  return {
    invoke: async (method, input) => unwrap((await api.invoke(method, input)) as Result<never>),
    on: (event, cb) => api.on(event, cb as (p: unknown) => void),
  }
}

const unreachable = () => new BridgeError({ code: 'UNREACHABLE', message: t('common.unreachable'), hint: t('common.unreachableHint') })
const noSession = () => new BridgeError({ code: 'UNAUTHORIZED', message: 'No console session.', key: 'sessionMissing' })

/** A POST to the loopback host with this tab's session header; the host's `{ ok, … }` reply. */
async function post<T>(path: string, input: unknown): Promise<Result<T>> {
  let res: Response
  try {
    const session = await sessionHeaders()
    if (!session) throw noSession()
    res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...session }, body: JSON.stringify(input ?? {}), credentials: 'omit' })
  } catch (e) {
    throw e instanceof BridgeError ? e : unreachable()
  }
  let body: Result<T>
  try {
    body = (await res.json()) as Result<T>
  } catch {
    throw new BridgeError({ code: 'INTERNAL', message: `The console host answered ${res.status} without a readable reply.` })
  }
  // The session ended (idle too long, console restarted): the page says so and what to do.
  // Other 401s (a wrong PIN) are answers of the method, not about the session.
  if (res.status === 401 && !body.ok && (body.error.key === 'sessionEnded' || body.error.key === 'sessionMissing')) sessionRefused(body.error.key)
  return body
}

/**
 * Browser mode: the loopback host, with the session header. EventSource cannot send headers,
 * so each connection of the event stream spends a single-use ticket asked for with it.
 */
function httpBridge(): Bridge {
  let source: EventSource | null = null
  let retry: ReturnType<typeof setTimeout> | undefined
  let delay = 1000
  let started = false
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const attach = (src: EventSource, event: string) =>
    src.addEventListener(event, (e) => {
      const payload = JSON.parse((e as MessageEvent<string>).data) as unknown
      for (const l of listeners.get(event) ?? []) l(payload)
    })
  const connect = async () => {
    retry = undefined
    let r: Result<{ ticket: string }>
    try {
      r = await post<{ ticket: string }>('/api/events/ticket', {})
    } catch {
      r = { ok: false, error: { code: 'UNREACHABLE', message: 'unreachable' } }
    }
    if (!r.ok) {
      // No session: the page shows why; otherwise the host may be restarting: try again.
      if (r.error.code !== 'UNAUTHORIZED') retry = setTimeout(() => void connect(), (delay = Math.min(delay * 2, 30_000)))
      return
    }
    const src = new EventSource(`/api/events?ticket=${encodeURIComponent(r.value.ticket)}`)
    source = src
    src.onopen = () => (delay = 1000)
    // A ticket works once, so the browser's own reconnect would be refused: reconnect here.
    src.onerror = () => {
      src.close()
      if (source === src) source = null
      if (!retry) retry = setTimeout(() => void connect(), delay)
    }
    for (const event of listeners.keys()) attach(src, event)
  }
  return {
    async invoke(method, input) {
      return unwrap(await post<never>(`/api/rpc/${encodeURIComponent(method)}`, input))
    },
    on(event: EventName, cb) {
      let set = listeners.get(event)
      if (!set) {
        set = new Set()
        listeners.set(event, set)
        if (source) attach(source, event)
      }
      if (!started) {
        started = true
        void connect()
      }
      const fn = cb as (p: unknown) => void
      set.add(fn)
      return () => set.delete(fn)
    },
  }
}

export const bridge: Bridge = window.supportConsole ? ipcBridge(window.supportConsole) : httpBridge()
