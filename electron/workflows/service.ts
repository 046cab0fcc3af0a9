// Builds the workflow engine for an App: repos, sealing, audit, events, the device layer and
// My2N. One engine per App, created with the handlers; interrupted steps are re-checked then.
import { WorkflowsRepo } from '../../db/repos/workflows'
import type { App } from '../core/app'
import { createEvidenceVault } from '../evidence/vault'
import { resetDeps } from '../nvr-reset/deps'
import type { RunSyncDeps } from '../nvr-reset/run-sync'
import { my2nProvider } from '../my2n/provider'
import { deviceOps } from './bind-device-ops'
import type { DeviceOpsPort } from './device-port'
import { WorkflowEngine } from './engine'
import { buildActions, lazyProcedures } from './registry'
import { buildView } from '../nvr-reset/view'

export interface WorkflowService {
  engine: WorkflowEngine
  my2n: ReturnType<typeof my2nProvider>
}

const services = new WeakMap<App, WorkflowService>()

export function workflowService(app: App, o: { ops?: DeviceOpsPort } = {}): WorkflowService {
  const existing = services.get(app)
  if (existing) return existing
  const my2n = my2nProvider({ settings: app.settings, seal: (p) => app.secrets.seal(p), open: (s) => app.secrets.open(s) })
  const rediscoverMs = Number(process.env.SUPPORT_CONSOLE_REDISCOVER_MS) || undefined
  // TODO(issue 11, merge): the root's vault and reset deps (buildFeatures in core/api.ts) instead of second instances.
  const reset = resetDeps(app, createEvidenceVault(app))
  const engine = new WorkflowEngine({
    repo: new WorkflowsRepo(app.db),
    procedures: lazyProcedures(),
    actions: buildActions({ ops: o.ops ?? deviceOps(app), my2n: () => my2n.client(), rediscoverMs, nvrReset: (id) => buildView(reset, id) }),
    ticket: (id) => app.tickets.get(id),
    audit: (e) => app.audit(e),
    record: (change, entries) => app.record(change, entries),
    agentLabel: () => app.agentLabel(),
    seal: (p) => app.secrets.seal(p),
    fingerprint: (purpose, parts) => app.secrets.fingerprint(purpose, parts),
    open: (s) => app.secrets.open(s),
    dataDir: app.opts.dataDir,
    evidence: reset.vault,
    changed: (runId, ticketId) => {
      app.bus.emit('workflow.changed', { runId, ticketId })
      // The ticket's "last activity" moved with the step's audit entry (migration 17).
      app.bus.emit('tickets.changed', { id: ticketId })
    },
    progress: (task, label, done, total, finished) => app.bus.emit('task.progress', { task, label, done, total, finished }),
  })
  const svc = { engine, my2n }
  services.set(app, svc)
  app.onClose(() => engine.stop())
  // Attachments from before the evidence vault move into it first (once), then steps a previous
  // process left running are re-checked against the device.
  void engine.attachments
    .importLegacy()
    .then((r) => {
      if (r.skipped.length) app.log.warn({ skipped: r.skipped.map((s) => `#${s.id} ${s.why}`) }, `workflows: ${r.skipped.length} older attachment(s) stay where they were`)
    })
    .catch((err) => app.log.error({ err }, 'workflows: moving older attachments into the evidence vault failed'))
    .then(() => engine.resumeInterrupted())
    .catch((err) => app.log.error({ err }, 'workflows: resuming interrupted steps failed'))
  return svc
}

/** TODO(issue 11, merge): the NVR reset's run sync wired from an App, for handlers the root does not hand it yet. */
export const resetRunDeps = (app: App): RunSyncDeps => ({ ...resetDeps(app, createEvidenceVault(app)), runs: () => workflowService(app).engine })
