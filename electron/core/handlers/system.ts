import type { App } from '../app'
import type { HandlerMap } from './types'

export function systemHandlers(app: App): HandlerMap<'system.info' | 'system.setAgent'> {
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
    }),
    'system.setAgent': async (a) => {
      const before = await app.agent()
      await app.setAgent(a)
      await app.audit({ action: 'settings.agent', outcome: 'ok', inputs: { from: before?.name ?? null, to: a.name } })
      return a
    },
  }
}
