// Guided workflows: a ticket's procedure run step by step. The renderer gets views only:
// secrets are never part of them (sealed values stay in the main process; a generated
// password is revealed once in the reply that created it).
import { z } from 'zod'
import { defineEvents, defineMethods, Empty, Id, IsoTime } from './common'

/**
 * The evidence id of the optional attachment every step takes besides the ones it declares
 * (a screenshot the customer sent, a photo from the site…); kind 'other' in the evidence vault.
 */
export const OTHER_EVIDENCE = 'other'

export const StepState = z.enum(['pending', 'current', 'done', 'blocked', 'skipped', 'failed'])
export type StepState = z.infer<typeof StepState>

export const WorkflowInputDef = z.object({
  id: z.string(),
  label: z.string(),
  type: z.enum(['text', 'textarea', 'serial', 'secret', 'choice', 'checkbox', 'address']),
  required: z.boolean(),
  help: z.string().optional(),
  placeholder: z.string().optional(),
  options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
  /** Suggested value (from the ticket or an earlier step); never set for secrets. */
  value: z.string().optional(),
  /** For secrets: a value is already stored (shown masked). */
  stored: z.boolean().optional(),
})

export const WorkflowNote = z.object({ id: Id, agent: z.string(), body: z.string(), createdAt: IsoTime })
export type WorkflowNote = z.infer<typeof WorkflowNote>
export const WorkflowFile = z.object({
  id: Id, kind: z.string(), name: z.string(), size: z.number().int(), sha256: z.string(),
  protected: z.boolean(), verified: z.boolean(), detail: z.string(), createdAt: IsoTime,
})
export type WorkflowFile = z.infer<typeof WorkflowFile>

export const TimelineEntry = z.object({
  /** Row id of the visit; null for pending (projected) steps. */
  row: Id.nullable(),
  stepId: z.string(),
  title: z.string(),
  kind: z.enum(['manual', 'auto', 'decision']),
  state: StepState,
  running: z.boolean(),
  outcome: z.string().nullable(),
  outcomeLabel: z.string().nullable(),
  tone: z.enum(['ok', 'warn', 'bad']).nullable(),
  why: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  result: z.record(z.string(), z.unknown()),
  agent: z.string(),
  startedAt: IsoTime.nullable(),
  endedAt: IsoTime.nullable(),
  notes: z.array(WorkflowNote),
  files: z.array(WorkflowFile),
})
export type TimelineEntry = z.infer<typeof TimelineEntry>

export const CurrentStep = z.object({
  stepId: z.string(),
  row: Id,
  title: z.string(),
  kind: z.enum(['manual', 'auto', 'decision']),
  /** Paragraphs; a paragraph of lines starting "- " is a list. Facts are already filled in. */
  instructions: z.string(),
  warning: z.string().nullable(),
  inputs: z.array(WorkflowInputDef),
  evidence: z.array(z.object({ id: z.string(), label: z.string(), required: z.boolean(), accept: z.string().optional(), attached: z.boolean() })),
  outcomes: z.array(z.object({ id: z.string(), label: z.string(), tone: z.enum(['ok', 'warn', 'bad']) })),
  requires: z.array(z.object({ message: z.string(), met: z.boolean() })),
  confirm: z.object({ prompt: z.string(), length: z.number().int() }).nullable(),
  template: z.object({ title: z.string(), body: z.string() }).nullable(),
  destructive: z.boolean(),
  skippable: z.boolean(),
  /** Completes by itself from the work done elsewhere on the ticket (no button); `why` of its row says what it waits for. */
  observed: z.boolean(),
  running: z.boolean(),
  progress: z.object({ label: z.string(), done: z.number(), total: z.number().nullable() }).nullable(),
  /** The values filled into the {{placeholders}} of the texts above, so the renderer can fill a translation of them the same way. */
  vars: z.record(z.string(), z.string()),
})
export type CurrentStep = z.infer<typeof CurrentStep>

export const WorkflowRunStatus = z.enum(['active', 'completed', 'abandoned'])
export type WorkflowRunStatus = z.infer<typeof WorkflowRunStatus>

export const WorkflowRun = z.object({
  id: Id,
  ticketId: Id,
  procedure: z.string(),
  procedureTitle: z.string(),
  status: WorkflowRunStatus,
  /** Facts shown to the agent (serial, address, backup…); never secrets. */
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /** Names of the secrets stored for this run (masked in the UI). */
  secrets: z.array(z.string()),
  /** A value waits to be shown once (its label); fetch it with workflows.reveal. */
  pendingReveal: z.string().nullable(),
  /**
   * A value shown before (its label) that the agent may see again, with a reason, if the one
   * showing was lost (a closed window, a crash right after it, a customer calling back).
   */
  revealAgain: z.string().nullable(),
  timeline: z.array(TimelineEntry),
  current: CurrentStep.nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
})
export type WorkflowRun = z.infer<typeof WorkflowRun>

