// What a procedure's steps can call. Actions are registered by name in code (device and cloud
// operations, checks); procedures refer to them by that name, so a support lead can reorder
// and reword steps, add branches and new procedures without touching the engine.
import type { Ticket } from '../../../shared/contract/tickets'
import type { FileRow, RunRow } from '../../../db/repos/workflows'
import type { StepDef } from './definition'

export interface ActionContext {
  readonly run: Readonly<RunRow>
  readonly ticket: Ticket
  readonly step: StepDef
  /** Non-secret inputs of this step (secret inputs are only reachable through `secret()`). */
  readonly inputs: Record<string, unknown>
  /** Shared, persisted facts of the run (serial, address, backup id…). Mutations are saved with the step. */
  readonly facts: Record<string, unknown>
  /** True when the engine is re-checking a step that was interrupted (crash, restart). */
  readonly interrupted: boolean
  readonly signal: AbortSignal
  /** Opens a sealed value of the run (an input of type secret, or one set by an action). */
  secret(name: string): string | null
  /** Seals the value and saves it with the run's facts at once (written when called; resolves when it held). */
  setSecret(name: string, value: string): Promise<void>
  /**
   * A keyed fingerprint of `parts` (HMAC under this data folder's key): lets a step remember
   * that a password was rejected without keeping anything that could be brute-forced offline.
   */
  fingerprint(parts: readonly string[]): string
  /** Saves the facts now (before a device operation whose intent must survive a crash): written when called; await it before acting. */
  persist(): Promise<void>
  /** Long work: shown on the step and sent as 'task.progress'. */
  progress(label: string, done?: number, total?: number | null): void
  /** Files attached to this step (every visit) or, with `all`, to the whole run. */
  files(all?: boolean): Promise<FileRow[]>
  readFile(id: number, password?: string): Promise<Buffer>
  /** Into the ticket's evidence vault (a password-protected copy stays encrypted on disk, recorded there by reference). */
  storeFile(f: { kind: string; name: string; data: Buffer; password?: string; verified: boolean; detail?: string }): Promise<FileRow>
  /** Show the run's sealed secret `secret` to the agent exactly once (e.g. a generated password), even after a crash. */
  reveal(label: string, secret: string): void
  /** Extra audit entry for a sub-operation (the step itself is audited by the engine). */
  audit(action: string, outcome: 'ok' | 'failed' | 'refused' | 'info', inputs?: Record<string, unknown>, detail?: string): Promise<void>
}

export type ActionResult =
  /** The step ends with this outcome (must be one of the step's outcomes). */
  | { outcome: string; result?: Record<string, unknown> }
  /** This attempt failed (device error, unreachable); the agent may retry the step. */
  | { failed: string; result?: Record<string, unknown> }
  /** The step cannot finish now; the run stays on it with this reason (agent fixes and retries). */
  | { blocked: string; result?: Record<string, unknown> }

export interface Action {
  /** Irreversible device change: after an interruption it is re-checked, never re-run by itself. */
  destructive?: boolean
  run(ctx: ActionContext): Promise<ActionResult>
  /**
   * After an interruption mid-way: find out from the device what happened. Returns the outcome
   * when the operation is known to have completed, a `blocked` reason when the agent must
   * decide, or null when the step may simply be run again.
   */
  recheck?(ctx: ActionContext): Promise<ActionResult | null>
}

export type ActionRegistry = ReadonlyMap<string, Action>
