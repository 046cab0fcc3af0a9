// The `support-console` command as installed: on a system Node older than 22 it relaunches
// itself on the project's Node 24. A SIGTERM sent to the command alone (kill PID, a service
// manager) must stop the console it started, not leave it running on its port.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
// The machine's own Node where there is one (Node 20 on this kind of machine: the relaunch
// path); otherwise the project's Node (the direct path). Both must stop on SIGTERM.
const NODE = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath

const consoles = (dataDir: string) => {
  try {
    return execFileSync('pgrep', ['-f', `serve --port 0 --data-dir ${dataDir}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean)
  } catch {
    return []
  }
}

it('SIGTERM to the support-console command stops the console it runs', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sc-bin-'))
  const child = spawn(NODE, [join(ROOT, 'bin', 'support-console.mjs'), 'serve', '--port', '0', '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (c) => (out += c))
  child.stderr.on('data', (c) => (out += c))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  const end = Date.now() + 30_000
  while (!/\?token=/.test(out)) {
    if (Date.now() > end) throw new Error(`no URL printed:\n${out}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)![0]
  expect(consoles(dataDir).length).toBeGreaterThan(0)
  child.kill('SIGTERM')
  await exited
  const until = Date.now() + 5000
  while (consoles(dataDir).length && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
  expect(consoles(dataDir)).toEqual([])
  await expect(fetch(url)).rejects.toThrow()
}, 60_000)
