import type { Agent } from '../../../shared/contract/system'
import { collectDiagnostics } from './diagnostics'
import type { DataDir, Logging, Recording, Store } from '../../infra/ports'
import type { StorageState } from '../../infra/storage-state'
import type { HandlerMap } from '../../infra/handler-types'

/** The console's own facts (version, host, folders, schema) and the agent's identity. */
export type SystemDeps = Store & Recording & Logging & DataDir & {
  /** What the data folder refuses now, if anything (storage-state.ts): the UI's banner. */
  readonly storage: Pick<StorageState, 'problem'>
  readonly opts: { readonly version?: string; readonly host: 'electron' | 'browser' }
  readonly dbPath: string
  readonly schemaVersion: number
  readonly startedAt: string
  agent(): Promise<Agent | null>
  setAgent(a: Agent): Promise<void>
}

export function systemHandlers(deps: SystemDeps): HandlerMap<'system.info' | 'system.setAgent' | 'system.diagnostics'> {
  return {
    'system.info': async () => ({
      version: deps.opts.version ?? '0.0.0',
      host: deps.opts.host,
      dataDir: deps.dataDir,
      dbPath: deps.dbPath,
      schemaVersion: deps.schemaVersion,
      node: process.versions.node,
      startedAt: deps.startedAt,
      agent: await deps.agent(),
      storage: deps.storage.problem,
    }),
    'system.setAgent': async (a) => {
      const before = await deps.agent()
      await deps.setAgent(a)
      await deps.audit({ action: 'settings.agent', outcome: 'ok', inputs: { from: before?.name ?? null, to: a.name } })
      return a
    },
    'system.diagnostics': async () => {
      const d = collectDiagnostics({ dataDir: deps.dataDir, db: deps.db, dbPath: deps.dbPath, version: deps.opts.version ?? '0.0.0', host: deps.opts.host })
      deps.log.info({ fileName: d.fileName, size: d.data.length }, 'diagnostics exported')
      return { fileName: d.fileName, size: d.data.length, entries: d.entries, dataBase64: d.data.toString('base64') }
    },
  }
}
