// A console's App with the data folder's console lock (console-lock.ts) held for as long as it
// is open: the browser host, the Electron main and the CLI's writing commands open the folder
// through here, so only one of them writes to it at a time. The lock is let go after the
// database is closed, never before, so the next console never meets a half-closed one.
import { App, type AppOptions } from './app'
import { lockConsole } from '../infra/console-lock'

export function openConsoleApp(opts: AppOptions, what: string): App {
  // Refused (CONFLICT, naming the holder) before anything in the folder is opened.
  const lock = lockConsole(opts.dataDir, what)
  let app: App
  try {
    app = new App(opts)
  } catch (e) {
    lock.release()
    throw e
  }
  const close = app.close.bind(app)
  app.close = async () => {
    try {
      await close()
    } finally {
      lock.release()
    }
  }
  return app
}
