// What an action sees of its run while it works (ActionContext): facts, secrets (sealed at
// rest), progress, the step's attachments (in the evidence vault), a one-time reveal, audit.
import { AppError } from '../../../shared/contract/common'
import type { Ticket } from '../../../shared/contract/tickets'
import type { RunRow, StepRow, WorkflowsRepo } from '../../../db/repos/workflows'
import type { ActionContext } from './actions'
import type { RunAttachments } from './attachments'
import type { StepDef } from './definition'

/** Fact holding a pending one-time reveal { label, secret }. */
export const REVEAL = '_reveal'
/** Fact naming what was last shown { label, secret }, for "show again" with a reason. */
export const REVEALED = '_revealed'

/** Progress of a running step, shown on the timeline (run-view.ts). */
export interface LiveProgress { label: string; done: number; total: number | null }

/**
 * What a step's context uses of the engine's dependencies. EngineDeps (engine.ts) has all of
 * it; it is declared here rather than imported so that engine.ts → step-context.ts stays the
 * only direction (no import circle).
 */
export interface StepDeps {
  repo: Pick<WorkflowsRepo, 'steps' | 'saveRun' | 'files' | 'file'>
  seal(plain: string): string
  open(sealed: string): string
  fingerprint(purpose: string, parts: readonly string[]): string
  progress(task: string, label: string, done: number, total: number | null, finished: boolean): void
  changed(runId: number, ticketId: number): void
  audit(e: { action: string; outcome: Parameters<ActionContext['audit']>[1]; ticketId: number; device: string | null; inputs?: Record<string, unknown>; detail?: string }): Promise<void>
}

export interface ContextDeps {
  d: StepDeps
  attachments: RunAttachments
  /** Progress of running steps by step row id (shown on the timeline). */
  live: Map<number, LiveProgress>
  /** The device the run is about, as known when an entry is written. */
  device: () => string | null
}

export function stepContext(
  { d, attachments, live, device }: ContextDeps,
  { run, ticket, step, row, inputs, signal, interrupted, transient }: { run: RunRow; ticket: Ticket; step: StepDef; row: StepRow; inputs: Record<string, unknown>; signal: AbortSignal; interrupted: boolean; transient: Map<string, string> },
): ActionContext {
  return {
    run, ticket, step, inputs, facts: run.facts, interrupted, signal,
    secret: (name) => transient.get(name) ?? (run.secrets[name] ? d.open(run.secrets[name]) : null),
    setSecret: (name, value) => {
      run.secrets[name] = d.seal(value)
      // At once (the write runs at the call; the promise says whether it held): a crash right after must not lose it.
      return d.repo.saveRun(run)
    },
    fingerprint: (parts) => d.fingerprint(`workflow:${run.procedure}`, parts),
    persist: () => d.repo.saveRun(run),
    progress: (label, done = 0, total = null) => {
      live.set(row.id, { label, done, total })
      d.progress(`workflow:${run.id}:${step.id}`, label, done, total, false)
      d.changed(run.id, run.ticketId)
    },
    files: async (all = false) => {
      const [steps, files] = await Promise.all([d.repo.steps(run.id), d.repo.files(run.id)])
      const rows = new Set(steps.filter((r) => r.stepId === step.id).map((r) => r.id))
      return files.filter((f) => all || rows.has(f.stepRow))
    },
    readFile: async (id, password) => {
      const f = await d.repo.file(id)
      if (f.runId !== run.id) throw new AppError('FORBIDDEN', 'That file belongs to another run.', { key: 'workflow.otherRunFile' })
      return attachments.read(f, password)
    },
    storeFile: (f) => attachments.store(run, { ...f, stepRow: row.id, stepId: step.id, password: f.password || undefined }),
    reveal: (label, secret) => {
      run.facts[REVEAL] = { label, secret }
    },
    audit: (action, outcome, auditInputs, detail) => d.audit({ action, outcome, ticketId: run.ticketId, device: device(), inputs: auditInputs, detail }),
  }
}
