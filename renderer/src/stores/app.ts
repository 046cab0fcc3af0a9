import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Agent, AppInfo, StorageProblem } from '../../../shared/contract/index'
import { bridge, BridgeError } from '../bridge'

export type Theme = 'light' | 'dark'
export interface Toast { id: number; kind: 'error' | 'info'; text: string; hint?: string }

export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null)
  const theme = ref<Theme>((localStorage.getItem('theme') as Theme | null) ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'))
  const toasts = ref<Toast[]>([])
  /** The data folder's write problem while it lasts (host: electron/infra/storage-state.ts). */
  const storage = ref<StorageProblem | null>(null)
  let offStorage: (() => void) | null = null
  let nextToast = 1

  function applyTheme() {
    document.documentElement.dataset.theme = theme.value
  }
  function toggleTheme() {
    theme.value = theme.value === 'dark' ? 'light' : 'dark'
    localStorage.setItem('theme', theme.value)
    applyTheme()
  }

  function toast(kind: Toast['kind'], text: string, hint?: string) {
    const id = nextToast++
    toasts.value.push({ id, kind, text, hint })
    // A burst of confirmations (several files dropped at once) must not cover the page:
    // keep every error, and only the two newest of the rest.
    const quiet = toasts.value.filter((x) => x.kind !== 'error')
    if (quiet.length > 2) toasts.value = toasts.value.filter((x) => x.kind === 'error' || quiet.slice(-2).includes(x))
    setTimeout(() => dismiss(id), kind === 'error' ? 12_000 : 4_000)
  }
  function dismiss(id: number) {
    toasts.value = toasts.value.filter((t) => t.id !== id)
  }
  /** Shows any failure as a toast with the host's message and hint. */
  function reportError(e: unknown) {
    if (e instanceof BridgeError) toast('error', e.message, e.hint)
    else toast('error', (e as Error)?.message ?? String(e))
  }

  async function load() {
    offStorage ??= bridge.on('system.storage', (p) => (storage.value = p.problem))
    info.value = await bridge.invoke('system.info', {})
    storage.value = info.value.storage
  }
  async function setAgent(a: Agent) {
    const saved = await bridge.invoke('system.setAgent', a)
    if (info.value) info.value = { ...info.value, agent: saved }
  }

  applyTheme()
  return { info, storage, theme, toggleTheme, toasts, toast, dismiss, reportError, load, setAgent }
})
