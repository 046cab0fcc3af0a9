import type { Database, Statement } from 'better-sqlite3'
import { AppError } from '../../shared/contract/common'
import type { StepState, TimelineEntry, WorkflowFile, WorkflowNote, WorkflowRun } from '../../shared/contract/workflows'
import type { RowOf } from '../row-of'
import { reading, txScope, writing } from './tx-scope'

/** The states a visit is stored in: 'pending' steps are only projected in the timeline, never stored. */
export type StoredStepState = Exclude<StepState, 'pending'>
/** Whether a visit's device operation is under way (storage only: the contract shows it as `running`). */
type StepPhase = 'idle' | 'running'

/** A run as stored: what the contract's run shows of the row, and what it keeps for itself. */
export type RunRow = Pick<WorkflowRun, 'id' | 'ticketId' | 'procedure' | 'status' | 'createdAt' | 'updatedAt'> & {
  procedureVersion: number
  currentStep: string | null
  facts: Record<string, unknown>
  /** name → sealed value (SecretBox). Never leaves the main process. */
  secrets: Record<string, string>
  endedAt: string | null
}

/** A visit of a step as stored (a row of the timeline). */
export type StepRow = Pick<TimelineEntry, 'stepId' | 'outcome' | 'why' | 'inputs' | 'result' | 'agent' | 'endedAt'> & {
  id: number
  runId: number
  visit: number
  state: StoredStepState
  phase: StepPhase
  startedAt: string
}

export type NoteRow = WorkflowNote & { runId: number; stepRow: number }
export type FileRow = WorkflowFile & {
  runId: number
  stepRow: number
  /** Relative path under the data folder when the bytes are held there (a password-protected copy, or a file from before migration 7); '' when the vault holds them. */
  storedAs: string
  /** The ticket's evidence row for this attachment (null only for files not yet moved into the vault). */
  evidenceId: number | null
}

const json = (s: string) => JSON.parse(s) as Record<string, unknown>
// Statements return unknown: each mapper reads its row as the table's columns.
const toRun = (row: unknown): RunRow => {
  const r = row as RowOf<RunRow, { facts: string; secrets: string }>
  return {
    id: r.id, ticketId: r.ticket_id, procedure: r.procedure, procedureVersion: r.procedure_version, status: r.status,
    currentStep: r.current_step, facts: json(r.facts), secrets: json(r.secrets) as Record<string, string>,
    createdAt: r.created_at, updatedAt: r.updated_at, endedAt: r.ended_at,
  }
}
const toStep = (row: unknown): StepRow => {
  const r = row as RowOf<StepRow, { inputs: string; result: string }>
  return {
    id: r.id, runId: r.run_id, stepId: r.step_id, visit: r.visit, state: r.state, phase: r.phase, outcome: r.outcome,
    why: r.why, inputs: json(r.inputs), result: json(r.result), agent: r.agent, startedAt: r.started_at, endedAt: r.ended_at,
  }
}
const toNote = (row: unknown): NoteRow => {
  const r = row as RowOf<NoteRow>
  return { id: r.id, runId: r.run_id, stepRow: r.step_row, agent: r.agent, body: r.body, createdAt: r.created_at }
}
const toFile = (row: unknown): FileRow => {
  // evidence_id: migration 7.
  const r = row as RowOf<FileRow, { protected: number; verified: number; evidence_id?: number | null }>
  return {
    id: r.id, runId: r.run_id, stepRow: r.step_row, kind: r.kind, name: r.name, size: r.size, sha256: r.sha256,
    storedAs: r.stored_as, protected: r.protected === 1, verified: r.verified === 1, detail: r.detail, createdAt: r.created_at,
    evidenceId: r.evidence_id ?? null,
  }
}

/**
 * The workflow rows' statements that run inside a transaction (a transition and its audit
 * entry: App.record), reached only through `WorkflowsRepo.tx()`; everything else awaits the
 * repository. Callers write before they act (a step is marked running before its device
 * operation starts), so the database always says where a run stopped.
 */
