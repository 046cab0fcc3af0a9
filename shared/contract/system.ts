import { z } from 'zod'
import { defineEvents, defineMethods, Empty, IsoTime } from './common'

export const Agent = z.object({
  name: z.string().trim().min(1).max(120),
  email: z.string().trim().max(200).default(''),
})
export type Agent = z.infer<typeof Agent>

/**
 * A write to the data folder that failed and has not succeeded since (issue 13): the UI shows
 * it as a banner until a later write works. `key`/`values` translate it (errors.<key>).
 */
export const StorageProblem = z.object({
  kind: z.enum(['readOnly', 'immutable', 'full', 'missing', 'permission', 'io']),
  /** What failed to write: the audit head file beside the database, or the database itself. */
  source: z.enum(['auditHead', 'database']),
  message: z.string(),
  hint: z.string().optional(),
  key: z.string(),
  values: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  since: IsoTime,
})
export type StorageProblem = z.infer<typeof StorageProblem>

export const AppInfo = z.object({
  version: z.string(),
  host: z.enum(['electron', 'browser']),
  dataDir: z.string(),
  dbPath: z.string(),
  schemaVersion: z.number().int(),
  node: z.string(),
  startedAt: IsoTime,
  agent: Agent.nullable(),
  /** The data folder's current write problem, or null while writes work. */
  storage: StorageProblem.nullable(),
})
export type AppInfo = z.infer<typeof AppInfo>

export const systemMethods = defineMethods({
  'system.info': { input: Empty, output: AppInfo, summary: 'Version, data folder and host kind' },
  'system.setAgent': { input: Agent.strict(), output: Agent, summary: 'Set the agent stamped on every audit entry' },
  'system.diagnostics': {
    input: Empty,
    output: z.object({ fileName: z.string(), size: z.number().int(), entries: z.array(z.string()), dataBase64: z.string() }),
    summary: 'A zip for support: recent logs, versions, settings without secrets, database and audit checks, last discovery notes, disk space',
  },
})

export const systemEvents = defineEvents({
  /** A long operation's progress, for any feature: `task` names the operation. */
  'task.progress': z.object({
    task: z.string(),
    label: z.string(),
    done: z.number(),
    total: z.number().nullable(),
    finished: z.boolean().default(false),
  }),
  /** The data folder's write problem changed: a new one (problem set) or writes work again (null). */
  'system.storage': z.object({ problem: StorageProblem.nullable() }),
})
