// The declarative format of a procedure. Support leads write procedures as data (a TS or JSON
// file in ./procedures); the engine only interprets them. `validateProcedure` checks the graph
// as well as the shape: every `next` names a step, every step is reachable from the start, and
// the end is reachable from every step, so a run can never be stranded.
import { z } from 'zod'
import { EvidenceKind } from '../../../shared/contract/evidence'
import { OTHER_EVIDENCE } from '../../../shared/contract/workflows'

export const END = 'end'
/** The optional attachment every step takes (shared/contract/workflows.ts); reserved: no step declares a slot with this id. */
export { OTHER_EVIDENCE }
const StepId = z.string().regex(/^[a-z][a-z0-9-]{1,47}$/, 'step ids are kebab-case, 2–48 characters')

export const InputDef = z
  .object({
    id: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,39}$/),
    label: z.string().min(1),
    /** text/textarea/choice/checkbox are stored (masked by key); secret is sealed and never shown again. */
    type: z.enum(['text', 'textarea', 'serial', 'secret', 'choice', 'checkbox', 'address']),
    required: z.boolean().default(true),
    help: z.string().optional(),
    placeholder: z.string().optional(),
    options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
    /** Copy the value into the run's facts under this name (not for secrets). */
    fact: z.string().optional(),
    /** Secrets only: handed to the step's action and forgotten (never sealed into the run). */
    transient: z.boolean().default(false),
    /** Pre-fill from a fact or from the ticket ("ticket.deviceSerial"); "a|b" takes the first that has a value. */
    prefill: z.string().optional(),
  })
  .strict()
export type InputDef = z.infer<typeof InputDef>

export const OutcomeDef = z
  .object({
    label: z.string().min(1),
    next: z.string(),
    /** Shown to the agent when the step ends this way (what it means, what comes next). */
    message: z.string().optional(),
    tone: z.enum(['ok', 'warn', 'bad']).default('ok'),
  })
  .strict()

export const Requirement = z.object({ fact: z.string(), message: z.string() }).strict()

export const StepDef = z
  .object({
    id: StepId,
    title: z.string().min(1),
    /** Plain text; blank lines separate paragraphs, lines starting "- " are list items, {{fact}} is filled in. */
    instructions: z.string().min(1),
    kind: z.enum(['manual', 'auto', 'decision']),
    inputs: z.array(InputDef).default([]),
    /** Attachments the step needs before it can be completed (e.g. the downloaded backup). */
    /** `vault`: the kind of evidence the file becomes in the ticket's evidence vault (default: other). */
    evidence: z.array(z.object({ id: z.string(), label: z.string(), required: z.boolean().default(true), accept: z.string().optional(), vault: EvidenceKind.optional() }).strict()).default([]),
    /** Facts that must be true before the step may run; the step is blocked (with the message) otherwise. */
    requires: z.array(Requirement).default([]),
    /** Registered action the engine calls: on "Run" for auto steps, on completion for manual ones (checks). */
    action: z.string().optional(),
    /** Changes the device irreversibly: never re-run by itself after an interruption. */
    destructive: z.boolean().default(false),
    /** The agent must type the value of this fact (e.g. the serial) to run the step. */
    confirm: z.object({ fact: z.string(), prompt: z.string() }).strict().optional(),
    /** A message for the agent to copy and send (e.g. to the previous owner). */
    template: z.object({ title: z.string(), body: z.string() }).strict().optional(),
    /** A warning box shown with the step. */
    warning: z.string().optional(),
    outcomes: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), OutcomeDef),
    skippable: z.boolean().default(true),
    /**
     * The step completes by itself from what the agent does elsewhere (a panel of the ticket):
     * the engine runs its `action` whenever that work changes (WorkflowEngine.observe) and
     * moves on when it returns an outcome; the agent never confirms it with a click.
     */
    observed: z.boolean().default(false),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.observed && (s.kind !== 'manual' || !s.action)) ctx.addIssue({ code: 'custom', message: `observed step ${s.id}: must be a manual step with an action that reads the state` })
    const n = Object.keys(s.outcomes).length
    if (n === 0) ctx.addIssue({ code: 'custom', message: `step ${s.id}: needs at least one outcome` })
    if (s.kind === 'decision' && n < 2) ctx.addIssue({ code: 'custom', message: `decision step ${s.id}: needs two or more outcomes` })
    if (s.kind === 'auto' && !s.action) ctx.addIssue({ code: 'custom', message: `auto step ${s.id}: names no action` })
    if (s.destructive && !s.confirm) ctx.addIssue({ code: 'custom', message: `destructive step ${s.id}: needs a typed confirmation` })
    if (s.inputs.some((i) => i.type === 'secret' && i.fact)) ctx.addIssue({ code: 'custom', message: `step ${s.id}: a secret input cannot be copied into facts` })
    if (s.evidence.some((e) => e.id === OTHER_EVIDENCE)) ctx.addIssue({ code: 'custom', message: `step ${s.id}: the evidence id "${OTHER_EVIDENCE}" is reserved for the optional attachment every step takes` })
  })
