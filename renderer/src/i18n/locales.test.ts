// Every locale has exactly the keys English has, with the same placeholders, and plural
// forms for each CLDR category of its language (Czech: one, few, many, other).
import { describe, expect, it } from 'vitest'
import { fill, placeholders, pluralCategories } from './compile'
import { cs } from './cs'
import { de } from './de'
import { en } from './en'

type Tree = { [k: string]: unknown }
function leaves(o: unknown, prefix = ''): Map<string, unknown> {
  const m = new Map<string, unknown>()
  if (typeof o === 'string' || Array.isArray(o)) m.set(prefix, o)
  else for (const [k, v] of Object.entries(o as Tree)) for (const [kk, vv] of leaves(v, prefix ? `${prefix}.${k}` : k)) m.set(kk, vv)
  return m
}

export function parityProblems(english: unknown, other: unknown, locale: string): string[] {
  const a = leaves(english)
  const b = leaves(other)
  const out: string[] = []
  for (const k of a.keys()) if (!b.has(k)) out.push(`${locale} lacks ${k}`)
  for (const k of b.keys()) if (!a.has(k)) out.push(`${locale} has ${k}, which English lacks`)
  for (const [k, v] of a) {
    const w = b.get(k)
    if (typeof v !== 'string' || typeof w !== 'string') continue
    if (placeholders(v).join() !== placeholders(w).join()) out.push(`${locale} ${k}: placeholders {${placeholders(w)}} differ from English {${placeholders(v)}}`)
    const forms = w.split(' | ').length
    if (forms > 1 && forms !== pluralCategories(locale).length) out.push(`${locale} ${k}: ${forms} plural forms, ${locale} has ${pluralCategories(locale).length}`)
    if (w.trim() === '') out.push(`${locale} ${k} is empty`)
  }
  return out
}

describe('locales', () => {
  it.each([['cs', cs], ['de', de]] as const)('%s has every English key, no other, with the same placeholders', (locale, messages) => {
    expect(parityProblems(en, messages, locale)).toEqual([])
  })

  it('the parity check reports a missing key, an extra key and a changed placeholder', () => {
    const broken = JSON.parse(JSON.stringify(cs)) as Tree & { tickets: Tree; nav: Tree }
    delete broken.tickets.title
    broken.nav.extra = 'navíc'
    broken.tickets.noMatch = 'Hledání „{query}“ neodpovídá žádný tiket.'
    expect(parityProblems(en, broken, 'cs')).toEqual([
      'cs lacks tickets.title',
      'cs has nav.extra, which English lacks',
      'cs tickets.noMatch: placeholders {query} differ from English {q}',
    ])
  })

  it('English plural messages have a form for each English category', () => {
    expect(parityProblems(en, en, 'en')).toEqual([])
  })

  it('Czech plurals follow CLDR: 1 položka, 2–4 položky, 1,5 položky, 5 položek', () => {
    const msg = cs.evidence.purgedN
    expect(fill(msg, 'cs', { n: 1 })).toBe('Vymazána 1 položka.')
    expect(fill(msg, 'cs', { n: 3 })).toBe('Vymazány 3 položky.')
    expect(fill(msg, 'cs', { n: 1.5 })).toBe('Vymazáno 1,5 položky.')
    expect(fill(msg, 'cs', { n: 5 })).toBe('Vymazáno 5 položek.')
    expect(fill(msg, 'cs', { n: 0 })).toBe('Vymazáno 0 položek.')
    expect(fill(cs.tickets.count, 'cs', { n: 22 })).toBe('22 tiketů')
    expect(fill(cs.tickets.count, 'cs', { n: 4 })).toBe('4 tikety')
    expect(fill(de.tickets.count, 'de', { n: 1 })).toBe('1 Ticket')
    expect(fill(en.tickets.count, 'en', { n: 2 })).toBe('2 tickets')
  })

  it('fills only the placeholders given and leaves text like {{payload}} alone', () => {
    expect(fill(en.nvrReset.settings.httpBody, 'en')).toBe('Body template ({{payload}} = QR text)')
    expect(fill('{a} and {b}', 'en', { a: 'x' })).toBe('x and {b}')
  })
})
