// The translator the whole UI calls (t): the agent's language with its plural forms, the key
// where no language has the text, and what was drawn with it drawn again on a switch.
import { afterAll, describe, expect, it } from 'vitest'
import { computed } from 'vue'
import { formatValue } from './compile'
import { t, tAny } from './en'
import { setLocale } from './index'

afterAll(() => setLocale('en'))

describe('t', () => {
  it('fills placeholders and picks the plural form of the language', async () => {
    await setLocale('en')
    expect(t('tickets.count', { n: 1 })).toBe('1 ticket')
    expect(t('tickets.count', { n: 2000 })).toBe('2000 tickets')
    await setLocale('cs')
    expect([1, 3, 1.5, 5].map((n) => t('tickets.count', { n }))).toEqual(['1 tiket', '3 tikety', '1,5 tiketu', '5 tiketů'])
  })

  it('gives the key back when no language has the text', async () => {
    await setLocale('de')
    expect(tAny('tickets.noSuchText')).toBe('tickets.noSuchText')
  })

  it('is followed by what was drawn with it: a switch of language redraws', async () => {
    await setLocale('en')
    const label = computed(() => t('tickets.count', { n: 2 }))
    expect(label.value).toBe('2 tickets')
    await setLocale('de')
    expect(label.value).toMatch(/^2 Tickets?$/)
    await setLocale('en')
    expect(label.value).toBe('2 tickets')
  })

  it('writes whole numbers as Intl would, without building a number format, and fractions as the language writes them', () => {
    for (const l of ['en', 'cs', 'de']) {
      const intl = new Intl.NumberFormat(l, { useGrouping: false, maximumFractionDigits: 2 })
      for (const n of [0, 1, 7, 42, 1000, 65535, 12_345_678, 2 ** 40, -3, 1.5, 0.25]) expect(formatValue(l, n), `${l} ${n}`).toBe(intl.format(n))
    }
    expect(formatValue('cs', 1.5)).toBe('1,5')
  })
})
