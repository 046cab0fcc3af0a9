// `npm start` as an agent meets it: with no Electron binary it serves the console in the
// browser and says why; with one it builds the app and hands it the arguments.
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

function start(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), ...args], { cwd: ROOT, env: { ...process.env, ELECTRON_PATH: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (c) => (out += c))
  child.stderr.on('data', (c) => (out += c))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  return { child, exited, output: () => out }
}

async function waitFor(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('npm start', () => {
  it('without Electron serves the console on loopback, says why, and stops on Ctrl-C', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sc-start-'))
    const s = start(['--port', '0', '--data-dir', dataDir], {})
    try {
      await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.test(s.output()), 60_000, s.output)
      expect(s.output()).toContain('No Electron binary is installed')
      const url = new URL(/http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(s.output())![0])
      // The token rides in the fragment (never sent to a server); the page loads without any
      // credential and trades the token for a session it sends as a header.
      const home = await fetch(new URL('/', url))
      expect(home.status).toBe(200)
      expect(home.headers.get('set-cookie')).toBeNull()
      expect(await home.text()).toContain('<div id="app"')
      const exchange = await fetch(new URL('/api/session', url), { method: 'POST', headers: { origin: url.origin, 'content-type': 'application/json' }, body: JSON.stringify({ token: url.hash.slice('#token='.length) }) })
      const { session } = ((await exchange.json()) as { value: { session: string } }).value
      const list = await fetch(new URL('/api/rpc/tickets.list', url), { method: 'POST', headers: { origin: url.origin, 'content-type': 'application/json', 'x-console-session': session }, body: '{}' })
      expect(list.status).toBe(200)
      expect(existsSync(join(dataDir, 'support-console.sqlite'))).toBe(true)
    } finally {
      s.child.kill('SIGINT')
    }
    expect(await s.exited).not.toBeNull()
  }, 90_000)

  it('with an Electron binary builds the app and opens it with the arguments given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sc-fake-electron-'))
    const argsFile = join(dir, 'args.txt')
    const fake = join(dir, 'electron')
    // A stand-in for the Electron binary: records how it was started, like a window that closes.
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n`)
    chmodSync(fake, 0o755)
    const s = start(['--data-dir', '/tmp/sc bench'], { ELECTRON_PATH: fake })
    expect(await s.exited).toBe(0)
    expect(readFileSync(argsFile, 'utf8').trim().split('\n')).toEqual([ROOT.replace(/\/$/, ''), '--data-dir', '/tmp/sc bench'].map((a, i) => (i === 0 ? expect.stringMatching(new RegExp(`^${a}/?$`)) : a)))
    for (const built of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']) expect(existsSync(join(ROOT, built))).toBe(true)
  }, 120_000)
})
