// IPC registration, kept free of window logic so it can be unit-tested with a mocked
// `electron`. One invoke channel and one event channel carry the whole contract; the
// preload allowlists names, and here every call is checked again: sender, then zod.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import type { Result } from '../../shared/contract/common'
import { isMethod } from '../../shared/contract/index'
import type { Dispatch } from '../core/api'
import type { EventBus } from '../infra/events'
import { isAppUrl } from './guards'

export const INVOKE_CHANNEL = 'sc:invoke'
export const EVENT_CHANNEL = 'sc:event'

export type SenderCheck = (e: IpcMainInvokeEvent) => boolean

export function registerIpc(ipcMain: IpcMain, dispatch: Dispatch, isTrustedSender: SenderCheck): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (e, method: unknown, input: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(e)) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'IPC call from an untrusted frame refused.', key: 'api.untrusted' } }
    if (typeof method !== 'string' || !isMethod(method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `Unknown method "${String(method).slice(0, 80)}".`, key: 'api.unknownMethod', values: { method: String(method).slice(0, 80) } } }
    }
    return dispatch(method, input, { transport: 'ipc' })
  })
  return () => ipcMain.removeHandler(INVOKE_CHANNEL)
}

/** Forwards domain events to the window's renderer. */
export function forwardEvents(bus: EventBus, target: () => WebContents | null): () => void {
  return bus.subscribe((name, payload) => {
    const wc = target()
    if (wc && !wc.isDestroyed()) wc.send(EVENT_CHANNEL, name, payload)
  })
}

/**
 * The sender must be the main frame of our window, showing a page of our own app://
 * origin: an iframe, a navigated-away page or a second window cannot call the API.
 */
export function makeSenderCheck(expectedOrigin: string, window: () => { webContents: WebContents } | null): SenderCheck {
  return (e) => {
    const frame = e.senderFrame
    const win = window()
    if (!frame || !win || e.sender !== win.webContents) return false
    if (frame !== e.sender.mainFrame) return false
    return isAppUrl(frame.url, expectedOrigin)
  }
}
