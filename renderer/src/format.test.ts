// Dates in the agent's language, with formatters built once per language (a ticket list
// formats one per row): the same text as the browser's own toLocale* calls, per locale.
import { afterEach, describe, expect, it } from 'vitest'
import { exactTime, relativeTime } from './format'
import { activeLocale } from './i18n/compile'

afterEach(() => (activeLocale.value = 'en'))
const now = Date.parse('2026-12-07T12:00:00Z')

describe('dates in the agent’s language', () => {
  it('recent times are relative, older ones a date, with the year only when it is another year', () => {
    expect(relativeTime('2026-12-07T11:59:50Z', now)).toBe('just now')
    expect(relativeTime('2026-12-07T11:55:00Z', now)).toBe('5 minutes ago')
    expect(relativeTime('2026-12-07T09:00:00Z', now)).toBe('3 hours ago')
    expect(relativeTime('2026-03-12T10:00:00Z', now)).toBe(new Date('2026-03-12T10:00:00Z').toLocaleDateString('en', { day: 'numeric', month: 'short' }))
    expect(relativeTime('2025-03-12T10:00:00Z', now)).toMatch(/2025/)
  })

  it('switch language with the UI, each with its own cached formatter', () => {
    expect(relativeTime('2026-12-07T11:55:00Z', now)).toBe('5 minutes ago')
    activeLocale.value = 'cs'
    expect(relativeTime('2026-12-07T11:55:00Z', now)).toBe('před 5 minutami')
    activeLocale.value = 'de'
    expect(relativeTime('2026-12-07T11:55:00Z', now)).toBe('vor 5 Minuten')
    for (const l of ['en', 'cs', 'de']) {
      activeLocale.value = l
      expect(exactTime('2026-03-12T10:11:12Z'), l).toBe(new Date('2026-03-12T10:11:12Z').toLocaleString(l))
    }
  })
})
