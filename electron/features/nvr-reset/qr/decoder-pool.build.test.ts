// The desktop app runs bundled JavaScript, without tsx: the pool must start the worker that
// the main build emits (electron.vite.config.ts) next to itself. This builds the pool and
// the worker with the main build's entry and file naming into a temporary folder and runs
// the result with plain Node, decoding a generated code.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import QRCode from 'qrcode'
import { build } from 'vite'
import { afterAll, describe, expect, it } from 'vitest'
import { mainRollupOptions } from '../../../../electron.vite.config'
import { workerEntry } from './decoder-pool'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))
const TEXT = 'NVR2M|SN=2M0123456789|bundled worker'

describe('the QR worker in a bundled build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qr-bundle-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('is started from the built decoder-worker.js with plain node (no tsx) and decodes', async () => {
    // Stands in for out/main/index.js: uses the pool the way the app does.
    const driver = join(dir, 'driver.ts')
    writeFileSync(
      driver,
      `import { readFileSync } from 'node:fs'
import { DecoderPool, workerEntry } from ${JSON.stringify(join(repo, 'electron/features/nvr-reset/qr/decoder-pool.ts'))}
const entry = workerEntry()
const pool = new DecoderPool({ size: 1 })
const r = await pool.decode(readFileSync(process.argv[2]))
await pool.close()
console.log(JSON.stringify({ worker: entry.url.href, execArgv: entry.execArgv, texts: r.codes.map((c) => c.text) }))
`,
    )
    const out = join(dir, 'out', 'main')
    await build({
      configFile: false,
      root: repo,
      logLevel: 'silent',
      build: {
        ssr: true,
        outDir: out,
        emptyOutDir: true,
        minify: false,
        rollupOptions: { input: { index: driver, 'decoder-worker': mainRollupOptions.input['decoder-worker'] }, output: mainRollupOptions.output },
      },
    })
    const files = readdirSync(out)
    expect(files).toContain('index.js')
    expect(files).toContain('decoder-worker.js')
    // Dependencies stay external, as in the app: resolve them from the project's node_modules.
    symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir')
    const png = join(dir, 'code.png')
    writeFileSync(png, await QRCode.toBuffer(TEXT, { scale: 5 }))
    const env = { ...process.env }
    delete env.NODE_OPTIONS // no loader hooks inherited from the test runner
    const run = spawnSync(process.execPath, [join(out, 'index.js'), png], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 })
    expect(run.stderr).not.toMatch(/Error/)
    expect(run.status).toBe(0)
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { worker: string; execArgv: string[]; texts: string[] }
    expect(fileURLToPath(result.worker)).toBe(join(out, 'decoder-worker.js'))
    expect(result.execArgv).toEqual([])
    expect(result.texts).toEqual([TEXT])
  }, 120_000)

  it('runs the TypeScript source through tsx when not bundled, and says so when a bundle lacks the worker', () => {
    const dev = workerEntry(new URL('./decoder-pool.ts', import.meta.url).href)
    expect(fileURLToPath(dev.url)).toBe(join(repo, 'electron/features/nvr-reset/qr/decoder-worker.ts'))
    expect(dev.execArgv[0]).toBe('--import')
    expect(dev.execArgv[1]).toMatch(/tsx/)
    const empty = mkdtempSync(join(tmpdir(), 'qr-nobundle-'))
    try {
      expect(() => workerEntry(new URL(`file://${empty}/index.js`).href)).toThrow(/missing from this build/)
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })
})
