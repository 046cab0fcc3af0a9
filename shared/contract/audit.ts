// The audit trail, its verification, ticket reports, retention and the bench-PC lock (issue 7).
import { z } from 'zod'
import { defineEvents, defineMethods, Empty, Id, IsoTime } from './common'

export const AuditOutcome = z.enum(['ok', 'failed', 'refused', 'info'])
export type AuditOutcome = z.infer<typeof AuditOutcome>

export const AuditItem = z.object({
  seq: z.number().int(),
  at: z.string(),
  agent: z.string(),
  ticketId: z.number().int().nullable(),
  device: z.string().nullable(),
  action: z.string(),
  /** The action's arguments as recorded, secrets already masked. */
  inputs: z.record(z.string(), z.unknown()),
  outcome: z.string(),
  detail: z.string(),
  prevHash: z.string(),
  hash: z.string(),
})
export type AuditItem = z.infer<typeof AuditItem>

const filterText = z.string().trim().max(200)
export const AuditQuery = z
  .object({
    ticketId: Id.optional(),
    device: filterText.optional(),
    agent: filterText.optional(),
    /** An action name or a prefix ending in "." ("evidence."). */
    action: filterText.optional(),
    outcome: AuditOutcome.optional(),
    from: IsoTime.optional(),
    to: IsoTime.optional(),
    limit: z.number().int().min(1).max(500).default(100),
    /** Newest first; pass the last seq of a page to get the next (older) one. */
    beforeSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict()
export type AuditQuery = z.input<typeof AuditQuery>

export const AuditPage = z.object({ items: z.array(AuditItem), total: z.number().int(), nextBeforeSeq: z.number().int().nullable() })

/**
 * What most likely happened at the first broken entry. `truncated`: entries were cut from the
 * trail (the head kept outside the database, or a record whose creating entry is gone, says
 * so); `rewritten`: the entry the head file names is no longer the one written then.
 */
export const BreakKind = z.enum(['altered', 'deleted', 'reordered', 'inserted', 'relinked', 'truncated', 'rewritten'])
export const EvidenceProblem = z.object({ evidenceId: z.number().int(), message: z.string() })
/** A row of the database whose creating audit entry (written in the same transaction) is missing. */
export const RecordKind = z.enum(['ticket', 'evidence', 'workflow-run', 'workflow-step', 'device-backup', 'reset-code', 'rejected-login'])
export const RecordProblem = z.object({ kind: RecordKind, id: z.number().int(), message: z.string() })
/**
 * The trail's head as last written to audit-head.json in the data folder (after commits; it may
 * lag behind the database, never lead it). `none`: no head file (a folder the console has not
 * written since it keeps one, or not checked); `ok`: the trail holds that entry unchanged (`lag`
 * newer entries since); `ahead`: the trail ends before it; `mismatch`: that entry differs;
 * `damaged`: the file cannot be read; `missing`: there is none although the trail has entries
 * (the console writes one when it creates the folder); `forged`: its seal does not match (it was
 * written without the data folder's key).
 */
export const HeadFileCheck = z.object({
  state: z.enum(['none', 'ok', 'ahead', 'mismatch', 'damaged', 'missing', 'forged']),
  seq: z.number().int().nullable(),
  hash: z.string().nullable(),
  at: z.string().nullable(),
  lag: z.number().int(),
  message: z.string(),
})
export const VerifyReport = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  firstBreak: z.object({ seq: z.number().int(), kind: BreakKind, message: z.string() }).nullable(),
  evidence: z.object({ checked: z.number().int(), purged: z.number().int(), byReference: z.number().int(), problems: z.array(EvidenceProblem) }),
  /** Tickets, evidence, workflow runs and finished steps, device backups and reset codes checked against their creating entries. */
  records: z.object({ checked: z.number().int(), byKind: z.record(RecordKind, z.number().int()).optional(), problems: z.array(RecordProblem) }),
  headFile: HeadFileCheck,
  ms: z.number(),
})
export type VerifyReport = z.infer<typeof VerifyReport>

export const Retention = z.object({
  /** Photos and other personal evidence are purged this many days after they were added; 0 = never. */
  personalDays: z.number().int().min(0).max(3650),
})
export const LockState = z.object({ pinSet: z.boolean(), locked: z.boolean(), idleMinutes: z.number().int() })
export type LockState = z.infer<typeof LockState>
// At least 6 digits (issue 13): 4 digits fell to guessing; a typed current PIN may be an older, shorter one.
const Pin = z.string().regex(/^\d{6,12}$/, 'A PIN is 6 to 12 digits')

export const auditMethods = defineMethods({
  'audit.list': { input: AuditQuery, output: AuditPage, summary: 'Audit entries, newest first, filtered by ticket, device, agent, action, outcome and time' },
  'audit.facets': { input: Empty, output: z.object({ agents: z.array(z.string()), actions: z.array(z.string()) }), summary: 'Agents and actions present in the trail (for filters)' },
  'audit.verify': { input: Empty, output: VerifyReport, summary: 'Check the whole hash chain, the evidence hashes, every record against its creating entry and the head kept outside the database' },
  'retention.get': { input: Empty, output: Retention, summary: 'How long personal evidence is kept' },
  'retention.set': { input: Retention.strict(), output: Retention, summary: 'Change how long personal evidence is kept' },
  'lock.status': { input: Empty, output: LockState, summary: 'Whether a PIN is set and the console is locked' },
  'lock.setPin': { input: z.object({ pin: Pin, currentPin: z.string().max(12).optional(), idleMinutes: z.number().int().min(1).max(480).default(10) }).strict(), output: LockState, summary: 'Set or change the bench-PC PIN' },
  'lock.clearPin': { input: z.object({ currentPin: z.string().max(12) }).strict(), output: LockState, summary: 'Remove the PIN lock' },
  'lock.lock': { input: Empty, output: LockState, summary: 'Lock the console now' },
  'lock.unlock': { input: z.object({ pin: z.string().max(12) }).strict(), output: LockState, summary: 'Unlock the console with the PIN' },
})

export const auditEvents = defineEvents({
  /** After the commit of new entries: the last seq written for that ticket (null: no ticket). */
  'audit.appended': z.object({ seq: z.number().int(), ticketId: z.number().int().nullable() }),
  'lock.changed': LockState,
})

