// The workflow engine: interprets procedure definitions, persists every transition before
// acting on it, audits every step (each transition and its entry in one transaction, through
// EngineDeps.record), and resumes runs after a crash without re-running a destructive
// operation blindly.
import { AppError } from '../../../shared/contract/common'
import { logger } from '../../infra/log'
import type { Ticket } from '../../../shared/contract/tickets'
import type { WorkflowReply, WorkflowRun } from '../../../shared/contract/workflows'
import type { RunRow, StepRow, WorkflowsRepo, WorkflowsTx } from '../../../db/repos/workflows'
import { reading } from '../../../db/repos/tx-scope'
import type { ActionContext, ActionRegistry, ActionResult } from './actions'
import { END, type ProcedureDef, type StepDef } from './definition'
import { RunAttachments, type EvidencePort } from './attachments'
import { acceptInputs, failure, interruptedWhy, transientSecrets, type Inputs } from './step-inputs'
import { buildRunView, type LiveProgress } from './run-view'
import { REVEAL, REVEALED, stepContext } from './step-context'

/** One audit entry of a run (the agent is added by the app). */
export interface EngineAudit { action: string; outcome: 'ok' | 'failed' | 'refused' | 'info'; ticketId: number; device?: string | null; inputs?: Record<string, unknown>; detail?: string }

export interface EngineDeps {
  repo: WorkflowsRepo
  procedures: ReadonlyMap<string, ProcedureDef>
  actions: ActionRegistry
  ticket(id: number): Promise<Ticket>
  /** An entry on its own (a refusal, an action's own entry): nothing else is written with it. */
  audit(e: EngineAudit): Promise<void>
  /**
   * A synchronous change of the run and its entries in one transaction (App.record): both are
   * committed or neither, so no crash or failed append leaves a transition without its entry.
   */
  record<T>(change: () => T, entries: (result: T) => EngineAudit | EngineAudit[]): Promise<T>
  agentLabel(): Promise<string>
  seal(plain: string): string
  /** Keyed fingerprint (SecretBox.fingerprint): never a plain hash of a password. */
  fingerprint(purpose: string, parts: readonly string[]): string
  open(sealed: string): string
  dataDir: string
  /** The ticket's evidence vault: where step attachments are kept. */
  evidence: EvidencePort
  /** After every change of a run: its view, built once, for the event (the call's reply takes the same one). */
  changed(runId: number, ticketId: number, view: Promise<WorkflowRun>): void
  progress(task: string, label: string, done: number, total: number | null, finished: boolean): void
}

export { REVEAL }
/** How long runAuto waits for an operation before replying "running" (quick ones reply finished). */
const QUICK_MS = 1500

export class WorkflowEngine {
  readonly attachments: RunAttachments
  /** Auto steps in flight in this process, by step row id (with their run: no row is read to find it). */
  private readonly inflight = new Map<number, { runId: number; promise: Promise<void>; abort: AbortController }>()
  private readonly live = new Map<number, LiveProgress>()
  /** observe() calls in flight, by ticket (serialised). */
  private readonly observing = new Map<number, Promise<unknown>>()

  constructor(private readonly d: EngineDeps) {
    this.attachments = new RunAttachments({ repo: d.repo, evidence: d.evidence, dataDir: d.dataDir, procedureOf: (run) => this.procedureOf(run) })
  }

  /** Installed definitions by id (newest) and by "id@version". */
  get procedures(): ReadonlyMap<string, ProcedureDef> {
    return this.d.procedures
  }

  procedure(id: string): ProcedureDef {
    const p = this.d.procedures.get(id)
    if (!p) throw new AppError('NOT_FOUND', `The procedure "${id}" is not installed in this console.`, { hint: 'Choose one of the listed procedures.', key: 'workflow.noProcedure', values: { id } })
    return p
  }

