// The `support-console` command as installed: on a system Node older than 22 it relaunches
// itself on the project's Node 24. A SIGTERM sent to the command alone (kill PID, a service
// manager) must stop what it started, not leave it running (here a lab bench, which needs
// no built UI, so the test also holds on a fresh clone).
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
// The machine's own Node where there is one (Node 20 on this kind of machine: the relaunch
// path); otherwise the project's Node (the direct path). Both must stop on SIGTERM.
const NODE = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath

const consoles = (seed: string) => {
  try {
    return execFileSync('pgrep', ['-f', `seed ${seed}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean)
  } catch {
    return []
  }
}

it('SIGTERM to the support-console command stops what it runs', async () => {
  const seed = `bin-${process.pid}-${Date.now()}`
  const child = spawn(NODE, [join(ROOT, 'bin', 'support-console.mjs'), 'lab', '--intercoms', '1', '--nvrs', '0', '--ephemeral-ports', '--no-discovery', '--host-base', '127.0.97.', '--json', '--seed', seed], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (c) => (out += c))
  child.stderr.on('data', (c) => (out += c))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  const end = Date.now() + 30_000
  while (!/"httpPort":\s*\d+/.test(out)) {
    if (Date.now() > end) throw new Error(`the bench did not start:\n${out}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  const port = Number(/"httpPort":\s*(\d+)/.exec(out)![1])
  const url = `http://127.0.97.10:${port}/api/system/info`
  expect((await fetch(url)).status).toBe(200)
  expect(consoles(seed).length).toBeGreaterThan(0)
  child.kill('SIGTERM')
  await exited
  const until = Date.now() + 5000
  while (consoles(seed).length && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
  expect(consoles(seed)).toEqual([])
  await expect(fetch(url)).rejects.toThrow()
}, 60_000)
