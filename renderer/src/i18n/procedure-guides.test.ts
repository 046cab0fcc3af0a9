// Every long text of both procedures (instructions, warning, field help, typed confirmation,
// message template, outcome message) and every sentence a step shows while blocked or waiting
// has Czech and German, with the same {{placeholders}} as the English: a step added to a
// procedure without its translations fails here.
import { describe, expect, it } from 'vitest'
import { MY2N_REVEAL, my2nMove } from '../../../electron/features/my2n-move/procedure'
import { nvrPasswordReset, NVR_RESET_WAITING } from '../../../electron/features/nvr-reset/procedure'
import { activeLocale } from './compile'
import { addGuides, fillVars, guideText, whyText } from './procedure-guides'
import { guidesCs } from './procedure-guides-cs'
import { guidesDe } from './procedure-guides-de'

const procedureGuides = { cs: guidesCs, de: guidesDe }

type Def = {
  id: string
  steps: {
    id: string; instructions: string; warning?: string; confirm?: { prompt: string }; template?: { title: string; body: string }
    inputs?: { id: string; help?: string }[]; requires?: { message: string }[]; outcomes: Record<string, { message?: string }>
  }[]
}
const defs = [my2nMove, nvrPasswordReset] as unknown as Def[]
/** English sentences the steps show while blocked or waiting (and above a secret shown once), per procedure. */
const sentences: Record<string, string[]> = {
  'my2n-move': [...my2nMove.steps.flatMap((s) => (s.requires ?? []).map((r) => r.message)), ...Object.values(MY2N_REVEAL)],
  'nvr-password-reset': [...nvrPasswordReset.steps.flatMap((s) => (s.requires ?? []).map((r) => r.message)), ...Object.values(NVR_RESET_WAITING)],
}

/** "procedure/step/part" → English text, for every long text the definitions have. */
function english(): Map<string, string> {
  const out = new Map<string, string>()
  for (const p of defs)
    for (const s of p.steps) {
      const k = `${p.id}/${s.id}/`
      out.set(k + 'instructions', s.instructions)
      if (s.warning) out.set(k + 'warning', s.warning)
      if (s.confirm) out.set(k + 'confirm', s.confirm.prompt)
      if (s.template) out.set(k + 'template.title', s.template.title).set(k + 'template.body', s.template.body)
      for (const i of s.inputs ?? []) if (i.help) out.set(`${k}help.${i.id}`, i.help)
      for (const [id, o] of Object.entries(s.outcomes)) if (o.message) out.set(`${k}messages.${id}`, o.message)
    }
  return out
}
function translated(locale: 'cs' | 'de'): Map<string, string> {
  const out = new Map<string, string>()
  for (const [pid, p] of Object.entries(procedureGuides[locale]))
    for (const [sid, s] of Object.entries(p.steps)) {
      const k = `${pid}/${sid}/`
      for (const part of ['instructions', 'warning', 'confirm'] as const) if (s[part]) out.set(k + part, s[part])
      if (s.template) out.set(k + 'template.title', s.template.title).set(k + 'template.body', s.template.body)
      for (const [id, v] of Object.entries(s.help ?? {})) out.set(`${k}help.${id}`, v)
      for (const [id, v] of Object.entries(s.messages ?? {})) out.set(`${k}messages.${id}`, v)
    }
  return out
}
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]).sort()

describe('procedure guides (long texts) in Czech and German', () => {
  it.each(['cs', 'de'] as const)('%s has every long text of both procedures, nothing extra, same placeholders', (locale) => {
    const want = english()
    const have = translated(locale)
    expect([...have.keys()].filter((k) => !want.has(k)), 'texts that no procedure has').toEqual([])
    expect([...want.keys()].filter((k) => !have.has(k)), 'texts not translated').toEqual([])
    for (const [k, en] of want) expect(placeholders(have.get(k)!), k).toEqual(placeholders(en))
    for (const [k, en] of want) expect(have.get(k), `${k} is still English`).not.toBe(en)
  })

  it.each(['cs', 'de'] as const)('%s has every waiting and blocked sentence, nothing extra', (locale) => {
    for (const [pid, want] of Object.entries(sentences)) expect(Object.keys(procedureGuides[locale][pid].sentences).sort(), pid).toEqual([...new Set(want)].sort())
  })

  it('shows the UI language filled with the step’s values, and English (as sent) otherwise', () => {
    // Until a language's chunk is loaded, its steps show the English the main process sent.
    activeLocale.value = 'cs'
    expect(guideText('my2n-move', 'restore', 'help.backupPassword', 'Only if you')).toBe('Only if you')
    addGuides('cs', guidesCs)
    addGuides('de', guidesDe)
    expect(guideText('my2n-move', 'register', 'instructions', 'x', { serial: '54-0562-0293', site: 'Vila' })).toBe('Konzole přidá zařízení 54-0562-0293 do lokality Vila s novým bezpečnostním kódem.')
    expect(guideText('my2n-move', 'restore', 'help.backupPassword', 'x')).toMatch(/^Jen pokud jste zálohu/)
    expect(guideText('my2n-move', 'a-new-step', 'instructions', 'Filled English')).toBe('Filled English')
    expect(whyText('my2n-move', 'bench', 'mismatch', 'The serial typed does not match the device. …')).toMatch(/^Zadané sériové číslo/)
    // Observed NVR steps join sentences ("The QR has expired. Waiting for a photo of a new QR.").
    expect(whyText('nvr-password-reset', 'qr-photo', null, `${NVR_RESET_WAITING.qrExpired} ${NVR_RESET_WAITING.newPhoto}`)).toBe('Platnost QR kódu vypršela. Čeká se na fotku nového QR kódu.')
    expect(whyText('nvr-password-reset', 'code', null, 'Vendor said no.')).toBe('Vendor said no.')
    activeLocale.value = 'de'
    expect(guideText('my2n-move', 'reset', 'confirm', 'x')).toBe('Geben Sie die Seriennummer des Geräts ein, um den Werksreset zu bestätigen.')
    activeLocale.value = 'en'
    expect(guideText('my2n-move', 'register', 'instructions', 'The console adds device A to site B with the new security code.')).toBe('The console adds device A to site B with the new security code.')
    expect(fillVars('{{a}} {{ b }} {{c}}', { a: '1', b: '2' })).toBe('1 2 …')
  })
})