  async start(ticketId: number, procedureId: string): Promise<WorkflowRun> {
    const ticket = await this.d.ticket(ticketId)
    const p = this.procedure(procedureId)
    const facts: Record<string, unknown> = {}
    if (ticket.deviceSerial) facts.ticketSerial = ticket.deviceSerial
    const run = await this.d.record(
      () => this.d.repo.tx().createRun(ticketId, p.id, p.version, p.start, facts),
      () => ({ action: 'workflow.start', outcome: 'ok', ticketId, device: ticket.deviceSerial || null, inputs: { procedure: p.id, version: p.version } }),
    )
    this.changed(run.id, ticketId)
    return this.get(run.id)
  }

  /** Views built at a change, taken by the reply of the call that made it (same turn of the event loop). */
  private fresh = new Map<number, Promise<WorkflowRun>>()

  /** Tells the UI a run changed, with its view: built once here, and the call's `get` right after takes it. */
  private changed(runId: number, ticketId: number): void {
    const view = this.build(runId)
    view.catch(() => {}) // a failed build is the reply's error (or the next load's), not an unhandled rejection
    this.fresh.set(runId, view)
    setImmediate(() => {
      if (this.fresh.get(runId) === view) this.fresh.delete(runId)
    })
    this.d.changed(runId, ticketId, view)
  }

  async get(runId: number): Promise<WorkflowRun> {
    const made = this.fresh.get(runId)
    if (made) {
      this.fresh.delete(runId)
      return made
    }
    return this.build(runId)
  }

  private async build(runId: number): Promise<WorkflowRun> {
    // The run and its rows in one read, at the change (the ticket is awaited after it).
    const { run, rows } = this.read((tx) => ({ run: tx.getRun(runId), rows: { steps: tx.steps(runId), notes: tx.notes(runId), files: tx.files(runId) } }))
    return buildRunView(run, this.procedureOf(run), rows, await this.d.ticket(run.ticketId), (row) => this.inflight.has(row), this.live)
  }

  async forTicket(ticketId: number): Promise<WorkflowRun[]> {
    await this.d.ticket(ticketId)
    return Promise.all((await this.d.repo.runsForTicket(ticketId)).map((r) => this.get(r.id)))
  }

  /** The runs of a ticket as stored (newest first): for services that decide whether to start one. */
  async runRows(ticketId: number): Promise<{ id: number; procedure: string; version: number; status: RunRow['status'] }[]> {
    return (await this.d.repo.runsForTicket(ticketId)).map((r) => ({ id: r.id, procedure: r.procedure, version: r.procedureVersion, status: r.status }))
  }

  /** Manual and decision steps: validate, run the step's check (if any), then move on. */
  async completeStep(runId: number, stepId: string, inputs: Inputs, outcome?: string): Promise<WorkflowReply> {
    const { run, step, row } = this.open(runId, stepId)
    if (step.kind === 'auto') throw new AppError('CONFLICT', `"${step.title}" is an automatic step.`, { hint: 'Use Run to start it, or skip it with a reason.', key: 'workflow.isAuto', values: { step: step.title } })
    if (step.observed) throw new AppError('CONFLICT', `"${step.title}" completes by itself when the work it waits for is done.`, { hint: row.why || 'Do the work in the panel above the timeline.', key: row.why ? 'workflow.observedWhy' : 'workflow.observed', values: { step: step.title, why: row.why ?? '' } })
    const chosen = outcome ?? (step.kind === 'decision' ? undefined : Object.keys(step.outcomes)[0])
    if (!chosen || !step.outcomes[chosen]) throw new AppError('VALIDATION', `Choose one of: ${Object.values(step.outcomes).map((o) => o.label).join(', ')}.`, { field: 'outcome', key: 'workflow.chooseOutcome', values: { options: Object.values(step.outcomes).map((o) => o.label).join(', ') } })
    const clean = acceptInputs(run, step, inputs)
    this.checkEvidence(run, step)
    await this.checkRequires(run, step, row)
    for (const k of this.sealSecrets(run, step, inputs)) clean[k] = '[sealed]'
    if (!step.action) {
      await this.finish(run, step, row, clean, { outcome: chosen })
      return { run: await this.get(run.id), reveal: null }
    }
    return this.execute(run, step, row, clean, chosen, false, transientSecrets(step, inputs))
  }

