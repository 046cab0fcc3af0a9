// The procedures' long texts in the UI language. The main process fills the English with the
// run's facts; for Czech and German the renderer fills the translated template itself with
// the same values (CurrentStep.vars), so the facts stay where they are and the translations
// stay in the renderer with the rest of the UI's texts. Anything missing here (a step added
// later) shows the English the main process sent. procedure-guides.test.ts checks coverage.
import { activeLocale } from './compile'
import type { ProcedureGuides } from './procedure-guide-types'

export type { ProcedureGuides, ProcedureGuide, StepGuide } from './procedure-guide-types'

// Filled by the locale loader (index.ts) before it switches to that language, with the
// language's chunk (bundle-cs.ts, bundle-de.ts).
const loaded: Partial<Record<'cs' | 'de', ProcedureGuides>> = {}
export function addGuides(l: 'cs' | 'de', g: ProcedureGuides): void {
  loaded[l] = g
}

function guide(): ProcedureGuides | null {
  const l = activeLocale.value
  return l === 'cs' || l === 'de' ? (loaded[l] ?? null) : null
}

/** Fills {{name}} the way electron/features/workflows/run-view.ts does ("…" for a value it did not send). */
export function fillVars(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, k: string) => vars[k] ?? '…')
}

type GuidePart = 'instructions' | 'warning' | 'confirm' | 'template.title' | 'template.body' | `help.${string}`

/** A step's long text in the UI language, filled with `vars`; `english` (already filled) otherwise. */
export function guideText(procedure: string, step: string, part: GuidePart, english: string, vars: Record<string, string> = {}): string {
  const s = guide()?.[procedure]?.steps[step]
  if (!s) return english
  let text: string | undefined
  if (part === 'template.title') text = s.template?.title
  else if (part === 'template.body') text = s.template?.body
  else if (part.startsWith('help.')) text = s.help?.[part.slice(5)]
  else text = s[part as 'instructions' | 'warning' | 'confirm']
  return text === undefined ? english : fillVars(text, vars)
}

/**
 * What the timeline says about a step (TimelineEntry.why, stored in English): the translated
 * outcome message when the step ended with one, else sentence by sentence from the known
 * waiting/blocked sentences (several requirements are joined with spaces). Unknown sentences
 * (an error from a device, a vendor's message) stay as they are.
 */
export function whyText(procedure: string, step: string, outcome: string | null, why: string): string {
  const g = guide()?.[procedure]
  if (!g || !why) return why
  const m = outcome ? g.steps[step]?.messages?.[outcome] : undefined
  if (m) return m
  if (g.sentences[why]) return g.sentences[why]
  return why
    .split(/(?<=\.)\s+/)
    .map((s) => g.sentences[s] ?? s)
    .join(' ')
}
