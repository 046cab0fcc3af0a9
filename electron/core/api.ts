import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { AppError, isMethod, methods, type ApiError, type Result } from '../../shared/contract/index'
import { isStorageFailure, storageError } from '../../db/storage-problem'
import type { App } from './app'
import { buildHandlers, buildServices, type Services } from './compose'
import type { CallContext, Handlers } from '../infra/handler-types'

export { buildHandlers, buildHelpdesk, buildServices, type Services } from './compose'
/** First zod issue as "field: message", the field path dotted. */
export function validationError(err: z.ZodError): ApiError {
  const issue = err.issues[0]
  const field = issue?.path.map(String).join('.') || undefined
  const message = issue
    ? issue.code === 'unrecognized_keys'
      ? `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`
      : `${field ? `${field}: ` : ''}${issue.message}`
    : 'Invalid arguments'
  // The key gives the agent the sentence in their language; zod's own words stay as the detail.
  const t: { key: string; values?: Record<string, string> } = !issue
    ? { key: 'api.invalid' }
    : issue.code === 'unrecognized_keys'
      ? { key: 'api.unknownFields', values: { fields: issue.keys.join(', ') } }
      : field
        ? { key: 'api.invalidField', values: { field, detail: issue.message } }
        : { key: 'api.invalidInput', values: { detail: issue.message } }
  return { code: 'VALIDATION', message, ...(field ? { field } : {}), ...t }
}

export function toApiError(e: unknown, dataDir: string): ApiError {
  if (e instanceof AppError) return e.toJSON()
  const code = String((e as { code?: unknown })?.code ?? '')
  if (isStorageFailure(e, dataDir)) return storageError(e, dataDir).toJSON()
  // A reference to a row that does not exist (an id from an old page or a hostile caller) is not an internal fault.
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return { code: 'NOT_FOUND', message: 'A ticket, device or file this refers to does not exist.', hint: 'Reload the page: it may show something that was removed.', key: 'api.missingReference' }
  return { code: 'INTERNAL', message: `Unexpected error: ${(e as Error)?.message ?? String(e)}`, hint: 'Try again; if it repeats, report it with the steps that led here.', key: 'api.unexpected', values: { detail: (e as Error)?.message ?? String(e) } }
}

/** The single entry point of both transports: validate, call, validate the result. */
export function createDispatcher(app: App, services: Services = buildServices(app), handlers: Handlers = buildHandlers(app, services)) {
  return async function dispatch(method: string, rawInput: unknown, ctx: CallContext): Promise<Result<unknown>> {
    if (typeof method !== 'string' || !isMethod(method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `Unknown method "${String(method).slice(0, 80)}".`, key: 'api.unknownMethod', values: { method: String(method).slice(0, 80) } } }
    }
    // Every call gets a request id in the log: what the agent did, in order, with its outcome.
    const log = app.log.child({ rid: randomBytes(4).toString('hex'), method, transport: ctx.transport })
    const t0 = performance.now()
    const done = (r: Result<unknown>, e?: unknown): Result<unknown> => {
      const ms = Math.round(performance.now() - t0)
      if (r.ok) log.info({ ms }, 'call ok')
      else if (r.error.code === 'INTERNAL') log.error({ ms, errorCode: r.error.code, err: e }, r.error.message)
      else log.warn({ ms, errorCode: r.error.code, ...(r.error.key ? { key: r.error.key } : {}) }, r.error.message)
      return r
    }
    const spec = methods[method]
    const locked = await services.lock.gate(method) // the bench PIN lock refuses everything but unlock
    if (locked) return done({ ok: false, error: locked })
    const parsed = spec.input.safeParse(rawInput === undefined ? {} : rawInput)
    if (!parsed.success) return done({ ok: false, error: validationError(parsed.error) })
    // Field names only: a value's secrecy is not always in its name (a My2N certificate code).
    log.debug({ fields: Object.keys((parsed.data ?? {}) as object) }, 'call')
    try {
      const value = await (handlers[method] as (i: unknown, c: CallContext) => Promise<unknown>)(parsed.data, ctx)
      // Results are checked too: nothing outside the contract (a sealed secret, a stray
      // column) can reach the renderer by accident.
      return done({ ok: true, value: spec.output.parse(value) })
    } catch (e) {
      const error = toApiError(e, app.opts.dataDir)
      // A change the folder refused: the banner stays until a write works again (storage-state.ts).
      if (error.code === 'STORAGE' && error.key?.startsWith('storage.')) app.storage.failed('database', error)
      return done({ ok: false, error }, e)
    }
  }
}
export type Dispatch = ReturnType<typeof createDispatcher>