  /** Auto steps: checks first (requirements, typed confirmation), then the operation in the background. */
  async runAuto(runId: number, stepId: string, inputs: Inputs): Promise<WorkflowReply> {
    const { run, step, row } = this.open(runId, stepId)
    if (step.kind !== 'auto') throw new AppError('CONFLICT', `"${step.title}" is not an automatic step.`, { key: 'workflow.notAuto', values: { step: step.title } })
    if (this.inflight.has(row.id)) throw new AppError('CONFLICT', `"${step.title}" is already running.`, { hint: 'Wait for it to finish; its progress is shown on the step.', key: 'workflow.running', values: { step: step.title } })
    if (step.confirm) {
      const expected = String(run.facts[step.confirm.fact] ?? '')
      const typed = String(inputs.confirm ?? '').trim().toUpperCase()
      if (!expected || typed !== expected.toUpperCase()) {
        await this.d.audit({ action: `workflow.step.${step.id}`, outcome: 'refused', ticketId: run.ticketId, device: this.device(run), detail: 'typed confirmation did not match' })
        throw new AppError('FORBIDDEN', `To run "${step.title}", type exactly: ${expected || '(unknown — complete the earlier steps)'}.`, { field: 'confirm', hint: step.confirm.prompt, key: 'workflow.confirmMismatch', values: { step: step.title, expected: expected || '?' } })
      }
    }
    const clean = acceptInputs(run, step, inputs)
    this.checkEvidence(run, step)
    await this.checkRequires(run, step, row)
    for (const k of this.sealSecrets(run, step, inputs)) clean[k] = '[sealed]'
    return this.execute(run, step, row, clean, undefined, true, transientSecrets(step, inputs))
  }

  /**
   * Observed steps (definition `observed`): runs the current step's action, which reads the
   * state of the work done elsewhere on the ticket; an outcome completes the step (audited like
   * any step) and the next observed step is looked at at once, so one change can complete
   * several steps. What a step still waits for is kept on its row (shown on the timeline; not
   * audited, since nothing happened). With `start`, a ticket without an active run gets one.
   * Calls for one ticket are serialised: two changes at once never complete a step twice.
   */
  async observe(ticketId: number, procedureId: string, o: { start: boolean }): Promise<WorkflowRun | null> {
    const prev = this.observing.get(ticketId) ?? Promise.resolve()
    const next = prev.catch(() => undefined).then(() => this.observeNow(ticketId, procedureId, o))
    this.observing.set(ticketId, next)
    try {
      return await next
    } finally {
      if (this.observing.get(ticketId) === next) this.observing.delete(ticketId)
    }
  }

  private async observeNow(ticketId: number, procedureId: string, o: { start: boolean }): Promise<WorkflowRun | null> {
    let run = (await this.d.repo.runsForTicket(ticketId)).find((r) => r.procedure === procedureId && r.status === 'active')
    if (!run) {
      if (!o.start) return null
      run = await this.d.repo.getRun((await this.start(ticketId, procedureId)).id)
    }
    const ticket = await this.d.ticket(ticketId)
    for (let guard = 0; guard < 50; guard++) {
      const runId = run.id
      // The run and the visit it is on, read together.
      const now = this.read((tx) => {
        const r = tx.getRun(runId)
        return { run: r, row: r.status === 'active' && r.currentStep ? tx.openStep(r.id, r.currentStep) : null }
      })
      run = now.run
      if (run.status !== 'active' || !run.currentStep) break
      const step = this.stepDef(run, run.currentStep)
      const row = now.row
      const action = step.observed && step.action ? this.d.actions.get(step.action) : undefined
      if (!action || !row) break
      const r = await action.run(this.context(run, ticket, step, row, {}, new AbortController().signal, false, new Map()))
      if ('outcome' in r) {
        await this.finish(run, step, row, {}, r)
        continue
      }
      const why = 'blocked' in r ? r.blocked : r.failed
      if (row.why !== why || row.state !== 'current') {
        row.state = 'current'
        row.why = why
        await this.d.repo.saveRunAndStep(run, row) // with the facts the check learned (serial, deadline)
        this.changed(run.id, run.ticketId)
      }
      break
    }
    return this.get(run.id)
  }

