import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tAny } from '../../../renderer/src/i18n/en'
import { my2nMove } from '../my2n-move/procedure'
import { nvrPasswordReset } from '../nvr-reset/procedure'
import { actionPhrase, hasPhrase } from './phrases'

/** Every audit action the console's code writes (string literals and the workflow step ids). */
function actionsInCode(): string[] {
  const found = new Set<string>()
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f)
      if (statSync(p).isDirectory()) walk(p)
      else if (/\.ts$/.test(f) && !/\.test\.ts$|testing/.test(p)) for (const m of readFileSync(p, 'utf8').matchAll(/action: '([a-zA-Z]+\.[a-zA-Z.]+)'/g)) found.add(m[1])
    }
  }
  walk(join(import.meta.dirname, '..', '..'))
  for (const def of [my2nMove, nvrPasswordReset]) for (const s of def.steps) found.add(`workflow.step.${s.id}`)
  return [...found].sort()
}

describe('audit titles in plain words', () => {
  it('names every action the console writes, in the report and on screen alike', () => {
    const actions = actionsInCode()
    expect(actions.length).toBeGreaterThan(60)
    const missing = actions.filter((a) => !hasPhrase(a))
    expect(missing).toEqual([])
    // The renderer's own copy (its i18n file, as AuditEntryList shows them) says the same.
    const actionLabel = (a: string) => tAny(`audit.actions.${a}`)
    for (const a of actions) expect(actionLabel(a), a).toBe(actionPhrase(a))
    expect(actionPhrase('nvrReset.payload')).toBe('NVR reset: payload decoded')
    expect(actionLabel('workflow.step.my2n-check')).toBe('Step done: Try adding it to My2N')
  })
})
