import type { ApiError, Bridge, EventName, Result } from '../../../shared/contract/index'
import { t } from '../i18n/en'
import { errorText } from '../i18n/errors'

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

/** Browser mode: the loopback host (session cookie set by the token link). */
function httpBridge(): Bridge {
  let source: EventSource | null = null
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const ensureSource = () => {
    if (source) return source
    source = new EventSource('/api/events')
    return source
  }
  return {
    async invoke(method, input) {
      let res: Response
      try {
        res = await fetch(`/api/rpc/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input ?? {}),
          credentials: 'same-origin',
        })
      } catch {
        throw new BridgeError({ code: 'UNREACHABLE', message: t('common.unreachable'), hint: t('common.unreachableHint') })
      }
      let body: Result<never>
      try {
        body = (await res.json()) as Result<never>
      } catch {
        throw new BridgeError({ code: 'INTERNAL', message: `The console host answered ${res.status} without a readable reply.` })
      }
      return unwrap(body)
    },
    on(event: EventName, cb) {
      const src = ensureSource()
      let set = listeners.get(event)
      if (!set) {
        set = new Set()
        listeners.set(event, set)
        src.addEventListener(event, (e) => {
          const payload = JSON.parse((e as MessageEvent<string>).data) as unknown
          for (const l of listeners.get(event) ?? []) l(payload)
        })
      }
      const fn = cb as (p: unknown) => void
      set.add(fn)
      return () => set.delete(fn)
    },
  }
}

export const bridge: Bridge = window.supportConsole ? ipcBridge(window.supportConsole) : httpBridge()