  async skipStep(runId: number, stepId: string, reason: string): Promise<WorkflowRun> {
    const { run, step, row } = this.open(runId, stepId)
    if (!step.skippable) throw new AppError('FORBIDDEN', `"${step.title}" cannot be skipped in this procedure.`, { hint: 'Complete it, or abandon the run with a reason.', key: 'workflow.notSkippable', values: { step: step.title } })
    if (this.inflight.has(row.id)) throw new AppError('CONFLICT', `"${step.title}" is running; wait for it to finish.`, { key: 'workflow.running', values: { step: step.title } })
    const first = Object.entries(step.outcomes)[0]
    row.state = 'skipped'
    row.why = reason
    row.agent = await this.d.agentLabel()
    row.endedAt = new Date().toISOString()
    await this.d.record(
      () => this.d.repo.tx().advance(run, row, first[1].next === END ? null : first[1].next),
      () => ({ action: `workflow.step.${step.id}`, outcome: 'info', ticketId: run.ticketId, device: this.device(run), inputs: { skipped: true }, detail: reason }),
    )
    this.changed(run.id, run.ticketId)
    return this.get(run.id)
  }

  async addNote(runId: number, stepId: string, body: string): Promise<WorkflowRun> {
    const run = await this.d.repo.getRun(runId)
    const row = await this.latestRow(run, stepId)
    const agent = await this.d.agentLabel()
    await this.d.record(
      () => this.d.repo.tx().addNote(run.id, row.id, agent, body),
      () => ({ action: 'workflow.note', outcome: 'info', ticketId: run.ticketId, device: this.device(run), inputs: { step: stepId } }),
    )
    this.changed(run.id, run.ticketId)
    return this.get(run.id)
  }

  async attach(runId: number, stepId: string, evidence: string, name: string, data: Buffer, password?: string): Promise<WorkflowRun> {
    const { run, step, row } = this.open(runId, stepId)
    // The slots the step declares, or the optional "other" attachment every step takes.
    if (!this.attachments.takes(step, evidence)) throw new AppError('VALIDATION', `"${step.title}" takes no "${evidence}" attachment.`, { field: 'evidence', hint: 'Attach the file as an other attachment of the step.', key: 'workflow.noSuchSlot', values: { step: step.title, evidence } })
    const fileRow = await this.attachments.file(run, { stepRow: row.id, stepId, kind: evidence, name, data, password: password || undefined, verified: false })
    // The run's file row and its entry in one transaction (the vault entered the bytes with its own).
    await this.d.record(fileRow, (stored) => ({ action: 'workflow.attach', outcome: 'ok', ticketId: run.ticketId, device: this.device(run), inputs: { step: stepId, evidence, name, sha256: stored.sha256, size: stored.size, protected: Boolean(password), evidenceId: stored.evidenceId } }))
    this.changed(run.id, run.ticketId)
    return this.get(run.id)
  }

  async abandon(runId: number, reason: string): Promise<WorkflowRun> {
    const run = await this.d.repo.getRun(runId)
    if (run.status !== 'active') throw new AppError('CONFLICT', `Run #${runId} has already ended.`, { key: 'workflow.ended', values: { id: runId } })
    if ([...this.inflight.values()].some((f) => f.runId === runId)) throw new AppError('CONFLICT', 'A step of this run is still running; wait for it to finish.', { key: 'workflow.stepRunning' })
    run.status = 'abandoned'
    run.endedAt = new Date().toISOString()
    await this.d.record(
      () => this.d.repo.tx().saveRun(run),
      () => ({ action: 'workflow.abandon', outcome: 'info', ticketId: run.ticketId, device: this.device(run), detail: reason }),
    )
    this.changed(run.id, run.ticketId)
    return this.get(run.id)
  }

