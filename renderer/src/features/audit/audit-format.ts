import type { TicketEdit } from '../../../../shared/contract/index'
import { t, tAny } from '../../i18n/en'

/** A plain-English phrase for an action name; unknown actions are made readable. */
export function actionLabel(action: string): string {
  const key = `audit.actions.${action}`
  const v = tAny(key)
  if (v !== key) return v
  // A guided procedure's step: its id names it (workflow.step.backup → "Step: backup").
  const step = /^workflow\.step\.(.+)$/.exec(action)
  if (step) return t('audit.stepDone', { step: step[1]! })
  const s = action.replace(/[._-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().trim()
  return s ? s[0].toUpperCase() + s.slice(1) : action
}

/**
 * Inputs as key / short value / full value (for the tooltip); hashes are shortened, objects
 * flattened. `ticketState` (the seals of a ticket's values that `audit verify` checks) means
 * nothing to a reader and is left out.
 */
export function inputPairs(inputs: Record<string, unknown>): [string, string, string][] {
  return Object.entries(inputs).filter(([k]) => k !== 'ticketState').map(([k, v]) => {
    const full = typeof v === 'string' ? v : Array.isArray(v) ? v.join(', ') : JSON.stringify(v)
    let s = full
    if (/^[0-9a-f]{64}$/.test(s)) s = `${s.slice(0, 12)}…`
    if (s.length > 120) s = `${s.slice(0, 117)}…`
    return [k, s, full]
  })
}

/**
 * The rows of a "Ticket details edited" entry: each changed field with its old and new
 * value. Values come from the ticket's edit history when given, else from the entry (which
 * holds the values of non-personal fields only); `known: false` when neither has them.
 */
export function editRows(inputs: Record<string, unknown>, edits?: TicketEdit[]): { field: string; from: string; to: string; known: boolean }[] {
  const fields = Array.isArray(inputs.fields) ? (inputs.fields as string[]) : []
  const inEntry = (inputs.changes ?? {}) as Record<string, { from?: string; to?: string }>
  return fields.map((field) => {
    const e = edits?.find((x) => x.field === field)
    if (e) return { field, from: e.from, to: e.to, known: true }
    const c = inEntry[field]
    return c && typeof c.from === 'string' && typeof c.to === 'string' ? { field, from: c.from, to: c.to, known: true } : { field, from: '', to: '', known: false }
  })
}

/** Saves base64 content as a file through a temporary blob: link. */
export function saveBase64(fileName: string, mime: string, dataBase64: string): void {
  const bytes = Uint8Array.from(atob(dataBase64), (c) => c.charCodeAt(0))
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
