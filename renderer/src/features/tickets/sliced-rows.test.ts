import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { useSlicedRows } from './sliced-rows'

describe('the ticket list in slices', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    // The page's timers, without requestIdleCallback or IntersectionObserver (a plain timer stands in).
    vi.stubGlobal('window', { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms) })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })

  function list(n: number) {
    const items = ref(Array.from({ length: n }, (_, i) => i))
    const scope = effectScope()
    const rows = scope.run(() => useSlicedRows(() => items.value, { slice: 25, settleMs: 500 }))!
    const count = () => rows.shown.value.flat().length
    return { items, rows, count, scope }
  }

  it('draws the first slice at once and the rest after the page settled, a slice at a time', async () => {
    const { rows, count, scope } = list(200)
    expect(count()).toBe(25)
    expect(rows.more.value).toBe(true)
    vi.advanceTimersByTime(499)
    expect(count()).toBe(25)
    vi.advanceTimersByTime(1 + 16)
    expect(count()).toBe(50)
    vi.advanceTimersByTime(16 * 10)
    expect(count()).toBe(200)
    expect(rows.more.value).toBe(false)
    scope.stop()
  })

  it('draws the rows the cursor moves to at once, before the page settled', () => {
    const { rows, count, scope } = list(200)
    rows.reach(60)
    expect(count()).toBeGreaterThanOrEqual(61)
    expect(count()).toBeLessThan(200)
    scope.stop()
  })

  it('a later list is drawn whole at once (nothing is cut under an agent who scrolled down)', async () => {
    const { items, count, scope } = list(200)
    vi.advanceTimersByTime(2000)
    items.value = Array.from({ length: 201 }, (_, i) => i)
    await nextTick()
    expect(count()).toBe(201)
    scope.stop()
  })
})
