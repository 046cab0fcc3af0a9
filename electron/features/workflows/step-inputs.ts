// Step inputs and step endings, shared by the engine: validation of what the agent typed
// against the definition, and how an operation's error becomes a blocked or failed step.
import { AppError } from '../../../shared/contract/common'
import type { RunRow } from '../../../db/repos/workflows'
import type { Action, ActionResult } from './actions'
import type { StepDef } from './definition'

export type Inputs = Record<string, string | boolean>

/** Checks inputs against the step definition and copies `fact` inputs into the run. Returns the non-secret inputs (secrets are sealed later, only once every check passed). */
export function acceptInputs(run: RunRow, step: StepDef, raw: Inputs): Record<string, unknown> {
  const clean: Record<string, unknown> = {}
  const known = new Set(step.inputs.map((i) => i.id).concat('confirm'))
  for (const k of Object.keys(raw)) if (!known.has(k)) throw new AppError('VALIDATION', `Unknown field: ${k}`, { field: `inputs.${k}`, key: 'workflow.unknownField', values: { field: k } })
  for (const def of step.inputs) {
    const v = raw[def.id]
    const str = typeof v === 'string' ? v.trim() : v
    const empty = str === undefined || str === '' || str === false
    if (def.type === 'secret') {
      if (empty && def.required && !run.secrets[def.id]) throw new AppError('VALIDATION', `${def.label} is required.`, { field: `inputs.${def.id}`, key: 'workflow.required', values: { label: def.label } })
      continue // sealed in `execute`/`finish` only after every check passed
    }
    if (empty) {
      if (def.required && def.type !== 'checkbox') throw new AppError('VALIDATION', `${def.label} is required.`, { field: `inputs.${def.id}`, key: 'workflow.required', values: { label: def.label } })
      if (def.required && def.type === 'checkbox') throw new AppError('VALIDATION', `Tick “${def.label}” to continue.`, { field: `inputs.${def.id}`, key: 'workflow.tick', values: { label: def.label } })
      continue
    }
    if (def.type === 'choice' && !def.options?.some((o) => o.value === str)) throw new AppError('VALIDATION', `${def.label}: choose one of the options.`, { field: `inputs.${def.id}`, key: 'workflow.chooseOption', values: { label: def.label } })
    clean[def.id] = str
  }
  for (const def of step.inputs) if (def.fact && def.id in clean) run.facts[def.fact] = clean[def.id]
  return clean
}

/** Secret inputs the action gets for this call only (e.g. the password protecting a stored backup). */
export function transientSecrets(step: StepDef, raw: Inputs): Map<string, string> {
  const m = new Map<string, string>()
  for (const d of step.inputs) if (d.type === 'secret' && d.transient && typeof raw[d.id] === 'string' && (raw[d.id] as string).trim()) m.set(d.id, (raw[d.id] as string).trim())
  return m
}

export function interruptedWhy(step: StepDef, action?: Action): string {
  return action?.destructive
    ? `The console stopped while "${step.title}" was running. It is not re-run by itself because it changes the device: check the device, then run the step again (typed confirmation) or skip it with a reason.`
    : `The console stopped while "${step.title}" was running. Run it again.`
}

/** An operation that threw: lockout risks and safety refusals block the step; the rest fail this attempt. */
export function failure(e: unknown): ActionResult {
  if (e instanceof AppError) {
    const text = e.hint ? `${e.message} ${e.hint}` : e.message
    return ['LOCKOUT_RISK', 'FORBIDDEN', 'UNAUTHORIZED'].includes(e.code) ? { blocked: text, result: { error: e.code } } : { failed: text, result: { error: e.code } }
  }
  return { failed: `Unexpected error: ${(e as Error)?.message ?? String(e)}`, result: { error: 'INTERNAL' } }
}
