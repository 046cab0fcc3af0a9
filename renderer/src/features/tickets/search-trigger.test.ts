import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { searchTrigger } from './search-trigger'

describe('the ticket search runs', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('at once for a change after a pause (a pasted serial), and again after the next pause', () => {
    const run = vi.fn()
    const changed = searchTrigger(run, { now: () => Date.now() })
    changed()
    expect(run).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(1000)
    changed()
    expect(run).toHaveBeenCalledTimes(2)
  })

  it('for keys typed in a burst: the first at once, the rest once when the typing pauses', () => {
    const run = vi.fn()
    const changed = searchTrigger(run, { now: () => Date.now() })
    for (let i = 0; i < 8; i++) {
      changed()
      vi.advanceTimersByTime(60)
    }
    expect(run).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(60)
    expect(run).toHaveBeenCalledTimes(2)
    vi.advanceTimersByTime(1000)
    expect(run).toHaveBeenCalledTimes(2)
  })
})
