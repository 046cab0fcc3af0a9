// Layer rules, checked by grep (cheap, and enough for a team this size):
//  - only electron/main and electron/preload import 'electron';
//  - shared/ imports no node: module, no electron, no DOM-only code;
//  - renderer/ never imports electron/, db/ or lab/;
//  - nothing shipped (electron/, renderer/, shared/, db/) imports lab/ or e2e/ (the `lab`
//    command is added by bin/support-console.mjs).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const files = (dir) => {
  const out = []
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...files(p))
    else if (/\.(ts|vue|mjs)$/.test(e.name)) out.push(p)
  }
  return out
}
const imports = (file) => [...readFileSync(join(root, file), 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2])

const rules = [
  { dirs: ['electron', 'db', 'shared', 'renderer', 'lab'], except: /^electron\/(main|preload)\//, bad: (s) => s === 'electron', why: "imports 'electron' outside electron/main and electron/preload" },
  { dirs: ['shared'], bad: (s) => s.startsWith('node:') || /^(fs|path|os|crypto|http|net)$/.test(s), why: 'shared/ must stay free of Node built-ins' },
  { dirs: ['renderer'], bad: (s) => /(^|\/)(electron|db|lab)\//.test(s) && s.startsWith('..'), why: 'the renderer talks to the rest only through the bridge and shared/' },
  { dirs: ['electron', 'renderer', 'shared', 'db'], bad: (s) => /(^|\/)(lab|e2e)\//.test(s) && s.startsWith('..'), why: 'shipped code must not import the lab bench or tests' },
]

let failures = 0
for (const r of rules) {
  for (const dir of r.dirs) {
    try { statSync(join(root, dir)) } catch { continue }
    for (const f of files(dir)) {
      const rel = relative(root, join(root, f))
      if (r.except?.test(rel) || /\.test\.ts$/.test(rel)) continue
      for (const s of imports(f)) if (r.bad(s)) { console.error(`${rel}: ${r.why} ("${s}")`); failures++ }
    }
  }
}
if (failures) process.exit(1)
console.log('Layer boundaries: ok')
