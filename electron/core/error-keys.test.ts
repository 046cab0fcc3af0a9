// Issue 17: every AppError the agent can see carries a key (and its values), so the renderer
// shows it in the agent's language; the English message stays for logs and the CLI. These
// tests read the sources: an AppError without `key:` or a key English lacks fails here.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { en, isKey, lookup } from '../../renderer/src/i18n/en'

const ROOT = join(import.meta.dirname, '..', '..')

/** The main process's sources: electron/ and db/, without tests and test helpers. */
function sources(): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) {
        if (e.name !== 'testing' && e.name !== 'node_modules') walk(p)
      } else if (e.name.endsWith('.ts') && !/\.(test|spec)\.ts$/.test(e.name) && e.name !== 'testing.ts' && !e.name.endsWith('.d.ts')) out.push(p)
    }
  }
  for (const d of ['electron', 'db']) walk(join(ROOT, d))
  return out
}

const parse = (name: string, text: string) => ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true)

function each(node: ts.Node, fn: (n: ts.Node) => void) {
  fn(node)
  ts.forEachChild(node, (c) => each(c, fn))
}

const keyProp = (o: ts.ObjectLiteralExpression) =>
  o.properties.find((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && p.name.getText() === 'key')

/** Lines of `new AppError(…)` calls whose options object has no `key`. */
export function unkeyedCalls(name: string, text: string): number[] {
  const sf = parse(name, text)
  const lines: number[] = []
  each(sf, (n) => {
    if (!ts.isNewExpression(n) || n.expression.getText() !== 'AppError') return
    const opts = n.arguments?.[2]
    if (!opts || !ts.isObjectLiteralExpression(opts) || !keyProp(opts)) lines.push(sf.getLineAndCharacterOfPosition(n.getStart()).line + 1)
  })
  return lines
}

/** Every string literal a `key:` property can take (`key: 'a.b'`, `key: x ? 'a.b' : 'a.c'`). */
export function usedKeys(name: string, text: string): string[] {
  const sf = parse(name, text)
  const keys: string[] = []
  each(sf, (n) => {
    if (!ts.isPropertyAssignment(n) || n.name.getText() !== 'key') return
    each(n.initializer, (l) => {
      if (ts.isStringLiteral(l) && /^[a-z]\w*(\.\w+)+$/.test(l.text)) keys.push(l.text)
    })
  })
  return keys
}

/** Placeholders of a text ({name}); "{{payload}}" is literal text, not one. */
const placeholdersOf = (text: unknown) => (typeof text === 'string' ? [...text.replace(/\{\{\w+\}\}/g, '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]!) : [])

/** `key: 'a.b'` next to `values: { … }` written out: placeholders of the key's texts the values do not name. */
export function missingValues(name: string, text: string): string[] {
  const sf = parse(name, text)
  const out: string[] = []
  each(sf, (n) => {
    if (!ts.isObjectLiteralExpression(n)) return
    const k = n.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === 'key')
    if (!k) return
    const v = n.properties.find((p) => p.name?.getText() === 'values')
    if (v && !(ts.isPropertyAssignment(v) && ts.isObjectLiteralExpression(v.initializer))) return // passed through: checked where written
    const given = new Set(v && ts.isPropertyAssignment(v) && ts.isObjectLiteralExpression(v.initializer) ? v.initializer.properties.map((p) => p.name?.getText() ?? '') : [])
    const line = sf.getLineAndCharacterOfPosition(n.getStart()).line + 1
    each(k.initializer, (l) => {
      if (!ts.isStringLiteral(l) || !isKey(`errors.${l.text}`)) return
      for (const ph of [...placeholdersOf(lookup(en, `errors.${l.text}`)), ...placeholdersOf(lookup(en, `errors.${l.text}Hint`))]) {
        if (!given.has(ph)) out.push(`${name}:${line} ${l.text} needs {${ph}}`)
      }
    })
  })
  return out
}

describe('errors from the main process carry a translatable key', () => {
  const files = sources().map((p) => ({ rel: relative(ROOT, p), text: readFileSync(p, 'utf8') }))

  it('every new AppError(…) in electron/ and db/ names a key', () => {
    const missing = files.flatMap((f) => unkeyedCalls(f.rel, f.text).map((l) => `${f.rel}:${l}`))
    expect(missing).toEqual([])
  })

  it('every key the sources use has an English text (errors.<key> in en.ts)', () => {
    const used = files.flatMap((f) => usedKeys(f.rel, f.text).map((k) => ({ k, at: f.rel })))
    expect(used.length).toBeGreaterThan(200)
    expect(used.filter((u) => !isKey(`errors.${u.k}`)).map((u) => `${u.at}: ${u.k}`)).toEqual([])
  })

  it('every placeholder of a key’s text (and hint) is among the values given with it', () => {
    expect(files.flatMap((f) => missingValues(f.rel, f.text))).toEqual([])
  })

  it('the checks see a call without a key and a key English lacks', () => {
    const src = [
      "throw new AppError('CONFLICT', 'a', { hint: 'h' })",
      "throw new AppError('CONFLICT', 'b')",
      "throw new AppError('CONFLICT', 'c', { key: ok ? 'workflow.running' : 'workflow.nope' })",
      "refuse('d', { key: 'devices.rejected' })",
    ].join('\n')
    expect(unkeyedCalls('x.ts', src)).toEqual([1, 2])
    expect(usedKeys('x.ts', src)).toEqual(['workflow.running', 'workflow.nope', 'devices.rejected'])
    expect(usedKeys('x.ts', src).filter((k) => !isKey(`errors.${k}`))).toEqual(['workflow.nope'])
    const values = [
      "new AppError('CONFLICT', 'a', { key: 'workflow.running', values: { step: 'Reset' } })",
      "new AppError('CONFLICT', 'b', { key: 'workflow.running', values: { stepTitle: 'Reset' } })",
      "new AppError('CONFLICT', 'c', { key: 'workflow.ended' })",
      "new AppError('CONFLICT', 'd', { key: 'workflow.ended', values: t.values })",
    ].join('\n')
    expect(missingValues('y.ts', values)).toEqual(['y.ts:2 workflow.running needs {step}', 'y.ts:3 workflow.ended needs {id}'])
  })
})
