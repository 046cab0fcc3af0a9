// Builds the workflow engine from what the composition root hands it: repos, sealing, audit,
// events, the device layer's port, the evidence vault and the NVR reset view, and My2N. One
// engine per console, built by the root with the handlers; interrupted steps are re-checked then.
import { WorkflowsRepo } from '../../../db/repos/workflows'
import type { ResetView } from '../../../shared/contract/nvr-reset'
import type { CommonRepos, DataDir, Events, Lifecycle, Logging, Recording, Secrets, Store } from '../../infra/ports'
import { my2nProvider } from '../my2n-move'
import type { EvidencePort } from './attachments'
import type { DeviceOpsPort } from './device-port'
import { WorkflowEngine } from './engine'
import type { Action } from './actions'
import type { ProcedureDef } from './definition'

export interface WorkflowService {
  engine: WorkflowEngine
  my2n: ReturnType<typeof my2nProvider>
}

/** What the engine is given of the console: its database, audit, tickets and settings, sealing, events, the log, close and the data folder. */
export type WorkflowServiceDeps = Store & Recording & Pick<CommonRepos, 'tickets' | 'settings'> & Events & Secrets & Logging & Lifecycle & DataDir

/** The other features the steps work through, bound by the composition root. */
export interface WorkflowPorts {
  /** The device layer by address (electron/features/devices/device-ops.ts, `DeviceOps.port`). */
  ops: DeviceOpsPort
  /** The ticket's evidence vault (electron/features/evidence/vault.ts). */
  evidence: EvidencePort
  /** The NVR reset view of a ticket (electron/features/nvr-reset/view.ts). */
  nvrReset: (ticketId: number) => Promise<ResetView>
  /** The installed procedures (electron/core/procedures.ts), validated when first read. */
  procedures: ReadonlyMap<string, ProcedureDef>
  /** The actions the procedures' steps call, bound to what they work through. */
  actions: (inputs: ActionInputs) => Map<string, Action>
}

/** What the steps' actions work through: the device layer, My2N, the NVR reset view. */
export interface ActionInputs {
  ops: DeviceOpsPort
  my2n: () => ReturnType<ReturnType<typeof my2nProvider>['client']>
  rediscoverMs?: number
  nvrReset: (ticketId: number) => Promise<ResetView>
}

export function createWorkflowService(deps: WorkflowServiceDeps, ports: WorkflowPorts): WorkflowService {
  const my2n = my2nProvider({ settings: deps.settings, seal: (p) => deps.secrets.seal(p), open: (s) => deps.secrets.open(s) })
  const rediscoverMs = Number(process.env.SUPPORT_CONSOLE_REDISCOVER_MS) || undefined
  const engine = new WorkflowEngine({
    repo: new WorkflowsRepo(deps.db),
    procedures: ports.procedures,
    actions: ports.actions({ ops: ports.ops, my2n: () => my2n.client(), rediscoverMs, nvrReset: ports.nvrReset }),
    ticket: (id) => deps.tickets.get(id),
    audit: (e) => deps.audit(e),
    record: (change, entries) => deps.record(change, entries),
    agentLabel: () => deps.agentLabel(),
    seal: (p) => deps.secrets.seal(p),
    fingerprint: (purpose, parts) => deps.secrets.fingerprint(purpose, parts),
    open: (s) => deps.secrets.open(s),
    dataDir: deps.dataDir,
    evidence: ports.evidence,
    changed: (runId, ticketId, view) => {
      // The event carries the run's view, so an open ticket page shows it without fetching it again.
      view.then(
        (run) => deps.bus.emit('workflow.changed', { runId, ticketId, run }),
        () => deps.bus.emit('workflow.changed', { runId, ticketId }),
      )
      // The ticket's "last activity" moved with the step's audit entry (migration 17).
      deps.bus.emit('tickets.changed', { id: ticketId })
    },
    progress: (task, label, done, total, finished) => deps.bus.emit('task.progress', { task, label, done, total, finished }),
  })
  deps.onClose(() => engine.stop())
  // Attachments from before the evidence vault move into it first (once), then steps a previous
  // process left running are re-checked against the device.
  void engine.attachments
    .importLegacy()
    .then((r) => {
      if (r.skipped.length) deps.log.warn({ skipped: r.skipped.map((s) => `#${s.id} ${s.why}`) }, `workflows: ${r.skipped.length} older attachment(s) stay where they were`)
    })
    .catch((err) => deps.log.error({ err }, 'workflows: moving older attachments into the evidence vault failed'))
    .then(() => engine.resumeInterrupted())
    .catch((err) => deps.log.error({ err }, 'workflows: resuming interrupted steps failed'))
  return { engine, my2n }
}