export class WorkflowsTx {
  private readonly st: Record<string, Statement>
  constructor(private readonly db: Database) {
    this.st = {
      insertRun: db.prepare(`INSERT INTO workflow_runs (ticket_id, procedure, procedure_version, status, current_step, facts, created_at, updated_at)
        VALUES (?, ?, ?, 'active', ?, ?, ?, ?) RETURNING *`),
      getRun: db.prepare('SELECT * FROM workflow_runs WHERE id = ?'),
      runsForTicket: db.prepare('SELECT * FROM workflow_runs WHERE ticket_id = ? ORDER BY id DESC'),
      activeRuns: db.prepare(`SELECT * FROM workflow_runs WHERE status = 'active' ORDER BY id`),
      activeFor: db.prepare(`SELECT * FROM workflow_runs WHERE ticket_id = ? AND procedure = ? AND status = 'active'`),
      updateRun: db.prepare(`UPDATE workflow_runs SET status = @status, current_step = @currentStep, facts = @facts, secrets = @secrets,
        updated_at = @now, ended_at = @endedAt WHERE id = @id`),
      insertStep: db.prepare(`INSERT INTO workflow_steps (run_id, step_id, visit, state, started_at)
        VALUES (?, ?, (SELECT coalesce(max(visit), 0) + 1 FROM workflow_steps WHERE run_id = ? AND step_id = ?), 'current', ?) RETURNING *`),
      updateStep: db.prepare(`UPDATE workflow_steps SET state = @state, phase = @phase, outcome = @outcome, why = @why, inputs = @inputs,
        result = @result, agent = @agent, ended_at = @endedAt WHERE id = @id`),
      steps: db.prepare('SELECT * FROM workflow_steps WHERE run_id = ? ORDER BY id'),
      stepRow: db.prepare('SELECT * FROM workflow_steps WHERE id = ?'),
      openStep: db.prepare(`SELECT * FROM workflow_steps WHERE run_id = ? AND step_id = ? AND state IN ('current', 'blocked') ORDER BY id DESC LIMIT 1`),
      insertNote: db.prepare('INSERT INTO workflow_notes (run_id, step_row, agent, body, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *'),
      notes: db.prepare('SELECT * FROM workflow_notes WHERE run_id = ? ORDER BY id'),
      files: db.prepare('SELECT * FROM workflow_files WHERE run_id = ? ORDER BY id'),
      file: db.prepare('SELECT * FROM workflow_files WHERE id = ?'),
    }
  }

  /** Creates the run and its first step row (in the caller's transaction: both or neither). */
  createRun(ticketId: number, procedure: string, version: number, start: string, facts: Record<string, unknown>, now = new Date().toISOString()): RunRow {
    if (this.st.activeFor.get(ticketId, procedure)) throw new AppError('CONFLICT', `Ticket #${ticketId} already has this procedure running.`, { hint: 'Continue the run shown on the ticket.', key: 'workflow.alreadyRunning', values: { id: ticketId } })
    const run = toRun(this.st.insertRun.get(ticketId, procedure, version, start, JSON.stringify(facts), now, now))
    this.st.insertStep.run(run.id, start, run.id, start, now)
    return run
  }

  getRun(id: number): RunRow {
    const r = this.st.getRun.get(id)
    if (!r) throw new AppError('NOT_FOUND', `Workflow run #${id} does not exist.`, { key: 'workflow.noSuchRun', values: { id } })
    return toRun(r)
  }
  runsForTicket(ticketId: number): RunRow[] { return this.st.runsForTicket.all(ticketId).map(toRun) }
  activeRuns(): RunRow[] { return this.st.activeRuns.all().map(toRun) }
  steps(runId: number): StepRow[] { return this.st.steps.all(runId).map(toStep) }
  step(rowId: number): StepRow {
    const r = this.st.stepRow.get(rowId)
    if (!r) throw new AppError('NOT_FOUND', `Workflow step #${rowId} does not exist.`, { key: 'workflow.noSuchStepRow', values: { id: rowId } })
    return toStep(r)
  }
  /** The current (or blocked) visit of a step, if the run is on it. */
  openStep(runId: number, stepId: string): StepRow | null {
    const r = this.st.openStep.get(runId, stepId)
    return r ? toStep(r) : null
  }
  notes(runId: number): NoteRow[] { return this.st.notes.all(runId).map(toNote) }
  files(runId: number): FileRow[] { return this.st.files.all(runId).map(toFile) }
  file(id: number): FileRow {
    const r = this.st.file.get(id)
    if (!r) throw new AppError('NOT_FOUND', `Attachment #${id} does not exist.`, { key: 'workflow.noSuchAttachment', values: { id } })
    return toFile(r)
  }

  saveRun(r: RunRow, now = new Date().toISOString()): void {
    this.st.updateRun.run({ id: r.id, status: r.status, currentStep: r.currentStep, facts: JSON.stringify(r.facts), secrets: JSON.stringify(r.secrets), now, endedAt: r.endedAt })
    r.updatedAt = now
  }
  saveStep(s: StepRow): void {
    this.st.updateStep.run({ id: s.id, state: s.state, phase: s.phase, outcome: s.outcome, why: s.why, inputs: JSON.stringify(s.inputs), result: JSON.stringify(s.result), agent: s.agent, endedAt: s.endedAt })
  }
  /** Closes one step and opens the next (or ends the run), in the caller's transaction: all or nothing. */
  advance(run: RunRow, closed: StepRow, next: string | null, now = new Date().toISOString()): StepRow | null {
    this.saveStep(closed)
    run.currentStep = next
    if (next === null) {
      run.status = 'completed'
      run.endedAt = now
    }
    this.saveRun(run, now)
    return next === null ? null : toStep(this.st.insertStep.get(run.id, next, run.id, next, now))
  }
  addNote(runId: number, stepRow: number, agent: string, body: string, now = new Date().toISOString()): NoteRow {
    return toNote(this.st.insertNote.get(runId, stepRow, agent, body, now))
  }
  addFile(f: Omit<FileRow, 'id'>): FileRow {
    // Prepared on use: the statements of the constructor also serve databases before migration 7 (its tests).
    const st = this.db.prepare(`INSERT INTO workflow_files (run_id, step_row, kind, name, size, sha256, stored_as, protected, verified, detail, created_at, evidence_id)
      VALUES (@runId, @stepRow, @kind, @name, @size, @sha256, @storedAs, @protected, @verified, @detail, @createdAt, @evidenceId) RETURNING *`)
    return toFile(st.get({ ...f, protected: f.protected ? 1 : 0, verified: f.verified ? 1 : 0 }))
  }
  /** Attachments whose bytes have not been moved into the evidence vault yet (written before migration 7). */
  unfiledFiles(): FileRow[] {
    return this.db.prepare('SELECT * FROM workflow_files WHERE evidence_id IS NULL ORDER BY id').all().map(toFile)
  }
  /** Records that an attachment is now in the vault (storedAs '' when the vault holds the bytes). */
  fileInVault(id: number, evidenceId: number, storedAs: string): void {
    this.db.prepare('UPDATE workflow_files SET evidence_id = ?, stored_as = ? WHERE id = ?').run(evidenceId, storedAs, id)
  }
}

