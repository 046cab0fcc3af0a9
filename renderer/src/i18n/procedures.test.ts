// The procedures' translations match the procedure definitions: no id that does not exist
// (a renamed step would silently fall back to English), and every title, field, choice,
// attachment and outcome of both procedures translated into Czech and German.
import { describe, expect, it } from 'vitest'
import { my2nMove } from '../../../electron/features/my2n-move/procedure'
import { nvrPasswordReset } from '../../../electron/features/nvr-reset/procedure'
import { activeLocale } from './compile'
import { procedureText, procedureTexts } from './procedures'

type Def = { id: string; title: string; summary: string; steps: { id: string; title: string; inputs?: { id: string; label: string; options?: { value: string; label: string }[] }[]; evidence?: { id: string; label: string }[]; outcomes: Record<string, { label: string }> }[] }
const defs = [my2nMove, nvrPasswordReset] as unknown as Def[]

/** Every translatable part of the definitions, as "procedure/step/group.id". */
function parts(): string[] {
  const out: string[] = []
  for (const p of defs) {
    out.push(`${p.id}//title`, `${p.id}//summary`)
    for (const s of p.steps) {
      out.push(`${p.id}/${s.id}/title`)
      for (const i of s.inputs ?? []) {
        out.push(`${p.id}/${s.id}/inputs.${i.id}`)
        for (const o of i.options ?? []) out.push(`${p.id}/${s.id}/options.${o.value}`)
      }
      for (const e of s.evidence ?? []) out.push(`${p.id}/${s.id}/evidence.${e.id}`)
      for (const o of Object.keys(s.outcomes)) out.push(`${p.id}/${s.id}/outcomes.${o}`)
    }
  }
  return out.sort()
}
function translated(locale: 'cs' | 'de'): string[] {
  const out: string[] = []
  for (const [pid, p] of Object.entries(procedureTexts[locale])) {
    if (p.title) out.push(`${pid}//title`)
    if (p.summary) out.push(`${pid}//summary`)
    for (const [sid, s] of Object.entries(p.steps)) {
      if (s.title) out.push(`${pid}/${sid}/title`)
      for (const g of ['inputs', 'options', 'evidence', 'outcomes'] as const) for (const id of Object.keys(s[g] ?? {})) out.push(`${pid}/${sid}/${g}.${id}`)
    }
  }
  return out.sort()
}

describe('procedure translations', () => {
  it.each(['cs', 'de'] as const)('%s covers exactly the titles, fields, choices, attachments and outcomes of both procedures', (locale) => {
    const want = parts()
    const have = translated(locale)
    expect(have.filter((k) => !want.includes(k)), 'ids that no procedure has').toEqual([])
    expect(want.filter((k) => !have.includes(k)), 'parts not translated').toEqual([])
  })

  it('shows the UI language and falls back to the definition’s English', () => {
    activeLocale.value = 'cs'
    expect(procedureText('my2n-move', 'reset', 'outcomes.lost', 'x')).toBe('Zařízení se nevrátilo tam, kde se čekalo')
    expect(procedureText('my2n-move', 'a-new-step', 'title', 'A new step')).toBe('A new step')
    activeLocale.value = 'en'
    expect(procedureText('my2n-move', 'reset', 'outcomes.lost', 'Device did not come back where expected')).toBe('Device did not come back where expected')
  })
})
