// The Electron shell: window, preload, IPC registration, safeStorage. Everything else is
// in Electron-free modules shared with the browser host.
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session, shell } from 'electron'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { App } from '../core/app'
import { createDispatcher } from '../core/api'
import { dataDirFromArgs, defaultDataDir } from '../infra/data-dir'
import { openConsoleApp } from '../core/open-console'
import { appVersion, RENDERER_DIR } from '../infra/paths'
import { APP_ORIGIN, APP_SCHEME, appProtocolResponse } from './app-protocol'
import { denyPermissions, guardWebContents } from './guards'
import { forwardEvents, makeSenderCheck, registerIpc } from './ipc'
import { safeStorageKeyProvider } from './safe-storage-keys'

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  let win: BrowserWindow | null = null
  let core: App | null = null

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore()
      win.focus()
    }
  })

  app.on('web-contents-created', (_e, wc) => guardWebContents(wc, APP_ORIGIN, (u) => shell.openExternal(u)))

  app.whenReady().then(() => {
    // Same folder as browser mode's default, so both hosts share one database; --data-dir and
    // SUPPORT_CONSOLE_DATA_DIR override it as they do for `serve`.
    const dataDir = dataDirFromArgs(process.argv) ?? process.env.SUPPORT_CONSOLE_DATA_DIR ?? (app.getPath('userData') || defaultDataDir())
    try {
      // One console per data folder (issue 13): another console (browser host, CLI) on it refuses this start.
      core = openConsoleApp({ dataDir, host: 'electron', version: appVersion(), keys: safeStorageKeyProvider(safeStorage, dataDir) }, 'desktop console')
    } catch (e) {
      const err = e as { message: string; hint?: string }
      dialog.showErrorBox('Support Console cannot start', `${err.message}${err.hint ? `\n\n${err.hint}` : ''}`)
      app.exit(1)
      return
    }
    denyPermissions(session.defaultSession)
    protocol.handle(APP_SCHEME, (req) => appProtocolResponse(RENDERER_DIR, req.url))
    registerIpc(ipcMain, createDispatcher(core), makeSenderCheck(APP_ORIGIN, () => win))
    forwardEvents(core.bus, () => win?.webContents ?? null)

    win = new BrowserWindow({
      width: 1360,
      height: 860,
      minWidth: 960,
      minHeight: 600,
      title: 'Support Console',
      show: false,
      webPreferences: {
        preload: join(__dirnameOf(), '..', 'preload', 'index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webviewTag: false,
        spellcheck: false,
      },
    })
    win.once('ready-to-show', () => win?.show())
    win.on('closed', () => (win = null))
    void win.loadURL(`${APP_ORIGIN}/index.html`)
  })

  app.on('window-all-closed', () => app.quit())
  app.on('will-quit', () => void core?.close())
}

// fileURLToPath, not URL.pathname: an install folder such as "Support Console" would
// otherwise become "Support%20Console" and the preload would not be found.
function __dirnameOf(): string {
  return fileURLToPath(new URL('.', import.meta.url))
}