/**
 * Persistence of workflow runs. Every change is its own transaction (or the caller's, through
 * tx()); callers write before they act, so the database always says where a run stopped.
 */
export class WorkflowsRepo {
  private readonly view: WorkflowsTx
  constructor(readonly db: Database) {
    this.view = new WorkflowsTx(db)
  }

  /**
   * The synchronous operations, for a transition and its audit entry in one transaction
   * (App.record), or several reads in one pass (`reading`); throws outside a transaction.
   */
  tx(): WorkflowsTx {
    return txScope(this.db, this.view, 'workflows')
  }

  /** Creates the run and its first step row in one transaction. */
  async createRun(ticketId: number, procedure: string, version: number, start: string, facts: Record<string, unknown>, now?: string): Promise<RunRow> {
    return writing(this.db, () => this.tx().createRun(ticketId, procedure, version, start, facts, now))
  }
  async getRun(id: number): Promise<RunRow> {
    return reading(this.db, () => this.tx().getRun(id))
  }
  async runsForTicket(ticketId: number): Promise<RunRow[]> {
    return reading(this.db, () => this.tx().runsForTicket(ticketId))
  }
  async activeRuns(): Promise<RunRow[]> {
    return reading(this.db, () => this.tx().activeRuns())
  }
  async steps(runId: number): Promise<StepRow[]> {
    return reading(this.db, () => this.tx().steps(runId))
  }
  async step(rowId: number): Promise<StepRow> {
    return reading(this.db, () => this.tx().step(rowId))
  }
  /** The current (or blocked) visit of a step, if the run is on it. */
  async openStep(runId: number, stepId: string): Promise<StepRow | null> {
    return reading(this.db, () => this.tx().openStep(runId, stepId))
  }
  async notes(runId: number): Promise<NoteRow[]> {
    return reading(this.db, () => this.tx().notes(runId))
  }
  async files(runId: number): Promise<FileRow[]> {
    return reading(this.db, () => this.tx().files(runId))
  }
  async file(id: number): Promise<FileRow> {
    return reading(this.db, () => this.tx().file(id))
  }
  async saveRun(r: RunRow, now?: string): Promise<void> {
    writing(this.db, () => this.tx().saveRun(r, now))
  }
  async saveStep(s: StepRow): Promise<void> {
    writing(this.db, () => this.tx().saveStep(s))
  }
  /** A run and the visit it is on, in one write (the facts a step learned with the step's state). */
  async saveRunAndStep(r: RunRow, s: StepRow, now?: string): Promise<void> {
    writing(this.db, () => {
      this.tx().saveRun(r, now)
      this.tx().saveStep(s)
    })
  }
  /** Closes one step and opens the next (or ends the run) atomically. */
  async advance(run: RunRow, closed: StepRow, next: string | null, now?: string): Promise<StepRow | null> {
    return writing(this.db, () => this.tx().advance(run, closed, next, now))
  }
  async addNote(runId: number, stepRow: number, agent: string, body: string, now?: string): Promise<NoteRow> {
    return writing(this.db, () => this.tx().addNote(runId, stepRow, agent, body, now))
  }
  async addFile(f: Omit<FileRow, 'id'>): Promise<FileRow> {
    return writing(this.db, () => this.tx().addFile(f))
  }
  /** Attachments whose bytes have not been moved into the evidence vault yet (written before migration 7). */
  async unfiledFiles(): Promise<FileRow[]> {
    return reading(this.db, () => this.tx().unfiledFiles())
  }
  /** Records that an attachment is now in the vault (storedAs '' when the vault holds the bytes). */
  async fileInVault(id: number, evidenceId: number, storedAs: string): Promise<void> {
    writing(this.db, () => this.tx().fileInVault(id, evidenceId, storedAs))
  }
}
