import { afterEach, describe, expect, it, vi } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { createDispatcher } from '../core/api'
import { App } from '../core/app'
import { memoryKeyProvider } from '../infra/secret-box'
import { forwardEvents, INVOKE_CHANNEL, makeSenderCheck, registerIpc } from './ipc'
import { guardWebContents, isAppUrl, safeOpenExternal } from './guards'

// A stand-in for Electron's ipcMain/WebContents: only what registration touches.
function fakeIpcMain() {
  const handlers = new Map<string, (...a: unknown[]) => unknown>()
  return {
    handlers,
    handle: vi.fn((ch: string, fn: (...a: unknown[]) => unknown) => handlers.set(ch, fn)),
    removeHandler: vi.fn((ch: string) => handlers.delete(ch)),
  }
}
function fakeWindow(url = 'app://console/index.html') {
  const mainFrame = { url }
  const webContents = { mainFrame, send: vi.fn(), isDestroyed: () => false }
  return { webContents }
}

const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})

function setup(url?: string) {
  const app = new App({ dataDir: tempDir(), host: 'electron', keys: memoryKeyProvider() })
  apps.push(app)
  const ipc = fakeIpcMain()
  const win = fakeWindow(url)
  registerIpc(ipc as never, createDispatcher(app), makeSenderCheck('app://console', () => win as never))
  const invoke = (method: unknown, input: unknown, event: object = { sender: win.webContents, senderFrame: win.webContents.mainFrame }) =>
    ipc.handlers.get(INVOKE_CHANNEL)!(event, method, input) as Promise<{ ok: boolean; error?: { code: string; field?: string } }>
  return { app, ipc, win, invoke }
}

describe('IPC registration', () => {
  it('registers one invoke channel that reaches the contract', async () => {
    const { ipc, invoke } = setup()
    expect(ipc.handle).toHaveBeenCalledWith(INVOKE_CHANNEL, expect.any(Function))
    expect(await invoke('tickets.create', { customerName: 'Via IPC' })).toMatchObject({ ok: true, value: { customerName: 'Via IPC' } })
  })

  it('validates every call with the same schemas as HTTP', async () => {
    const { invoke } = setup()
    expect(await invoke('tickets.setStatus', { id: 1, status: 'deleted' })).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'status' } })
    expect(await invoke('shell.exec', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    expect(await invoke({ toString: () => 'x' }, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
  })

  it('refuses calls from a subframe, another window or a foreign origin', async () => {
    const { win, invoke } = setup()
    const iframe = { url: 'app://console/index.html' }
    expect(await invoke('tickets.list', {}, { sender: win.webContents, senderFrame: iframe })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    const other = fakeWindow()
    expect(await invoke('tickets.list', {}, { sender: other.webContents, senderFrame: other.webContents.mainFrame })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    expect(await invoke('tickets.list', {}, { sender: win.webContents, senderFrame: null })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    const evil = setup('https://evil.example/')
    expect(await evil.invoke('tickets.list', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
  })

  it('forwards domain events to the window', async () => {
    const { app, win, invoke } = setup()
    forwardEvents(app.bus, () => win.webContents as never)
    await invoke('tickets.create', { customerName: 'Evented' })
    expect(win.webContents.send).toHaveBeenCalledWith('sc:event', 'tickets.changed', { id: 1 })
  })
})

describe('navigation and link guards', () => {
  it('opens only http(s) links outside the app', () => {
    const open = vi.fn(async () => {})
    expect(safeOpenExternal(open, 'https://wiki.2n.com/')).toBe(true)
    for (const u of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'not a url']) expect(safeOpenExternal(open, u)).toBe(false)
    expect(open).toHaveBeenCalledTimes(1)
  })

  it('denies navigation away from the app and every new window', () => {
    const listeners: Record<string, (e: { preventDefault(): void }, url: string) => void> = {}
    let openHandler: (d: { url: string }) => { action: string } = () => ({ action: 'allow' })
    const wc = { on: (n: string, f: never) => (listeners[n] = f), setWindowOpenHandler: (f: never) => (openHandler = f) }
    const open = vi.fn(async () => {})
    guardWebContents(wc as never, 'app://console', open)
    for (const ev of ['will-navigate', 'will-redirect']) {
      const e = { preventDefault: vi.fn() }
      listeners[ev](e, 'https://evil.example/')
      expect(e.preventDefault).toHaveBeenCalled()
      const ok = { preventDefault: vi.fn() }
      listeners[ev](ok, 'app://console/index.html#/tickets')
      expect(ok.preventDefault).not.toHaveBeenCalled()
    }
    expect(openHandler({ url: 'https://wiki.2n.com/' })).toEqual({ action: 'deny' })
    expect(open).toHaveBeenCalledWith('https://wiki.2n.com/')
    expect(isAppUrl('app://console.evil/', 'app://console')).toBe(false)
  })
})
