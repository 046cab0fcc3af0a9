// Dates, times and durations in the agent's language (Intl, with the UI locale).
import { activeLocale } from './i18n/compile'
import { t } from './i18n/en'

/** "3 min ago", "yesterday 14:02", "12 Mar 2026": precise enough for a ticket list, exact in a tooltip. */
export function relativeTime(iso: string, now = Date.now()): string {
  const locale = activeLocale.value
  const at = Date.parse(iso)
  const s = Math.round((now - at) / 1000)
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'long' })
  if (s < 45) return t('common.justNow')
  if (s < 3600) return rtf.format(-Math.round(s / 60), 'minute')
  if (s < 86400) return rtf.format(-Math.round(s / 3600), 'hour')
  const d = new Date(at)
  return d.toLocaleDateString(locale, { day: 'numeric', month: 'short', year: d.getFullYear() === new Date(now).getFullYear() ? undefined : 'numeric' })
}

export const exactTime = (iso: string) => new Date(iso).toLocaleString(activeLocale.value)

type DurationFormatCtor = new (locale: string, o: { style: string; hoursDisplay?: string }) => { format(d: Record<string, number>): string }

/** A countdown span ("5 hr, 3 min, 7 sec", "5 h, 3 min a 7 s"), by locale where the browser can. */
export function duration(ms: number, locale = activeLocale.value): string {
  const s = Math.floor(Math.abs(ms) / 1000)
  const parts = { hours: Math.floor(s / 3600), minutes: Math.floor((s % 3600) / 60), seconds: s % 60 }
  const DF = (Intl as unknown as { DurationFormat?: DurationFormatCtor }).DurationFormat
  if (DF) return new DF(locale, { style: 'short', hoursDisplay: 'always' }).format(parts)
  return `${parts.hours} h ${String(parts.minutes).padStart(2, '0')} min ${String(parts.seconds).padStart(2, '0')} s`
}
