// Issue 13, finding 7: two consoles on one data folder started without complaint (lock state
// and timers per process). The folder's lock is now an OS file lock (console-lock.ts): a second
// console, in this process or another, or a writing CLI command is refused naming the first
// one's PID; read-only commands still run beside it; a console killed with SIGKILL leaves no
// stale lock behind.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { CONSOLE_LOCK, lockConsole } from '../infra/console-lock'
import { startBrowserConsole } from '../host/browser-host'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href

function uiDir(): string {
  const rendererDir = tempDir('sc-ui-')
  mkdirSync(join(rendererDir, 'assets'))
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>ui</title>')
  return rendererDir
}

/** A browser console in a process of its own; resolves once it serves, or with its error output when it exits. */
function spawnConsole(dataDir: string, rendererDir: string): { child: ChildProcessWithoutNullStreams; ready: Promise<{ ok: boolean; out: string }> } {
  const script = join(tempDir(), 'console.mts')
  writeFileSync(script, `
    import { startBrowserConsole } from ${JSON.stringify(join(ROOT, 'electron/host/browser-host.ts'))}
    try {
      await startBrowserConsole({ dataDir: process.argv[2], port: 0, rendererDir: process.argv[3] })
    } catch (e) {
      console.error(e.message)
      process.exit(4)
    }
    console.log('READY')
    setInterval(() => undefined, 1000)
  `)
  const child = spawn(process.execPath, ['--import', loader, script, dataDir, rendererDir], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
  const ready = new Promise<{ ok: boolean; out: string }>((resolve) => {
    let out = ''
    child.stdout.on('data', (d) => ((out += d), out.includes('READY') && resolve({ ok: true, out })))
    child.stderr.on('data', (d) => (out += d))
    child.once('exit', () => resolve({ ok: false, out }))
  })
  return { child, ready }
}

const cli = (args: string[]) => spawnSync(process.execPath, [`${ROOT}bin/support-console.mjs`, ...args], { cwd: ROOT, encoding: 'utf8' })

async function kill(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((r) => child.once('exit', r))
  child.kill('SIGKILL')
  await gone
}

describe('one console per data folder', () => {
  it('a second console (another process, or this one) is refused naming the first one’s PID; read-only commands still work; after SIGKILL the lock is free', async () => {
    const dataDir = tempDir('sc-one-')
    const rendererDir = uiDir()
    const first = spawnConsole(dataDir, rendererDir)
    try {
      const up = await first.ready
      expect(up.ok, up.out).toBe(true)

      const second = spawnConsole(dataDir, rendererDir)
      const refused = await second.ready
      await kill(second.child)
      expect(refused.ok).toBe(false)
      expect(refused.out).toContain(`Another Support Console (process ${first.child.pid}`)

      const here = await startBrowserConsole({ dataDir, port: 0, rendererDir }).then(async (c) => (await c.close(), null), (e: { code: string; message: string }) => e)
      expect(here).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`process ${first.child.pid}`) })

      // A writing CLI command is refused the same way, before it sends anything.
      const dev = cli(['device', 'status', '127.0.0.1:9', '--data-dir', dataDir])
      expect(dev.status).not.toBe(0)
      expect(dev.stderr).toContain(`process ${first.child.pid}`)

      // Read-only commands run beside the console.
      const verify = cli(['audit', 'verify', '--data-dir', dataDir])
      expect(verify.status, verify.stderr).toBe(0)
      const list = cli(['audit', 'list', '--data-dir', dataDir])
      expect(list.status, list.stderr).toBe(0)
    } finally {
      await kill(first.child)
    }
    // SIGKILL ran no cleanup: the owner's name is still there, but the OS let go of the lock.
    expect(existsSync(join(dataDir, CONSOLE_LOCK))).toBe(true)
    const third = await startBrowserConsole({ dataDir, port: 0, rendererDir })
    await third.close()
  }, 60_000)

  it('a lock released is free again, and its owner file is removed', () => {
    const dataDir = tempDir('sc-one-')
    const a = lockConsole(dataDir, 'test')
    expect(() => lockConsole(dataDir, 'test')).toThrow(/process \d+ on .*, test started/)
    a.release()
    expect(existsSync(join(dataDir, CONSOLE_LOCK))).toBe(false)
    lockConsole(dataDir, 'test').release()
  })
})
