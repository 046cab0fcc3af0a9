import type { ApiError, Bridge, EventName, Result } from '../../../shared/contract/index'
import { t } from '../i18n/en'
import { errorText } from '../i18n/errors'
import { takeEarly, type RawReply } from './early'
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

/** A POST to the loopback host with this tab's session header: the status and the `{ ok, … }` body. */
async function send(path: string, input: unknown): Promise<RawReply> {
  let res: Response
  try {
    const session = await sessionHeaders()
    if (!session) throw noSession()
    res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...session }, body: JSON.stringify(input ?? {}), credentials: 'omit' })
  } catch (e) {
    throw e instanceof BridgeError ? e : unreachable()
  }
  try {
    return { status: res.status, body: (await res.json()) as unknown }
  } catch {
    throw new BridgeError({ code: 'INTERNAL', message: `The console host answered ${res.status} without a readable reply.` })
  }
}

/** The `{ ok, … }` body of a reply. A 401 about the session (idle too long, console restarted) makes the page say so and what to do; other 401s (a wrong PIN) are answers of the method. */
function checked<T>({ status, body }: RawReply): Result<T> {
  const r = body as Result<T>
  if (status === 401 && !r.ok && (r.error.key === 'sessionEnded' || r.error.key === 'sessionMissing')) sessionRefused(r.error.key)
  return r
}

/** A call of the contract: the reply asked for at start-up when one is waiting (bridge/early.ts), else a POST. */
async function post<T>(method: string, input: unknown): Promise<Result<T>> {
  const early = takeEarly(method, input)
  return checked<T>((early && (await early)) || (await send(`/api/rpc/${encodeURIComponent(method)}`, input)))
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
      r = checked(await send('/api/events/ticket', {}))
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
      return unwrap(await post<never>(method, input))
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
