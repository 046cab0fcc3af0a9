import { z } from 'zod'
import { defineEvents, defineMethods, Empty, IsoTime } from './common'

export const Agent = z.object({
  name: z.string().trim().min(1).max(120),
  email: z.string().trim().max(200).default(''),
})
export type Agent = z.infer<typeof Agent>

export const AppInfo = z.object({
  version: z.string(),
  host: z.enum(['electron', 'browser']),
  dataDir: z.string(),
  dbPath: z.string(),
  schemaVersion: z.number().int(),
  node: z.string(),
  startedAt: IsoTime,
  agent: Agent.nullable(),
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
})