  /**
   * Called once at start-up. Steps left 'running' by a dead process are re-checked: the
   * action's `recheck` asks the device what happened; without one, a non-destructive step is
   * simply offered again and a destructive one is blocked for the agent to decide.
   */
  async resumeInterrupted(): Promise<number> {
    let n = 0
    for (const run of await this.d.repo.activeRuns()) {
      for (const row of (await this.d.repo.steps(run.id)).filter((s) => s.phase === 'running' && !this.inflight.has(s.id))) {
        n++
        const step = this.stepDef(run, row.stepId)
        const action = step.action ? this.d.actions.get(step.action) : undefined
        const entry: EngineAudit = { action: `workflow.step.${step.id}`, outcome: 'info', ticketId: run.ticketId, device: this.device(run), detail: 'interrupted (console stopped during the operation); re-checking' }
        if (action?.recheck) {
          // The re-check's own end is recorded with its entry when it finishes (finish).
          await this.d.audit(entry)
          const unknown = (): ActionResult => (action.destructive ? { blocked: interruptedWhy(step, action) } : { failed: interruptedWhy(step, action) })
          await this.spawn(run, await this.d.ticket(run.ticketId), step, row, {}, async (ctx) => (await action.recheck!(ctx)) ?? unknown(), true)
        } else {
          row.phase = 'idle'
          row.state = action?.destructive ? 'blocked' : 'current'
          row.why = interruptedWhy(step, action)
          await this.d.record(() => this.d.repo.tx().saveStep(row), () => entry)
          this.changed(run.id, run.ticketId)
        }
      }
    }
    return n
  }

  /**
   * A value an action asked to show once (a generated password): read from its sealed copy,
   * handed out exactly once, and audited. Survives a crash until it has been shown.
   */
  async takeReveal(runId: number): Promise<WorkflowReply['reveal']> {
    const peek = await this.d.repo.getRun(runId)
    const r = peek.facts[REVEAL] as { label: string; secret: string } | undefined
    if (!r) return null
    const sealed = peek.secrets[r.secret]
    if (!sealed) {
      delete peek.facts[REVEAL] // nothing to show: the request is dropped, nothing is handed out
      await this.d.repo.saveRun(peek)
      return null
    }
    // Opened first: the reveal is consumed (with its entry) only when the value can be handed out.
    const value = this.d.open(sealed)
    // Taken from the row as it is inside the transaction, so two callers at once cannot both get it.
    const taken = await this.d.record(
      () => {
        const tx = this.d.repo.tx()
        const run = tx.getRun(runId)
        if (!run.facts[REVEAL]) return null
        delete run.facts[REVEAL]
        run.facts[REVEALED] = { label: r.label, secret: r.secret }
        tx.saveRun(run)
        return run
      },
      (run) => (run ? [{ action: 'workflow.reveal', outcome: 'info', ticketId: run.ticketId, device: this.device(run), inputs: { secret: r.secret }, detail: 'shown once to the agent' }] : []),
    )
    return taken ? { label: r.label, value } : null
  }

  /**
   * The value shown last, once more: when the showing was lost (the window closed, the console
   * died right after it, the customer calls back for it). Only with a reason, and audited.
   */
  async revealAgain(runId: number, reason: string): Promise<{ label: string; value: string }> {
    const run = await this.d.repo.getRun(runId)
    const r = run.facts[REVEALED] as { label: string; secret: string } | undefined
    const sealed = r ? run.secrets[r.secret] : undefined
    if (!r || !sealed) throw new AppError('NOT_FOUND', 'This run has shown nothing that could be shown again.', { key: 'workflow.nothingToReveal' })
    const value = this.d.open(sealed)
    await this.d.audit({ action: 'workflow.reveal', outcome: 'info', ticketId: run.ticketId, device: this.device(run), inputs: { secret: r.secret, again: true }, detail: `shown again: ${reason}` })
    return { label: r.label, value }
  }

