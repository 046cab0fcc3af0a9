// The ticket list's rows in slices (TicketRows draws one). At start the first slice is drawn at
// once; the rest once the page has settled, a slice per idle moment, so the page's first half
// second belongs to the agent's first key (issue 11: start to an interactive list), and at
// once when the agent scrolls or moves the cursor towards them. Later refreshes draw every
// row: nothing is cut under an agent who has scrolled down.
import { computed, nextTick, onScopeDispose, ref, watch, type Ref } from 'vue'

export function useSlicedRows<T>(items: () => T[], o: { slice?: number; settleMs?: number } = {}) {
  const SLICE = o.slice ?? 25
  const slices = computed(() => {
    const all = items()
    const out: T[][] = []
    for (let i = 0; i < all.length; i += SLICE) out.push(all.slice(i, i + SLICE))
    return out
  })
  const drawn = ref(1)
  const shown = computed(() => slices.value.slice(0, drawn.value))
  const whenIdle = (fn: () => void) => (window.requestIdleCallback ? window.requestIdleCallback(fn, { timeout: 300 }) : window.setTimeout(fn, 16))
  function drawMore() {
    if (drawn.value >= slices.value.length) drawn.value = Infinity
    else {
      drawn.value += 1
      whenIdle(drawMore)
    }
  }
  let started = false
  watch(
    () => slices.value.length,
    (n) => {
      if (n <= 1 || started) return
      started = true
      window.setTimeout(() => whenIdle(drawMore), o.settleMs ?? 500)
    },
    { immediate: true },
  )

  /** Draws the slices up to the row `i` (and the next one): the cursor moved there. */
  function reach(i: number) {
    const need = Math.floor(i / SLICE) + 2
    if (drawn.value < need) drawn.value = need
  }

  // A row after the drawn ones: when it comes near the viewport, the next slice is drawn.
  const sentinel: Ref<HTMLElement | null> = ref(null)
  const io = typeof IntersectionObserver === 'undefined' ? null : new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting)) return
    drawn.value += 1
    // Observed again where it is now: if it is still near, the next slice follows.
    const el = sentinel.value
    if (el) io!.unobserve(el)
    void nextTick(() => sentinel.value && io!.observe(sentinel.value))
  }, { rootMargin: '600px 0px' })
  watch(sentinel, (el, old) => {
    if (old) io?.unobserve(old)
    if (el) io?.observe(el)
  })
  onScopeDispose(() => io?.disconnect())

  const more = computed(() => drawn.value < slices.value.length)
  return { SLICE, shown, more, reach, sentinel }
}
