// `npm run bench`: runs every benchmark file in this folder, one process each, in order.
// `npm run bench -- qr search` runs only those whose file name contains a given word.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2)
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['index.ts', 'util.ts'].includes(f) && !f.endsWith('.test.ts'))
  .filter((f) => only.length === 0 || only.some((w) => f.includes(w)))
  .sort()
let failed = 0
for (const f of files) {
  console.log(`\n== ${f.replace(/\.ts$/, '')}`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, f)], { stdio: 'inherit' })
  if (r.status !== 0) {
    console.log(`(${f} failed with exit code ${r.status})`)
    failed++
  }
}
process.exit(failed ? 1 : 0)