  /** Resolves when no step of `runId` is running in this process (tests, shutdown). */
  async settled(runId?: number): Promise<void> {
    for (;;) {
      const pending = [...this.inflight.values()].filter((f) => runId === undefined || f.runId === runId)
      if (!pending.length) return
      await Promise.allSettled(pending.map((f) => f.promise))
    }
  }

  /** Stops in-flight operations (app shutdown); their rows stay 'running' and are re-checked next start. */
  stop(): void {
    for (const f of this.inflight.values()) f.abort.abort()
  }

  // ---- internals -------------------------------------------------------------------------

  /** The definition the run was started with (falls back to the newest when that version is no longer installed). */
  private procedureOf(run: RunRow): ProcedureDef {
    return this.d.procedures.get(`${run.procedure}@${run.procedureVersion}`) ?? this.procedure(run.procedure)
  }
  private stepDef(run: RunRow, stepId: string): StepDef {
    const s = this.procedureOf(run).steps.find((x) => x.id === stepId)
    if (!s) throw new AppError('NOT_FOUND', `Step "${stepId}" is not part of ${run.procedure}.`, { key: 'workflow.noSuchStep', values: { step: stepId, procedure: run.procedure } })
    return s
  }
  private device(run: RunRow): string | null {
    return (run.facts.serial as string | undefined) ?? (run.facts.ticketSerial as string | undefined) ?? null
  }
  /** Several reads in one pass (one consistent view of the run), run at once. */
  private read<R>(fn: (tx: WorkflowsTx) => R): R {
    return reading(this.d.repo.db, () => fn(this.d.repo.tx()))
  }
  private async latestRow(run: RunRow, stepId: string): Promise<StepRow> {
    const rows = (await this.d.repo.steps(run.id)).filter((r) => r.stepId === stepId)
    if (!rows.length) throw new AppError('NOT_FOUND', `Step "${stepId}" has not been reached in this run.`, { key: 'workflow.notReached', values: { step: stepId } })
    return rows[rows.length - 1]
  }

  /** The run must be active and on this step. The run and the visit are read together (one pass, at the call). */
  private open(runId: number, stepId: string): { run: RunRow; step: StepDef; row: StepRow } {
    const { run, row } = this.read((tx) => ({ run: tx.getRun(runId), row: tx.openStep(runId, stepId) }))
    if (run.status !== 'active') throw new AppError('CONFLICT', `Run #${runId} has ${run.status === 'completed' ? 'been completed' : 'been abandoned'}.`, { key: 'workflow.ended', values: { id: runId }, hint: 'Start a new run from the ticket if more work is needed.' })
    const step = this.stepDef(run, stepId)
    if (run.currentStep !== stepId || !row) {
      const cur = run.currentStep ? this.stepDef(run, run.currentStep).title : 'none'
      throw new AppError('CONFLICT', `"${step.title}" is not the current step (current: ${cur}).`, { hint: 'Reload the ticket; another window may have moved the run on.', key: 'workflow.notCurrent', values: { step: step.title } })
    }
    return { run, step, row }
  }

  private sealSecrets(run: RunRow, step: StepDef, raw: Inputs): string[] {
    const sealed: string[] = []
    for (const def of step.inputs) {
      const v = raw[def.id]
      if (def.type === 'secret' && !def.transient && typeof v === 'string' && v.trim()) {
        run.secrets[def.id] = this.d.seal(v.trim())
        sealed.push(def.id)
      }
    }
    return sealed
  }