export type StepDef = z.infer<typeof StepDef>
export type StepDefInput = z.input<typeof StepDef>

export const ProcedureDef = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{1,47}$/),
    version: z.number().int().positive(),
    title: z.string().min(1),
    summary: z.string(),
    /** The ticket procedure this definition serves (tickets.procedure). */
    ticketProcedure: z.string(),
    start: StepId,
    steps: z.array(StepDef).min(1),
  })
  .strict()
export type ProcedureDef = z.infer<typeof ProcedureDef>
export type ProcedureDefInput = z.input<typeof ProcedureDef>

/** Shape + graph check. Throws with every problem listed (support leads fix them in one pass). */
export function validateProcedure(raw: unknown, knownActions?: ReadonlySet<string>): ProcedureDef {
  const p = ProcedureDef.parse(raw)
  const problems = graphProblems(p)
  if (knownActions) for (const s of p.steps) if (s.action && !knownActions.has(s.action)) problems.push(`step ${s.id}: unknown action "${s.action}"`)
  if (problems.length) throw new Error(`Procedure ${p.id} is not valid:\n- ${problems.join('\n- ')}`)
  return p
}

export function graphProblems(p: ProcedureDef): string[] {
  const problems: string[] = []
  const ids = new Map<string, StepDef>()
  for (const s of p.steps) {
    if (ids.has(s.id)) problems.push(`step id ${s.id} is used twice`)
    ids.set(s.id, s)
  }
  if (!ids.has(p.start)) problems.push(`start step ${p.start} does not exist`)
  for (const s of p.steps)
    for (const [o, d] of Object.entries(s.outcomes)) if (d.next !== END && !ids.has(d.next)) problems.push(`step ${s.id}, outcome ${o}: next step ${d.next} does not exist`)
  if (problems.length) return problems
  // Reachable from the start.
  const seen = new Set<string>([p.start])
  const queue = [p.start]
  while (queue.length) {
    for (const d of Object.values(ids.get(queue.shift()!)!.outcomes)) {
      if (d.next === END || seen.has(d.next)) continue
      seen.add(d.next)
      queue.push(d.next)
    }
  }
  for (const s of p.steps) if (!seen.has(s.id)) problems.push(`step ${s.id} can never be reached from ${p.start}`)
  // The end is reachable from every step (no dead ends, no closed loops).
  const canEnd = new Set<string>()
  let grew = true
  while (grew) {
    grew = false
    for (const s of p.steps) {
      if (canEnd.has(s.id) || !Object.values(s.outcomes).some((d) => d.next === END || canEnd.has(d.next))) continue
      canEnd.add(s.id)
      grew = true
    }
  }
  for (const s of p.steps) if (!canEnd.has(s.id)) problems.push(`step ${s.id} cannot lead to the end of the procedure (dead end or closed loop)`)
  return problems
}

/** The steps a run would take from `from` if every step ended with its first outcome (the "pending" tail of the timeline). */
export function projectedPath(p: ProcedureDef, from: string, limit = 30): string[] {
  const byId = new Map(p.steps.map((s) => [s.id, s]))
  const out: string[] = []
  let cur: string | undefined = from
  const seen = new Set<string>()
  while (cur && cur !== END && !seen.has(cur) && out.length < limit) {
    seen.add(cur)
    out.push(cur)
    cur = Object.values(byId.get(cur)?.outcomes ?? {})[0]?.next
  }
  return out
}

/** The newest version of each procedure (what agents can start). */
export const latestProcedures = (m: ReadonlyMap<string, ProcedureDef>): ProcedureDef[] => [...m.entries()].filter(([k]) => !k.includes('@')).map(([, p]) => p)
