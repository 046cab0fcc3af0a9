import type { App } from '../core/app'
import { openConsoleApp } from '../core/open-console'
import { createDispatcher } from '../core/api'
import { appVersion, RENDERER_DIR } from '../infra/paths'
import { startHost, type RunningHost } from './server'

export interface BrowserConsole {
  app: App
  host: RunningHost
  close(): Promise<void>
}

/** The whole console without Electron: domain services + the loopback HTTP host. */
export async function startBrowserConsole(o: { dataDir: string; port?: number; portFallback?: boolean; token?: string; rendererDir?: string; sessionIdleMs?: number }): Promise<BrowserConsole> {
  // One console per data folder (issue 13): refused before anything is opened.
  const app: App = openConsoleApp({ dataDir: o.dataDir, host: 'browser', version: appVersion() }, 'browser console')
  try {
    const host = await startHost({
      dispatch: createDispatcher(app),
      bus: app.bus,
      rendererDir: o.rendererDir ?? RENDERER_DIR,
      port: o.port,
      portFallback: o.portFallback,
      token: o.token,
      // SUPPORT_CONSOLE_SESSION_IDLE_MS lets tests see a session end without waiting 12 hours.
      sessionIdleMs: o.sessionIdleMs ?? (Number(process.env.SUPPORT_CONSOLE_SESSION_IDLE_MS) || undefined),
    })
    return {
      app,
      host,
      async close() {
        await host.close()
        await app.close()
      },
    }
  } catch (e) {
    await app.close()
    throw e
  }
}
