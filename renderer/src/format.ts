// Dates, times and durations in the agent's language (Intl, with the UI locale).
import { activeLocale, cachedFormat } from './i18n/compile'
import { t } from './i18n/en'

const relative = new Map<string, Intl.RelativeTimeFormat>()
const dayMonth = new Map<string, Intl.DateTimeFormat>()
const dayMonthYear = new Map<string, Intl.DateTimeFormat>()
const exact = new Map<string, Intl.DateTimeFormat>()

/** "3 min ago", "yesterday 14:02", "12 Mar 2026": precise enough for a ticket list, exact in a tooltip. */
export function relativeTime(iso: string, now = Date.now()): string {
  const locale = activeLocale.value
  const at = Date.parse(iso)
  const s = Math.round((now - at) / 1000)
  if (s < 45) return t('common.justNow')
  const rtf = cachedFormat((l) => new Intl.RelativeTimeFormat(l, { numeric: 'auto', style: 'long' }), relative, locale)
  if (s < 3600) return rtf.format(-Math.round(s / 60), 'minute')
  if (s < 86400) return rtf.format(-Math.round(s / 3600), 'hour')
  const d = new Date(at)
  return d.getFullYear() === new Date(now).getFullYear()
    ? cachedFormat((l) => new Intl.DateTimeFormat(l, { day: 'numeric', month: 'short' }), dayMonth, locale).format(d)
    : cachedFormat((l) => new Intl.DateTimeFormat(l, { day: 'numeric', month: 'short', year: 'numeric' }), dayMonthYear, locale).format(d)
}

// toLocaleString's defaults: the date and the time with seconds.
export const exactTime = (iso: string) =>
  cachedFormat((l) => new Intl.DateTimeFormat(l, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }), exact, activeLocale.value).format(new Date(iso))

type DurationFormatCtor = new (locale: string, o: { style: string; hoursDisplay?: string }) => { format(d: Record<string, number>): string }

/** A countdown span ("5 hr, 3 min, 7 sec", "5 h, 3 min a 7 s"), by locale where the browser can. */
export function duration(ms: number, locale = activeLocale.value): string {
  const s = Math.floor(Math.abs(ms) / 1000)
  const parts = { hours: Math.floor(s / 3600), minutes: Math.floor((s % 3600) / 60), seconds: s % 60 }
  const DF = (Intl as unknown as { DurationFormat?: DurationFormatCtor }).DurationFormat
  if (DF) return new DF(locale, { style: 'short', hoursDisplay: 'always' }).format(parts)
  return `${parts.hours} h ${String(parts.minutes).padStart(2, '0')} min ${String(parts.seconds).padStart(2, '0')} s`
}
