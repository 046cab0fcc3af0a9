import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { AppError, isMethod, methods, type ApiError, type Result } from '../../shared/contract/index'
import { storageError } from '../../db/database'
import type { App } from './app'
import { systemHandlers } from './handlers/system'
import { ticketHandlers } from './handlers/tickets'
import { deviceHandlers } from './handlers/devices'
import { auditHandlers } from './handlers/audit'
import { evidenceHandlers } from './handlers/evidence'
import { reportHandlers } from './handlers/reports'
import { nvrResetHandlers } from './handlers/nvr-reset'
import { workflowHandlers } from './handlers/workflows'
import { helpdeskHandlers } from './handlers/helpdesk'
import { connectionHandlers } from './handlers/connections'
import { BenchLock } from '../audit/lock'
import { deviceOps, type DeviceOps } from '../devices/device-ops'
import { retentionDays, setRetentionDays } from '../evidence/retention'
import { addEvidence, addEvidenceRef, vault } from '../evidence/vault'
import { Helpdesk } from '../helpdesk/service'
import { addPhotos } from '../nvr-reset/photos'
import { syncResetRun } from '../nvr-reset/run-sync'
import { labConfig, loadSettings, saveSettings } from '../nvr-reset/settings'
import { buildView } from '../nvr-reset/view'
import { exportTicketBundle, exportTicketPdf } from '../reports/export'
import { workflowService, type WorkflowService } from '../workflows/service'
import type { CallContext, Handlers } from './handlers/types'

/** What the composition root builds once per console and hands to the features that need it. */
export interface Services {
  /** The device layer (owns the running scans). */
  devices: DeviceOps
  /** The workflow engine and My2N. */
  workflows: WorkflowService
  /** The bench PIN lock: the dispatcher's gate and the lock.* handlers share its state. */
  lock: BenchLock
  /** The helpdesk's repository and outbox worker. */
  helpdesk: Helpdesk
}

/** The helpdesk, bound to the evidence vault, the NVR reset intake and the reports (the API and the CLI). */
export function buildHelpdesk(app: App): Helpdesk {
  return new Helpdesk(app, {
    addEvidence: (e) => addEvidence(app, e),
    addPhotos: (ticketId, files) => addPhotos(app, ticketId, files),
    exportBundle: (ticketId) => exportTicketBundle(app, ticketId),
    exportPdf: (ticketId) => exportTicketPdf(app, ticketId),
  })
}

export function buildServices(app: App): Services {
  const devices = deviceOps(app)
  const workflows = workflowService(app, {
    ops: devices.port,
    evidence: { add: (e) => addEvidence(app, e), addRef: (e) => addEvidenceRef(app, e), content: (id) => vault(app).content(id) },
    nvrReset: (ticketId) => buildView(app, ticketId),
  })
  return { devices, workflows, lock: new BenchLock(app), helpdesk: buildHelpdesk(app) }
}

export function buildHandlers(app: App, s: Services = buildServices(app)): Handlers {
  const syncReset = (ticketId: number) => syncResetRun(app, ticketId)
  return {
    ...systemHandlers(app),
    ...ticketHandlers(app, { syncResetRun: syncReset }),
    ...deviceHandlers(s.devices),
    ...auditHandlers(app, { lock: s.lock, retention: { get: () => retentionDays(app), set: (days) => setRetentionDays(app, days) } }),
    ...evidenceHandlers(app),
    ...reportHandlers(app),
    ...nvrResetHandlers(app),
    ...workflowHandlers(app, { workflows: s.workflows, syncResetRun: syncReset }),
    ...helpdeskHandlers(s.helpdesk),
    ...connectionHandlers(app, {
      devices: s.devices,
      labVendor: { get: async () => labConfig(app, await loadSettings(app)), set: (lab) => saveSettings(app, { lab }) },
    }),
  }
}

/** First zod issue as "field: message", the field path dotted. */
export function validationError(err: z.ZodError): ApiError {
  const issue = err.issues[0]
  const field = issue?.path.map(String).join('.') || undefined
  const message = issue
    ? issue.code === 'unrecognized_keys'
      ? `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`
      : `${field ? `${field}: ` : ''}${issue.message}`
    : 'Invalid arguments'
  return { code: 'VALIDATION', message, ...(field ? { field } : {}) }
}

export function toApiError(e: unknown, dataDir: string): ApiError {
  if (e instanceof AppError) return e.toJSON()
  const code = String((e as { code?: unknown })?.code ?? '')
  if (/^(SQLITE_(FULL|READONLY|CANTOPEN|IOERR)|ENOSPC|EROFS|EACCES)/.test(code)) return storageError(e, dataDir).toJSON()
  // A reference to a row that does not exist (an id from an old page or a hostile caller) is not an internal fault.
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return { code: 'NOT_FOUND', message: 'A ticket, device or file this refers to does not exist.', hint: 'Reload the page: it may show something that was removed.' }
  return { code: 'INTERNAL', message: `Unexpected error: ${(e as Error)?.message ?? String(e)}`, hint: 'Try again; if it repeats, report it with the steps that led here.' }
}

/** The single entry point of both transports: validate, call, validate the result. */
export function createDispatcher(app: App, services: Services = buildServices(app), handlers: Handlers = buildHandlers(app, services)) {
  return async function dispatch(method: string, rawInput: unknown, ctx: CallContext): Promise<Result<unknown>> {
    if (typeof method !== 'string' || !isMethod(method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `Unknown method "${String(method).slice(0, 80)}".` } }
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
      return done({ ok: false, error: toApiError(e, app.opts.dataDir) }, e)
    }
  }
}
export type Dispatch = ReturnType<typeof createDispatcher>
