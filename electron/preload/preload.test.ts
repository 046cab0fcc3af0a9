import { beforeEach, describe, expect, it, vi } from 'vitest'

// The preload runs only inside Electron; here `electron` is replaced by a recorder.
const exposed: Record<string, unknown> = {}
const invoke = vi.fn(async () => ({ ok: true, value: 1 }))
const on = vi.fn()
const removeListener = vi.fn()
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (k: string, v: unknown) => (exposed[k] = v) },
  ipcRenderer: { invoke, on, removeListener },
}))

type Api = { invoke(m: string, i: unknown): Promise<unknown>; on(e: string, cb: (p: unknown) => void): () => void }

describe('preload', () => {
  beforeEach(async () => {
    await import('./index')
  })

  it('exposes only invoke and on', () => {
    expect(Object.keys(exposed)).toEqual(['supportConsole'])
    expect(Object.keys(exposed.supportConsole as object).sort()).toEqual(['invoke', 'on'])
  })

  it('passes contract methods through and blocks anything else', async () => {
    const api = exposed.supportConsole as Api
    await api.invoke('tickets.list', {})
    expect(invoke).toHaveBeenCalledWith('sc:invoke', 'tickets.list', {})
    await expect(api.invoke('fs.readFile', {})).rejects.toThrow(/Blocked undeclared method/)
    expect(() => api.on('anything', () => {})).toThrow(/Blocked undeclared event/)
  })

  it('never hands the IpcRendererEvent to the page, and unsubscribes', () => {
    const api = exposed.supportConsole as Api
    const cb = vi.fn()
    const off = api.on('tickets.changed', cb)
    const listener = on.mock.calls.at(-1)![1] as (e: unknown, n: string, p: unknown) => void
    listener({ sender: 'secret' }, 'tickets.changed', { id: 3 })
    listener({ sender: 'secret' }, 'task.progress', { x: 1 })
    expect(cb.mock.calls).toEqual([[{ id: 3 }]])
    off()
    expect(removeListener).toHaveBeenCalledWith('sc:event', listener)
  })
})
