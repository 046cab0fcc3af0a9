// The composition root (issue 11): every feature's service is built here, once per console,
// from the narrow dependencies its module declares, and handed to the handlers. No feature looks
// anything up on the App. Services are built on first use, so a CLI command that needs only the
// helpdesk does not start the workflow engine (which re-checks interrupted steps on devices).
import type { App } from './app'
import { buildActions, lazyProcedures, PROCEDURES } from './procedures'
import type { Handlers } from '../infra/handler-types'
import { systemHandlers } from '../features/system/handlers'
import { ticketHandlers } from '../features/tickets/handlers'
import { deviceHandlers } from '../features/devices/handlers'
import { auditHandlers } from '../features/audit/handlers'
import { evidenceHandlers } from '../features/evidence/handlers'
import { reportHandlers } from '../features/reports/handlers'
import { nvrResetHandlers, type NvrResetHandlerDeps } from '../features/nvr-reset/handlers'
import { workflowHandlers } from '../features/workflows/handlers'
import { helpdeskHandlers } from '../features/helpdesk/handlers'
import { connectionHandlers } from '../features/connections/handlers'
import { BenchLock } from '../features/audit/lock'
import { DeviceOps } from '../features/devices/device-ops'
import { linkTouched } from '../features/devices/read-ops'
import { RejectedLogins } from '../features/devices/rejected-logins'
import { retentionDays, setRetentionDays, type RetentionDeps } from '../features/evidence/retention'
import { createEvidenceVault, type EvidenceVault } from '../features/evidence/vault'
import { Helpdesk } from '../features/helpdesk/service'
import { resetDeps, type ResetDeps } from '../features/nvr-reset/deps'
import { addPhotos } from '../features/nvr-reset/photos'
import { resetPhotoPurge } from '../features/nvr-reset/retention'
import { syncResetRun, type ResetDevices, type RunSyncDeps } from '../features/nvr-reset/run-sync'
import { labConfig, loadSettings, saveSettings } from '../features/nvr-reset/settings'
import { buildView } from '../features/nvr-reset/view'
import { exportTicketBundle, exportTicketPdf, reportDeps, type ReportDeps } from '../features/reports/export'
import { createWorkflowService, type WorkflowService } from '../features/workflows/service'

/** What the root builds once per console and hands to the features that need it. */
export interface Services {
  /** The ticket's evidence vault. */
  readonly vault: EvidenceVault
  /** The NVR reset's dependencies (its repository, the vault, the intakes running now). */
  readonly reset: ResetDeps
  /** The device layer (owns the running scans and the login leases' memory). */
  readonly devices: DeviceOps
  /** Rejected device passwords: never sent again (issue 13). */
  readonly logins: RejectedLogins
  /** The workflow engine and My2N. */
  readonly workflows: WorkflowService
  /** The NVR reset's run on the engine, its inventory links and its login memory. */
  readonly nvrReset: NvrResetHandlerDeps
  /** Keeps personal evidence as long as the setting says, the reset's photo data with it. */
  readonly retention: RetentionDeps
  readonly reports: ReportDeps
  /** The bench PIN lock: the dispatcher's gate and the lock.* handlers share its state. */
  readonly lock: BenchLock
  /** The helpdesk's repository and outbox worker. */
  readonly helpdesk: Helpdesk
  /** Starts, supersedes or ends a ticket's NVR reset run. */
  syncResetRun(ticketId: number): Promise<void>
}

/** A value built on first use, then kept. */
function once<T>(make: () => T): () => T {
  let made = false
  let v: T
  return () => {
    if (!made) {
      v = make()
      made = true
    }
    return v
  }
}

export function buildServices(app: App): Services {
  const vault = once(() => createEvidenceVault(app))
  const reset = once(() => resetDeps(app, vault()))
  const devices = once(() => new DeviceOps(app))
  const logins = once(() => new RejectedLogins(app))
  const workflows = once(() =>
    createWorkflowService(app, {
      ops: devices().port,
      evidence: { add: (e) => vault().add(e), addRef: (e) => vault().addRef(e), content: (id) => vault().content(id) },
      nvrReset: (ticketId) => buildView(reset(), ticketId),
      procedures: lazyProcedures(),
      actions: buildActions,
    }),
  )
  const runDeps = once(() => ({ ...reset(), runs: () => workflows().engine }) satisfies RunSyncDeps)
  // The inventory's part in a reset: found by serial or by its exact current address, linked with an entry.
  const resetDevices = once((): ResetDevices => ({
    findBySerial: (serial) => devices().repo.findBySerial(serial),
    findByIp: (ip) => devices().repo.findByIp(ip),
    link: (d, ticketId, why) => linkTouched(devices(), d, ticketId, why),
  }))
  const nvrReset = once((): NvrResetHandlerDeps => ({
    ...runDeps(),
    onClose: (fn) => app.onClose(fn),
    logins: () => logins(),
    devices: resetDevices(),
  }))
  const retention = once((): RetentionDeps => ({
    settings: app.settings,
    agentLabel: () => app.agentLabel(),
    bus: app.bus,
    onClose: (fn) => app.onClose(fn),
    vault: vault(),
    // The NVR reset keeps data read out of customer photos beside the vault: purged with the same cutoff.
    purges: [resetPhotoPurge({ ...reset(), view: (ticketId) => buildView(reset(), ticketId) })],
  }))
  const reports = once(() => reportDeps(app, vault(), PROCEDURES))
  const lock = once(() => new BenchLock(app))
  const helpdesk = once(
    () =>
      new Helpdesk(app, {
        addEvidence: (e) => vault().add(e),
        addPhotos: (ticketId, files) => addPhotos(reset(), ticketId, files),
        exportBundle: (ticketId) => exportTicketBundle(reports(), ticketId),
        exportPdf: (ticketId) => exportTicketPdf(reports(), ticketId),
      }),
  )
  return {
    get vault() { return vault() },
    get reset() { return reset() },
    get devices() { return devices() },
    get logins() { return logins() },
    get workflows() { return workflows() },
    get nvrReset() { return nvrReset() },
    get retention() { return retention() },
    get reports() { return reports() },
    get lock() { return lock() },
    get helpdesk() { return helpdesk() },
    syncResetRun: (ticketId) => syncResetRun(runDeps(), ticketId),
  }
}

/** The helpdesk alone (the CLI's helpdesk command, benchmarks): builds only what it uses. */
export function buildHelpdesk(app: App): Helpdesk {
  return buildServices(app).helpdesk
}

/** Every handler of the contract, each given its feature's service or declared dependencies. */
export function buildHandlers(app: App, s: Services = buildServices(app)): Handlers {
  return {
    ...systemHandlers(app),
    ...ticketHandlers(app, { syncResetRun: s.syncResetRun }),
    ...deviceHandlers(s.devices),
    ...auditHandlers(app, { lock: s.lock, retention: { get: () => retentionDays(app), set: (days) => setRetentionDays(app, days) } }),
    ...evidenceHandlers({ tickets: app.tickets, vault: s.vault, retention: s.retention }),
    ...reportHandlers(s.reports),
    ...nvrResetHandlers(s.nvrReset),
    ...workflowHandlers(app, { workflows: s.workflows, syncResetRun: s.syncResetRun }),
    ...helpdeskHandlers(s.helpdesk),
    ...connectionHandlers(app, {
      devices: s.devices,
      labVendor: { get: async () => labConfig(app, await loadSettings(app)), set: (lab) => saveSettings(app, { lab }) },
    }),
  }
}
