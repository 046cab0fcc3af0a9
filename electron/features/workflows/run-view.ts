// Turns a persisted run into what the ticket page shows: the timeline (every visit, then
// the projected pending steps) and the current step with its instructions filled in.
import type { Ticket } from '../../../shared/contract/tickets'
import type { CurrentStep, TimelineEntry, WorkflowRun } from '../../../shared/contract/workflows'
import type { FileRow, NoteRow, RunRow, StepRow } from '../../../db/repos/workflows'
import { projectedPath, type ProcedureDef, type StepDef } from './definition'
import { REVEALED, type LiveProgress } from './step-context'

export type { LiveProgress }

/** Facts the agent sees; anything not a scalar (or named like a secret) stays inside. */
const HIDDEN_FACT = /pass|secret|code|token/i
export function visibleFacts(facts: Record<string, unknown>): WorkflowRun['facts'] {
  const out: WorkflowRun['facts'] = {}
  for (const [k, v] of Object.entries(facts)) {
    if (HIDDEN_FACT.test(k)) continue
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v as string | number | boolean | null
  }
  return out
}

const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g
function value(key: string, facts: Record<string, unknown>, ticket: Ticket): string {
  const v = key.startsWith('ticket.') ? (ticket as unknown as Record<string, unknown>)[key.slice(7)] : facts[key]
  return v === undefined || v === null || v === '' ? '…' : String(v)
}

/** Fills {{fact}} and {{ticket.field}} placeholders; unknown ones become "…". */
export function fill(text: string, facts: Record<string, unknown>, ticket: Ticket): string {
  return text.replace(PLACEHOLDER, (_, key: string) => value(key, facts, ticket))
}

/** The values fill() puts into these texts, by placeholder: the renderer fills its translation of them with the same. */
export function placeholderValues(texts: (string | undefined)[], facts: Record<string, unknown>, ticket: Ticket): Record<string, string> {
  const out: Record<string, string> = {}
  for (const t of texts) for (const m of (t ?? '').matchAll(PLACEHOLDER)) out[m[1]] = value(m[1], facts, ticket)
  return out
}

function prefill(def: StepDef['inputs'][number], facts: Record<string, unknown>, ticket: Ticket): string | undefined {
  if (!def.prefill || def.type === 'secret') return undefined
  // "a|b": the first source that has a value.
  for (const src of def.prefill.split('|')) {
    const v = src.startsWith('ticket.') ? (ticket as unknown as Record<string, unknown>)[src.slice(7)] : facts[src]
    if (v !== undefined && v !== null && v !== '') return String(v)
  }
  return undefined
}

/** The run's stored rows the view is made of (read in one pass by the engine). */
export interface RunRows { steps: StepRow[]; notes: NoteRow[]; files: FileRow[] }

export function buildRunView(run: RunRow, p: ProcedureDef, { steps: rows, notes, files }: RunRows, ticket: Ticket, isRunning: (row: number) => boolean, live: ReadonlyMap<number, LiveProgress>): WorkflowRun {
  const byId = new Map(p.steps.map((s) => [s.id, s]))
  const timeline: TimelineEntry[] = rows.map((r) => {
    const def = byId.get(r.stepId)
    const o = r.outcome ? def?.outcomes[r.outcome] : undefined
    return {
      row: r.id,
      stepId: r.stepId,
      title: def?.title ?? r.stepId,
      kind: def?.kind ?? 'manual',
      state: r.state,
      running: r.phase === 'running',
      outcome: r.outcome,
      outcomeLabel: o?.label ?? null,
      tone: o?.tone ?? (r.state === 'failed' ? 'bad' : r.state === 'blocked' ? 'warn' : null),
      why: r.why,
      inputs: r.inputs,
      result: r.result,
      agent: r.agent,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      notes: notes.filter((n) => n.stepRow === r.id).map((n) => ({ id: n.id, agent: n.agent, body: n.body, createdAt: n.createdAt })),
      files: files.filter((f) => f.stepRow === r.id).map((f) => ({ id: f.id, kind: f.kind, name: f.name, size: f.size, sha256: f.sha256, protected: f.protected, verified: f.verified, detail: f.detail, createdAt: f.createdAt })),
    }
  })
  let current: CurrentStep | null = null
  const cur = run.status === 'active' && run.currentStep ? byId.get(run.currentStep) : undefined
  const curRow = cur ? [...rows].reverse().find((r) => r.stepId === cur.id && (r.state === 'current' || r.state === 'blocked')) : undefined
  if (cur && curRow) {
    const stepFiles = new Set(rows.filter((r) => r.stepId === cur.id).map((r) => r.id))
    const conf = cur.confirm ? String(run.facts[cur.confirm.fact] ?? '') : ''
    current = {
      stepId: cur.id,
      row: curRow.id,
      title: cur.title,
      kind: cur.kind,
      instructions: fill(cur.instructions, run.facts, ticket),
      warning: cur.warning ? fill(cur.warning, run.facts, ticket) : null,
      inputs: cur.inputs.map((i) => ({
        id: i.id, label: i.label, type: i.type, required: i.required, help: i.help, placeholder: i.placeholder, options: i.options,
        value: prefill(i, run.facts, ticket), stored: i.type === 'secret' ? Boolean(run.secrets[i.id]) : undefined,
      })),
      evidence: cur.evidence.map(({ vault: _vault, ...e }) => ({ ...e, attached: files.some((f) => f.kind === e.id && stepFiles.has(f.stepRow)) })),
      outcomes: Object.entries(cur.outcomes).map(([id, o]) => ({ id, label: o.label, tone: o.tone })),
      requires: cur.requires.map((r) => ({ message: r.message, met: Boolean(run.facts[r.fact]) })),
      confirm: cur.confirm ? { prompt: fill(cur.confirm.prompt, run.facts, ticket), length: conf.length } : null,
      template: cur.template ? { title: fill(cur.template.title, run.facts, ticket), body: fill(cur.template.body, run.facts, ticket) } : null,
      destructive: cur.destructive,
      skippable: cur.skippable,
      observed: cur.observed,
      running: curRow.phase === 'running' || isRunning(curRow.id),
      progress: live.get(curRow.id) ?? null,
      vars: placeholderValues([cur.instructions, cur.warning, cur.confirm?.prompt, cur.template?.title, cur.template?.body], run.facts, ticket),
    }
    // What is still ahead if every step goes the usual way.
    for (const id of projectedPath(p, cur.id).slice(1)) {
      const def = byId.get(id)!
      timeline.push({ row: null, stepId: id, title: def.title, kind: def.kind, state: 'pending', running: false, outcome: null, outcomeLabel: null, tone: null, why: '', inputs: {}, result: {}, agent: '', startedAt: null, endedAt: null, notes: [], files: [] })
    }
  }
  return {
    id: run.id,
    ticketId: run.ticketId,
    procedure: run.procedure,
    procedureTitle: p.title,
    status: run.status,
    facts: visibleFacts(run.facts),
    secrets: Object.keys(run.secrets),
    pendingReveal: (run.facts._reveal as { label?: string } | undefined)?.label ?? null,
    revealAgain: (run.facts[REVEALED] as { label?: string } | undefined)?.label ?? null,
    timeline,
    current,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
  }
}
