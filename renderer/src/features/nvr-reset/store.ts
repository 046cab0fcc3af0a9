// The NVR reset of the open ticket: one view from the host. Every call that changes it returns
// the new view; 'nvrReset.changed' (a change no call made: the retention purge) carries it too.
// Either way the view is built once per change and never fetched again for it.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Input, ResetIntakeResult, ResetView } from '../../../../shared/contract/index'
import { bridge } from '../../bridge'
import { t } from '../../i18n/en'
import { useAppStore } from '../../stores/app'

/** File -> base64 without data: prefix (FileReader copes with large photos without stack limits). */
export function fileToBase64(f: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''))
    r.onerror = () => reject(r.error ?? new Error(t('common.fileUnreadable')))
    r.readAsDataURL(f)
  })
}

export const useNvrResetStore = defineStore('nvrReset', () => {
  const app = useAppStore()
  const view = ref<ResetView | null>(null)
  const ticketId = ref<number | null>(null)
  const busy = ref<string | null>(null)
  const intake = ref<ResetIntakeResult[]>([])
  /** Set between the agent's Cancel and the intake's answer (which lists what was cancelled). */
  const cancelling = ref(false)
  let off: (() => void) | null = null

  async function load(id: number) {
    if (ticketId.value !== id) intake.value = []
    ticketId.value = id
    off ??= bridge.on('nvrReset.changed', (p) => {
      if (p.ticketId === ticketId.value) view.value = p.view
    })
    await refresh()
  }
  async function refresh() {
    if (ticketId.value === null) return
    try {
      view.value = await bridge.invoke('nvrReset.get', { ticketId: ticketId.value })
    } catch (e) {
      app.reportError(e)
    }
  }
  /** Runs one action with a busy label; errors become toasts. Returns the result or null. */
  async function run<T>(label: string, fn: () => Promise<T>): Promise<T | null> {
    busy.value = label
    try {
      return await fn()
    } catch (e) {
      app.reportError(e)
      return null
    } finally {
      busy.value = null
    }
  }
  async function addFiles(files: File[], source: 'drop' | 'picker' | 'paste') {
    if (!files.length || ticketId.value === null) return
    const id = ticketId.value
    await run(`intake:${files.length}`, async () => {
      const payload = await Promise.all(files.map(async (f, i) => ({ name: f.name || `pasted-${i + 1}.png`, source: /\.eml$/i.test(f.name) ? ('eml' as const) : source, dataBase64: await fileToBase64(f) })))
      // Empty files never reach the host: say so here, in the same list.
      const empty = payload.filter((p) => !p.dataBase64)
      const r = payload.length > empty.length ? await bridge.invoke('nvrReset.addPhotos', { ticketId: id, files: payload.filter((p) => p.dataBase64) }) : null
      intake.value = [...empty.map((p) => ({ name: p.name, status: 'refused' as const, message: t('common.fileEmpty'), photoId: null })), ...(r?.results ?? [])]
      if (r) view.value = r.view
    })
    cancelling.value = false
  }
  /** Stops the running intake of this ticket (nvrReset.cancelIntake); addFiles then shows what was not taken in. */
  async function cancelIntake() {
    if (ticketId.value === null || !busy.value?.startsWith('intake:')) return
    cancelling.value = true
    const id = ticketId.value
    try {
      // The files may still be on their way to the host (large uploads): ask again until the
      // host has the intake to stop, or the intake is over anyway.
      for (let i = 0; i < 40 && busy.value?.startsWith('intake:'); i++) {
        if ((await bridge.invoke('nvrReset.cancelIntake', { ticketId: id })).cancelled > 0) break
        await new Promise((r) => setTimeout(r, 250))
      }
    } catch (e) {
      cancelling.value = false
      app.reportError(e)
    }
  }
  async function call<M extends 'nvrReset.usePayload' | 'nvrReset.update' | 'nvrReset.invalidate' | 'nvrReset.recordCheck' | 'nvrReset.approve' | 'nvrReset.requestCode' | 'nvrReset.confirmVerified'>(m: M, input: Input<M>, label: string) {
    const r = await run(label, () => bridge.invoke(m, input))
    if (r) view.value = r as ResetView
    return r
  }
  return { view, ticketId, busy, intake, cancelling, load, refresh, run, addFiles, cancelIntake, call }
})

/**
 * Copies text for the agent. The Electron shell denies web permissions (clipboard included),
 * so when the async clipboard API is refused the classic copy command on a hidden field is
 * used; it needs only the click that triggered it.
 */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
    return
  } catch {
    // fall through to the copy command
  }
  const ta = document.createElement('textarea')
  ta.value = text
  ta.setAttribute('readonly', '')
  ta.className = 'visually-hidden'
  document.body.appendChild(ta)
  ta.select()
  const ok = document.execCommand('copy')
  ta.remove()
  if (!ok) throw new Error(t('common.copyFailed'))
}