  private checkEvidence(run: RunRow, step: StepDef): void {
    const { files, steps } = this.read((tx) => ({ files: tx.files(run.id), steps: tx.steps(run.id) }))
    const rows = new Set(steps.filter((r) => r.stepId === step.id).map((r) => r.id))
    for (const e of step.evidence)
      if (e.required && !files.some((f) => f.kind === e.id && rows.has(f.stepRow)))
        throw new AppError('VALIDATION', `Attach ${e.label.toLowerCase()} first.`, { field: `evidence.${e.id}`, key: 'workflow.attachFirst', values: { what: e.label } })
  }

  private async checkRequires(run: RunRow, step: StepDef, row: StepRow): Promise<void> {
    const missing = step.requires.filter((r) => !run.facts[r.fact])
    if (!missing.length) return
    const why = missing.map((m) => m.message).join(' ')
    row.state = 'blocked'
    row.why = why
    await this.d.record(
      () => this.d.repo.tx().saveStep(row),
      () => ({ action: `workflow.step.${step.id}`, outcome: 'refused', ticketId: run.ticketId, device: this.device(run), detail: why }),
    )
    this.changed(run.id, run.ticketId)
    throw new AppError('FORBIDDEN', why, { hint: 'Complete the step that provides it first.', key: 'workflow.requires', values: { why } })
  }

  private async execute(run: RunRow, step: StepDef, row: StepRow, inputs: Record<string, unknown>, chosen: string | undefined, background: boolean, transient: Map<string, string>): Promise<WorkflowReply> {
    const action = this.d.actions.get(step.action!)
    if (!action) throw new AppError('INTERNAL', `The action "${step.action}" of step "${step.title}" is not installed.`, { key: 'workflow.noAction', values: { action: step.action ?? '', step: step.title } })
    const runner = async (ctx: ActionContext): Promise<ActionResult> => {
      const r = await action.run(ctx)
      // A manual step's check that passes ends the step with the outcome the agent chose.
      return chosen && 'outcome' in r && r.outcome === 'ok' ? { ...r, outcome: chosen } : r
    }
    if (background) {
      await this.spawn(run, await this.d.ticket(run.ticketId), step, row, inputs, runner, false, transient)
      // Give quick operations the chance to finish inside this call, so the reply already
      // carries their result (and any value to reveal); long ones keep reporting progress.
      const f = this.inflight.get(row.id)
      if (f) await Promise.race([f.promise, new Promise((r) => setTimeout(r, QUICK_MS))])
      return { run: await this.get(run.id), reveal: this.inflight.has(row.id) ? null : await this.takeReveal(run.id) }
    }
    const ctx = this.context(run, await this.d.ticket(run.ticketId), step, row, inputs, new AbortController().signal, false, transient)
    let r: ActionResult
    try {
      r = await runner(ctx)
    } catch (e) {
      // Checks of manual steps (a serial that is not valid, a file that does not parse) are
      // answered to the agent directly; the step stays current.
      if (e instanceof AppError && (e.code === 'VALIDATION' || e.code === 'BAD_INPUT')) throw e
      r = failure(e)
    }
    await this.finish(run, step, row, inputs, r)
    return { run: await this.get(run.id), reveal: await this.takeReveal(run.id) }
  }

