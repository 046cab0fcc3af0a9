import { latestProcedures } from './definition'
import type { WorkflowService } from './service'
import type { Recording } from '../../infra/ports'
import type { HandlerMap } from '../../infra/handler-types'
import { RESET_PROCEDURE } from '../nvr-reset'

type M = 'workflows.procedures' | 'workflows.start' | 'workflows.get' | 'workflows.forTicket' | 'workflows.completeStep' | 'workflows.runAuto'
  | 'workflows.skipStep' | 'workflows.addNote' | 'workflows.attach' | 'workflows.abandon' | 'workflows.reveal' | 'workflows.revealAgain' | 'workflows.my2nStatus' | 'workflows.setMy2n'

export interface WorkflowHandlerServices {
  workflows: WorkflowService
  /** Catches a ticket's NVR reset run up with the reset panel (electron/features/nvr-reset/run-sync.ts). */
  syncResetRun: (ticketId: number) => Promise<void>
}

export function workflowHandlers(deps: Recording, s: WorkflowHandlerServices): HandlerMap<M> {
  const { engine, my2n } = s.workflows
  return {
    'workflows.procedures': async () =>
      latestProcedures(engine.procedures).map((p) => ({ id: p.id, title: p.title, summary: p.summary, ticketProcedure: p.ticketProcedure, steps: p.steps.length })),
    // The NVR reset has one run per ticket, kept by the reset panel: "start" catches it up instead.
    'workflows.start': async ({ ticketId, procedure }) => {
      if (procedure !== RESET_PROCEDURE) return engine.start(ticketId, procedure)
      await s.syncResetRun(ticketId)
      const run = (await engine.forTicket(ticketId)).find((r) => r.procedure === procedure)
      return run ?? engine.start(ticketId, procedure)
    },
    'workflows.get': ({ runId }) => engine.get(runId),
    'workflows.forTicket': ({ ticketId }) => engine.forTicket(ticketId),
    'workflows.completeStep': ({ runId, stepId, inputs, outcome }) => engine.completeStep(runId, stepId, inputs, outcome),
    'workflows.runAuto': ({ runId, stepId, inputs }) => engine.runAuto(runId, stepId, inputs),
    'workflows.skipStep': ({ runId, stepId, reason }) => engine.skipStep(runId, stepId, reason),
    'workflows.addNote': ({ runId, stepId, body }) => engine.addNote(runId, stepId, body),
    'workflows.attach': ({ runId, stepId, evidence, name, dataBase64, password }) => engine.attach(runId, stepId, evidence, name, Buffer.from(dataBase64, 'base64'), password),
    'workflows.abandon': ({ runId, reason }) => engine.abandon(runId, reason),
    'workflows.reveal': ({ runId }) => engine.takeReveal(runId),
    'workflows.revealAgain': ({ runId, reason }) => engine.revealAgain(runId, reason),
    'workflows.my2nStatus': () => my2n.status(),
    'workflows.setMy2n': async (c) => {
      await my2n.set(c)
      await deps.audit({ action: 'my2n.configure', outcome: 'ok', inputs: { kind: c.kind, url: c.url } })
      return { ok: true as const }
    },
  }
}
