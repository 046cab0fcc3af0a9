// Issue 13, finding 7: two consoles on one data folder started without complaint (lock state
// and timers per process). The second start now names the first one's PID and stops; a lock
// left by a killed console is taken over.
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { startBrowserConsole } from '../host/browser-host'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

describe('one console per data folder', () => {
  it('a second console on the folder is refused naming the first one’s PID; after a kill of the first it starts', async () => {
    const dataDir = tempDir('sc-one-')
    const rendererDir = tempDir('sc-ui-')
    mkdirSync(join(rendererDir, 'assets'))
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>ui</title>')
    const script = join(tempDir(), 'first.mts')
    writeFileSync(script, `
      import { startBrowserConsole } from ${JSON.stringify(join(ROOT, 'electron/host/browser-host.ts'))}
      await startBrowserConsole({ dataDir: process.argv[2], port: 0, rendererDir: process.argv[3] })
      console.log('READY')
      setInterval(() => undefined, 1000)
    `)
    const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href
    const first = spawn(process.execPath, ['--import', loader, script, dataDir, rendererDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      await new Promise<void>((resolve, reject) => {
        let out = ''
        first.stdout.on('data', (d) => ((out += d), out.includes('READY') && resolve()))
        first.stderr.on('data', (d) => (out += d))
        first.once('exit', () => reject(new Error(`first console exited:\n${out}`)))
      })
      const second = await startBrowserConsole({ dataDir, port: 0, rendererDir }).then(
        async (c) => (await c.close(), null),
        (e: { code: string; message: string }) => e,
      )
      expect(second).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`Another Support Console (process ${first.pid}`) })
    } finally {
      first.kill('SIGKILL')
      await new Promise((r) => first.once('exit', r))
    }
    const third = await startBrowserConsole({ dataDir, port: 0, rendererDir })
    await third.close()
  }, 60_000)
})
