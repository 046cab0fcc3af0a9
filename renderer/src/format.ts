/** "3 min ago", "yesterday 14:02", "12 Mar 2026": precise enough for a ticket list, exact in a tooltip. */
export function relativeTime(iso: string, now = Date.now()): string {
  const t = Date.parse(iso)
  const s = Math.round((now - t) / 1000)
  if (s < 45) return 'just now'
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86400) return `${Math.round(s / 3600)} h ago`
  const d = new Date(t)
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: d.getFullYear() === new Date(now).getFullYear() ? undefined : 'numeric' })
}

export const exactTime = (iso: string) => new Date(iso).toLocaleString()
