// Time to `support-console --help` (process start to exit, the compiled build; the build is
// made current first so a rebuild is not measured), beside `node -e ""` in the same run.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, report } from './util'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BIN = join(ROOT, 'bin', 'support-console.mjs')
const timed = (args: string[]) => {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}`)
  return performance.now() - t0
}
timed([BIN, '--help']) // builds if stale, fills the compile cache
const ours: number[] = []
const anchor: number[] = []
// Interleaved, so a burst of load on the machine hits both.
for (let i = 0; i < 15; i++) {
  ours.push(timed([BIN, '--help']))
  anchor.push(timed(['-e', '']))
}
report('support-console --help', median(ours), 'ms', { name: 'node -e ""', value: median(anchor) }, '< 250 ms')
