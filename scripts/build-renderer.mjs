// Builds the renderer into out/renderer unless it is already newer than every source file.
// `npm start` calls it so a fresh clone works, without paying for a rebuild every start.
import { build } from 'vite'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const out = join(root, 'out', 'renderer', 'index.html')
const newest = (dir) => {
  let m = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    m = Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return m
}
const srcTime = Math.max(newest(join(root, 'renderer')), newest(join(root, 'shared')))
if (process.argv.includes('--force') || !existsSync(out) || statSync(out).mtimeMs < srcTime) {
  await build({ configFile: join(root, 'renderer', 'vite.config.ts'), logLevel: 'warn' })
  console.log('Renderer built into out/renderer.')
}
