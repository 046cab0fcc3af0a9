// The console's message format, small on purpose: `{name}` fills a value, and " | " separates
// plural forms in the order of the locale's CLDR categories (zero, one, two, few, many,
// other; only those the locale has: English and German "one | other", Czech
// "one | few | many | other", where "many" is for fractions: 1,5 fotky). No other
// special characters, so texts like "{{payload}}" or e-mail addresses need no escaping, and
// nothing is compiled with eval (the renderer's CSP forbids it).

import { ref } from 'vue'

export type Params = Record<string, string | number>

const ORDER: Intl.LDMLPluralRule[] = ['zero', 'one', 'two', 'few', 'many', 'other']
const rulesCache = new Map<string, { rules: Intl.PluralRules; categories: Intl.LDMLPluralRule[] }>()

function rulesFor(locale: string) {
  let r = rulesCache.get(locale)
  if (!r) {
    const rules = new Intl.PluralRules(locale)
    const have = new Set(rules.resolvedOptions().pluralCategories)
    r = { rules, categories: ORDER.filter((c) => have.has(c)) }
    rulesCache.set(locale, r)
  }
  return r
}

/** Index of the plural form for `n` among `forms` forms written in CLDR category order. */
export function pluralIndex(locale: string, n: number, forms: number): number {
  if (forms <= 1) return 0
  const { rules, categories } = rulesFor(locale)
  const i = categories.indexOf(rules.select(n))
  return i < 0 || i >= forms ? forms - 1 : i
}

/** The CLDR categories of a locale, in the order its plural forms are written. */
export const pluralCategories = (locale: string) => rulesFor(locale).categories

/** The plural count of a call: `n` or `count`. */
export function countOf(params: Params | undefined): number | undefined {
  const v = params?.n ?? params?.count
  return typeof v === 'number' ? v : undefined
}

/**
 * An Intl formatter per locale and options, built once: building one costs far more than
 * using it, and a ticket list formats a number or a date in every row (issue 11: start time).
 */
export function cachedFormat<T>(make: (locale: string) => T, cache: Map<string, T>, locale: string): T {
  let f = cache.get(locale)
  if (!f) cache.set(locale, (f = make(locale)))
  return f
}

const numbers = new Map<string, Intl.NumberFormat>()
/** Numbers are shown the locale's way (1,5 in Czech); no grouping, so ids and ports stay whole. */
export function formatValue(locale: string, v: unknown): string {
  // Whole non-negative numbers (counts, ids, ports: nearly every value) read the same in every
  // language the console speaks, and the first Intl.NumberFormat of a page costs about 40 ms
  // (ICU's number data): it is built only for a fraction or a negative number.
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v)
  if (typeof v === 'number') return cachedFormat((l) => new Intl.NumberFormat(l, { useGrouping: false, maximumFractionDigits: 2 }), numbers, locale).format(v)
  return String(v)
}

export function fill(message: string, locale: string, params: Params = {}): string {
  const forms = message.split(' | ')
  const n = countOf(params)
  const chosen = forms.length > 1 && n !== undefined ? forms[pluralIndex(locale, n, forms.length)]! : forms[forms.length > 1 ? forms.length - 1 : 0]!
  return chosen.replace(/\{(\w+)\}/g, (whole, k: string) => (k in params ? formatValue(locale, params[k]) : whole))
}

/** The placeholders a message uses, for the key-parity test. */
export const placeholders = (message: string) => [...new Set([...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort()

/** The UI language, for dates and numbers outside messages (kept in step by ./index.ts). */
export const activeLocale = ref('en')
