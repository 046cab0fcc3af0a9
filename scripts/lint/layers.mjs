// The layers of the code, keyed on folder names (like VS Code's layering rule), and the
// import graph they are checked on. Used by the ESLint rules in ./eslint-plugin.mjs, which
// check every import, static or dynamic, type-only included (a type import is a dependency
// too: `import type { App }` is how the service locator spreads). docs/architecture.md
// explains the layers and why.
//
//   shell, cli   electron/main + electron/preload; electron/cli   the two programs
//   host         electron/host                             the browser host, which `serve` starts
//   root         electron/core                             the composition root: builds the
//                                                          services, hands them to features
//   feature      electron/features/<name> (domain code, its handlers, procedure, actions);
//                one feature uses another only through its public entry, <name>/index.ts
//   infra        electron/infra: HTTP, Digest, XML, secrets, events, paths; imports no feature
//   db           db/: migrations, repositories
//   shared       shared/: the contract; imports nothing of ours but itself
//
// An import goes down the list, or stays within its layer; the desktop shell and the CLI are
// separate programs and never import each other, and the shell does not import the host. The renderer imports only renderer/ and shared/ (it
// talks to the rest through the bridge). Product code never imports the lab, e2e/, scripts/,
// tests or test helpers (`testing/` folders, `testing.ts` files). Only the shell imports 'electron'; shared/
// imports no Node built-in (it runs in the renderer too).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** Infrastructure: one folder, importing no feature. */
export const INFRA = ['electron/infra/']
const RANK = { shared: 0, db: 1, infra: 2, feature: 3, root: 4, host: 5, cli: 6, shell: 6 }

const posix = (p) => p.split(sep).join('/')

/** 'test' for tests, test helpers, the lab, e2e and tools; null outside the checked folders. */
export function layerOf(rel) {
  rel = posix(rel)
  if (/\.(test|spec)\.[cm]?[jt]s$/.test(rel) || /(^|\/)testing(\/|\.ts$)/.test(rel) || /^(lab|e2e|scripts|bin)\//.test(rel)) return 'test'
  if (rel.startsWith('shared/')) return 'shared'
  if (rel.startsWith('db/')) return 'db'
  if (rel.startsWith('renderer/')) return 'renderer'
  if (!rel.startsWith('electron/')) return null
  if (/^electron\/(main|preload)\//.test(rel)) return 'shell'
  if (rel.startsWith('electron/host/')) return 'host'
  if (rel.startsWith('electron/cli/')) return 'cli'
  if (rel.startsWith('electron/core/')) return 'root'
  if (INFRA.some((p) => (p.endsWith('/') ? rel.startsWith(p) : rel === p))) return 'infra'
  return 'feature'
}

/** The feature a file belongs to (electron/features/<name>/…), or null. */
export function featureOf(rel) {
  return posix(rel).match(/^electron\/features\/([^/]+)\//)?.[1] ?? null
}

/** The repository-relative file a relative specifier names, or null (a package, or not found). */
export function resolveImport(fromAbs, spec, root = ROOT) {
  if (!spec.startsWith('.')) return null
  const base = resolve(dirname(fromAbs), spec)
  for (const c of [base, `${base}.ts`, `${base}.vue`, `${base}.mjs`, `${base}.js`, join(base, 'index.ts')]) {
    if (existsSync(c) && statSync(c).isFile()) return posix(relative(root, c))
  }
  // Not found (a typo tsc reports anyway): still classify it by its folder.
  return posix(relative(root, base))
}

const NODE_BUILTIN = /^(node:|(fs|path|os|crypto|http|https|net|tls|dgram|child_process|worker_threads|stream|url|util|events|zlib)(\/|$))/

/** Why importing `spec` from the file `from` (relative to `root`) breaks a layer rule, or null. */
export function layerViolation(from, spec, root = ROOT) {
  from = posix(from)
  const lf = layerOf(from)
  if (lf === null || /\.(test|spec)\.[cm]?[jt]s$/.test(from)) return null
  if (spec === 'electron' || spec.startsWith('electron/')) {
    return lf === 'shell' ? null : "imports 'electron' outside electron/main and electron/preload: domain code runs in the browser host and the CLI too"
  }
  if (lf === 'test') return null
  if (lf === 'shared' && NODE_BUILTIN.test(spec)) return 'shared/ must stay free of Node built-ins: the renderer runs it'
  const to = resolveImport(join(root, from), spec, root)
  if (to === null) return null
  const lt = layerOf(to)
  if (lt === 'test' || to.startsWith('lab/') || to.startsWith('e2e/')) return `product code imports test code (${to}): the lab, tests and test helpers never ship`
  if (lf === 'renderer') return lt === 'renderer' || lt === 'shared' ? null : `the renderer imports ${to}: it talks to the rest only through the bridge and shared/`
  if (lt === 'renderer') return `${to} is renderer code: only the renderer imports it`
  if (lt === null) return null
  if (lf === 'shell' && (lt === 'host' || lt === 'cli')) return `the desktop shell imports ${to}: the browser host and the CLI are other programs; move what they share into infrastructure`
  if (lf === 'feature' && lt === 'feature') {
    const a = featureOf(from)
    const b = featureOf(to)
    if (b && a !== b && to !== `electron/features/${b}/index.ts`) return `imports ${to} inside the ${b} feature: features use one another only through the public entry electron/features/${b}/index.ts`
  }
  if (RANK[lt] > RANK[lf] || (lf !== lt && RANK[lt] === RANK[lf])) return `${lf} code imports ${lt} code (${to}): imports go down the layers shell/cli → host → root → feature → infra → db → shared (docs/architecture.md)`
  return null
}

// ---- the import graph, for the circle check ---------------------------------------------

const SOURCE = /\.(ts|vue|mjs)$/
const specifiers = (text) => [...text.matchAll(/(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2])

function walk(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'out') continue
    const p = join(dir, e.name)
    if (e.isDirectory()) walk(p, out)
    else if (SOURCE.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

/** Product files (not tests, not test helpers) → the product files they import, type-only included. */
export function productGraph(root = ROOT, dirs = ['shared', 'db', 'electron', 'renderer/src']) {
  const graph = new Map()
  for (const d of dirs) {
    if (!existsSync(join(root, d))) continue
    for (const abs of walk(join(root, d), [])) {
      const rel = posix(relative(root, abs))
      if (layerOf(rel) === 'test') continue
      const targets = new Set()
      for (const s of specifiers(readFileSync(abs, 'utf8'))) {
        if (!s.startsWith('.')) continue
        const base = resolve(dirname(abs), s)
        const hit = [base, `${base}.ts`, `${base}.vue`, `${base}.mjs`, join(base, 'index.ts')].find((c) => existsSync(c) && statSync(c).isFile())
        if (hit) targets.add(posix(relative(root, hit)))
      }
      graph.set(rel, [...targets])
    }
  }
  return graph
}

/** The import circles of a graph (strongly connected components of more than one file, or a file importing itself). */
export function importCircles(graph) {
  let index = 0
  const stack = []
  const onStack = new Set()
  const idx = new Map()
  const low = new Map()
  const circles = []
  const visit = (v) => {
    idx.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v), low.get(w)))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)))
    }
    if (low.get(v) === idx.get(v)) {
      const c = []
      let w
      do {
        w = stack.pop()
        onStack.delete(w)
        c.push(w)
      } while (w !== v)
      if (c.length > 1 || graph.get(v).includes(v)) circles.push(c.sort())
    }
  }
  for (const v of graph.keys()) if (!idx.has(v)) visit(v)
  return circles
}
