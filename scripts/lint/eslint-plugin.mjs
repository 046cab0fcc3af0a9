// A local ESLint plugin: the layer rules of ./layers.mjs on every import (static, dynamic,
// re-exports, type-only), and no import circles in product code. Replaces the grep script
// scripts/check-boundaries.mjs. scripts/lint/layers.test.ts runs it on fixtures and on the tree.
import { relative, sep } from 'node:path'
import { importCircles, layerViolation, productGraph, resolveImport, ROOT } from './layers.mjs'

const rel = (root, abs) => relative(root, abs).split(sep).join('/')
// The repository root; a test lints a fixture tree laid out like the repository instead.
const rootOf = (context) => context.settings?.layersRoot ?? ROOT

/** Every module specifier of a file: import/export declarations, import(), import type. */
function onImport(context, report) {
  const check = (node, source) => {
    if (source && source.type === 'Literal' && typeof source.value === 'string') report(node, source.value)
  }
  return {
    ImportDeclaration: (n) => check(n, n.source),
    ExportNamedDeclaration: (n) => check(n, n.source),
    ExportAllDeclaration: (n) => check(n, n.source),
    ImportExpression: (n) => check(n, n.source),
    TSImportType: (n) => check(n, n.argument?.type === 'TSLiteralType' ? n.argument.literal : n.argument),
  }
}

const imports = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports go down the layers (docs/architecture.md); known exceptions are listed in the debt option and must shrink.' },
    schema: [{ type: 'object', properties: { debt: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } }, additionalProperties: false }],
  },
  create(context) {
    const root = rootOf(context)
    const file = rel(root, context.filename)
    if (file.startsWith('..')) return {}
    const debt = new Set(context.options[0]?.debt?.[file] ?? [])
    const used = new Set()
    return {
      ...onImport(context, (node, spec) => {
        const why = layerViolation(file, spec, root)
        if (!why) return
        const to = resolveImport(context.filename, spec, root)
        if (to && debt.has(to)) {
          used.add(to)
          return
        }
        context.report({ node, message: why })
      }),
      'Program:exit'(node) {
        for (const to of debt) {
          if (!used.has(to)) context.report({ node, loc: { line: 1, column: 0 }, message: `${file} no longer imports ${to}: remove it from the layer debt in scripts/lint/layer-debt.mjs` })
        }
      },
    }
  },
}

const circles = new Map()
/** Circles of the product graph, computed once per root and lint run (the tree does not change during one). */
function circleOf(root, file) {
  if (!circles.has(root)) circles.set(root, new Map(importCircles(productGraph(root)).flatMap((c) => c.map((f) => [f, c]))))
  return circles.get(root).get(file)
}

const noCircle = {
  meta: { type: 'problem', docs: { description: 'No import circles in product code.' }, schema: [] },
  create(context) {
    const root = rootOf(context)
    const file = rel(root, context.filename)
    const circle = file.startsWith('..') ? undefined : circleOf(root, file)
    if (!circle) return {}
    const members = new Set(circle)
    return onImport(context, (node, spec) => {
      const to = resolveImport(context.filename, spec, root)
      if (to && members.has(to)) context.report({ node, message: `import circle: ${circle.join(' → ')} (one of these files must stop importing another: move what both need into a third)` })
    })
  },
}

export default { meta: { name: 'support-console-layers' }, rules: { imports, 'no-circle': noCircle } }