export const WorkflowReply = z.object({
  run: WorkflowRun,
  /** Shown once (e.g. the new device password); not stored in readable form anywhere. */
  reveal: z.object({ label: z.string(), value: z.string() }).nullable(),
})
export type WorkflowReply = z.infer<typeof WorkflowReply>

export const ProcedureSummary = z.object({ id: z.string(), title: z.string(), summary: z.string(), ticketProcedure: z.string(), steps: z.number().int() })

const StepRef = { runId: Id, stepId: z.string().min(1).max(48) }
const Inputs = z.record(z.string().max(40), z.union([z.string().max(20_000), z.boolean()])).default({})

export const workflowMethods = defineMethods({
  'workflows.procedures': { input: Empty, output: z.array(ProcedureSummary), summary: 'Procedures the console can guide' },
  'workflows.start': {
    input: z.object({ ticketId: Id, procedure: z.string().min(1).max(48) }).strict(),
    output: WorkflowRun,
    summary: 'Start a procedure on a ticket',
  },
  'workflows.get': { input: z.object({ runId: Id }).strict(), output: WorkflowRun, summary: 'One run with its timeline' },
  'workflows.forTicket': { input: z.object({ ticketId: Id }).strict(), output: z.array(WorkflowRun), summary: 'Runs of a ticket, newest first' },
  'workflows.completeStep': {
    input: z.object({ ...StepRef, inputs: Inputs, outcome: z.string().max(40).optional() }).strict(),
    output: WorkflowReply,
    summary: 'Confirm a manual step or choose a branch',
  },
  'workflows.runAuto': {
    input: z.object({ ...StepRef, inputs: Inputs }).strict(),
    output: WorkflowReply,
    summary: 'Start the device or cloud operation of an automatic step',
  },
  'workflows.skipStep': {
    input: z.object({ ...StepRef, reason: z.string().trim().min(3, 'Say why the step is skipped').max(2000) }).strict(),
    output: WorkflowRun,
    summary: 'Skip a step, with the reason',
  },
  'workflows.addNote': {
    input: z.object({ ...StepRef, body: z.string().trim().min(1).max(20_000) }).strict(),
    output: WorkflowRun,
    summary: 'Add a note to a step',
  },
  'workflows.attach': {
    input: z
      .object({ ...StepRef, evidence: z.string().min(1).max(40), name: z.string().min(1).max(255), dataBase64: z.string().max(30_000_000), password: z.string().max(200).optional() })
      .strict(),
    output: WorkflowRun,
    summary: 'Attach a file (evidence) to a step',
  },
  'workflows.reveal': {
    input: z.object({ runId: Id }).strict(),
    output: WorkflowReply.shape.reveal,
    summary: 'Show once a value a step generated (the new device password)',
  },
  'workflows.revealAgain': {
    input: z.object({ runId: Id, reason: z.string().trim().min(3, 'Say why it is needed again').max(500) }).strict(),
    output: WorkflowReply.shape.reveal.unwrap(),
    summary: 'Show again, with a reason (audited), a value a step generated and showed once',
  },
  'workflows.my2nStatus': {
    input: Empty,
    output: z.object({ configured: z.boolean(), kind: z.enum(['lab', 'partner']).nullable(), url: z.string(), fromEnvironment: z.boolean() }),
    summary: 'Which My2N the console uses',
  },
  'workflows.setMy2n': {
    input: z.object({ kind: z.enum(['lab', 'partner']), url: z.string().trim().min(1).max(500), apiKey: z.string().trim().min(1).max(500) }).strict(),
    output: z.object({ ok: z.literal(true) }),
    summary: 'Configure My2N (partner API key, or the lab simulator)',
  },
  'workflows.abandon': {
    input: z.object({ runId: Id, reason: z.string().trim().min(3).max(2000) }).strict(),
    output: WorkflowRun,
    summary: 'Stop a run for good, with the reason',
  },
})

export const workflowEvents = defineEvents({
  /** A run changed; `run` is its view after the change (absent when it could not be built: fetch it). */
  'workflow.changed': z.object({ runId: Id, ticketId: Id, run: WorkflowRun.optional() }),
})
