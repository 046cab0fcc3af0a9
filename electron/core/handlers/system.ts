import type { App } from '../app'
import { collectDiagnostics } from '../diagnostics'
import type { HandlerMap } from './types'

export function systemHandlers(app: App): HandlerMap<'system.info' | 'system.setAgent' | 'system.diagnostics'> {
  return {
    'system.info': async () => ({
      version: app.opts.version ?? '0.0.0',
      host: app.opts.host,
      dataDir: app.opts.dataDir,
      dbPath: app.dbPath,
      schemaVersion: app.schemaVersion,
      node: process.versions.node,
      startedAt: app.startedAt,
      agent: await app.agent(),
      storage: app.storage.problem,
    }),
    'system.setAgent': async (a) => {
      const before = await app.agent()
      await app.setAgent(a)
      await app.audit({ action: 'settings.agent', outcome: 'ok', inputs: { from: before?.name ?? null, to: a.name } })
      return a
    },
    'system.diagnostics': async () => {
      const d = collectDiagnostics({ dataDir: app.opts.dataDir, db: app.db, dbPath: app.dbPath, version: app.opts.version ?? '0.0.0', host: app.opts.host })
      app.log.info({ fileName: d.fileName, size: d.data.length }, 'diagnostics exported')
      return { fileName: d.fileName, size: d.data.length, entries: d.entries, dataBase64: d.data.toString('base64') }
    },
  }
}