  /**
   * Resolves once the step is written as running and its operation has started (it goes on in
   * the background, in `inflight`); rejects, with nothing started, when that write fails.
   */
  private async spawn(run: RunRow, ticket: Ticket, step: StepDef, row: StepRow, inputs: Record<string, unknown>, fn: (ctx: ActionContext) => Promise<ActionResult>, interrupted: boolean, transient = new Map<string, string>()): Promise<void> {
    // Written BEFORE the operation starts: if the process dies now, the restart sees it.
    row.phase = 'running'
    row.state = 'current'
    row.why = interrupted ? 'Re-checking the device after an interruption…' : ''
    row.inputs = { ...row.inputs, ...inputs }
    await this.d.repo.saveRunAndStep(run, row)
    const abort = new AbortController()
    const ctx = this.context(run, ticket, step, row, inputs, abort.signal, interrupted, transient)
    const promise = (async () => {
      let r: ActionResult
      try {
        r = await fn(ctx)
      } catch (e) {
        if (abort.signal.aborted) return // shutting down: leave the row 'running' for the next start
        r = failure(e)
      }
      // A finish that cannot be written (disk full) leaves the row 'running': the next start re-checks it.
      await this.finish(run, step, row, inputs, r).catch((err) => logger().error({ err, runId: run.id, step: step.id }, `workflows: the end of step "${step.id}" of run #${run.id} could not be saved`))
    })().finally(() => {
      this.inflight.delete(row.id)
      this.live.delete(row.id)
      this.d.progress(`workflow:${run.id}:${step.id}`, step.title, 1, 1, true)
      this.changed(run.id, run.ticketId)
    })
    this.inflight.set(row.id, { runId: run.id, promise, abort })
    this.changed(run.id, run.ticketId)
  }

  private context(run: RunRow, ticket: Ticket, step: StepDef, row: StepRow, inputs: Record<string, unknown>, signal: AbortSignal, interrupted: boolean, transient: Map<string, string>): ActionContext {
    // A step's own changes (live progress) go through changed() too: the event carries the view.
    return stepContext({ d: { ...this.d, changed: (runId: number, ticketId: number) => this.changed(runId, ticketId) }, attachments: this.attachments, live: this.live, device: () => this.device(run) }, { run, ticket, step, row, inputs, signal, interrupted, transient })
  }

  /** Records the end of a step (or its block/failure) and moves the run on. */
  private async finish(run: RunRow, step: StepDef, row: StepRow, inputs: Record<string, unknown>, r: ActionResult): Promise<void> {
    const now = new Date().toISOString()
    row.phase = 'idle'
    row.inputs = { ...row.inputs, ...inputs }
    row.agent = await this.d.agentLabel()
    row.result = { ...row.result, ...(r.result ?? {}) }
    if ('failed' in r) {
      // This attempt failed; the run stays on the step with a fresh visit for the retry.
      row.state = 'failed'
      row.why = r.failed
      row.endedAt = now
      await this.d.record(
        () => this.d.repo.tx().advance(run, row, step.id, now),
        () => ({ action: `workflow.step.${step.id}`, outcome: 'failed', ticketId: run.ticketId, device: this.device(run), inputs, detail: r.failed }),
      )
      this.changed(run.id, run.ticketId)
      return
    }
    if ('blocked' in r) {
      row.state = 'blocked'
      row.why = r.blocked
      await this.d.record(
        () => {
          const tx = this.d.repo.tx()
          tx.saveRun(run)
          tx.saveStep(row)
        },
        () => ({ action: `workflow.step.${step.id}`, outcome: 'refused', ticketId: run.ticketId, device: this.device(run), inputs, detail: r.blocked }),
      )
      this.changed(run.id, run.ticketId)
      return
    }
    const o = step.outcomes[r.outcome]
    if (!o) throw new AppError('INTERNAL', `Step "${step.title}" ended with "${r.outcome}", which the procedure does not handle.`, { key: 'workflow.badOutcome', values: { step: step.title, outcome: r.outcome } })
    row.state = 'done'
    row.outcome = r.outcome
    row.why = o.message ?? ''
    row.endedAt = now
    await this.d.record(
      () => this.d.repo.tx().advance(run, row, o.next === END ? null : o.next, now),
      () => [
        { action: `workflow.step.${step.id}`, outcome: o.tone === 'bad' ? 'failed' : 'ok', ticketId: run.ticketId, device: this.device(run), inputs: { ...inputs, outcome: r.outcome } },
        ...(o.next === END ? [{ action: 'workflow.complete', outcome: 'ok' as const, ticketId: run.ticketId, device: this.device(run), inputs: { procedure: run.procedure } }] : []),
      ],
    )
    this.changed(run.id, run.ticketId)
  }
}
