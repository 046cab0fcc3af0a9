// Sandboxed preload: exposes only `invoke` and `on`, allowlisted by the shared contract.
// The renderer never sees ipcRenderer or the IpcRendererEvent.
import { contextBridge, ipcRenderer } from 'electron'
import { eventNames, methodNames } from '../../shared/contract/index'

const INVOKE_CHANNEL = 'sc:invoke'
const EVENT_CHANNEL = 'sc:event'
const allowedMethods = new Set<string>(methodNames)
const allowedEvents = new Set<string>(eventNames)

export const api = {
  invoke(method: string, input: unknown): Promise<unknown> {
    if (!allowedMethods.has(method)) return Promise.reject(new Error(`Blocked undeclared method "${method}"`))
    return ipcRenderer.invoke(INVOKE_CHANNEL, method, input)
  },
  on(event: string, cb: (payload: unknown) => void): () => void {
    if (!allowedEvents.has(event)) throw new Error(`Blocked undeclared event "${event}"`)
    const listener = (_e: unknown, name: string, payload: unknown) => {
      if (name === event) cb(payload)
    }
    ipcRenderer.on(EVENT_CHANNEL, listener)
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, listener)
  },
}

contextBridge.exposeInMainWorld('supportConsole', api)
