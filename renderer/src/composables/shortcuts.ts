import { onBeforeUnmount, onMounted } from 'vue'

export type ShortcutMap = Record<string, (e: KeyboardEvent) => void>

const typing = (e: KeyboardEvent) => {
  const el = e.target as HTMLElement | null
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))
}

/**
 * Single-key shortcuts ("n", "/", "?") and two-key sequences ("g t"), ignored while the
 * agent types in a field, and never taken over when a modifier is held (browser keys win).
 */
export function useShortcuts(map: ShortcutMap) {
  let prefix = ''
  let prefixTimer: ReturnType<typeof setTimeout> | undefined
  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return
    const key = prefix ? `${prefix} ${e.key.toLowerCase()}` : e.key === '?' || e.key === '/' ? e.key : e.key.toLowerCase()
    if (map[key]) {
      e.preventDefault()
      prefix = ''
      map[key](e)
      return
    }
    if (!prefix && Object.keys(map).some((k) => k.startsWith(`${key} `))) {
      prefix = key
      clearTimeout(prefixTimer)
      prefixTimer = setTimeout(() => (prefix = ''), 1200)
      return
    }
    prefix = ''
  }
  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
}
