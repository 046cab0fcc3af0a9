// The host starts without the heavy modules (pdf-lib and its fonts, axios, sharp,
// zxing-wasm, exifr, Node's undici): each is imported where it is first used. These tests run the built
// console (out/cli) and check both halves: nothing heavy is loaded before the host is
// ready, and the lazily loaded chunks and packages are found at run time.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import QRCode from 'qrcode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(ROOT, 'bin', 'support-console.mjs')

// Reports on stderr every file the process loads (ESM and CommonJS), and, when the host
// prints its address, whether Node's undici was loaded (process.moduleLoadList).
const TRACE = `data:text/javascript,${encodeURIComponent(`
import module from 'node:module'
module.registerHooks({ load(url, context, next) {
  if (url.startsWith('file:')) process.stderr.write('LOADED ' + url + '\\n')
  return next(url, context)
} })
const write = process.stdout.write.bind(process.stdout)
process.stdout.write = (c, ...a) => {
  if (/token=/.test(String(c))) process.stderr.write('UNDICI ' + process.moduleLoadList.some((m) => m.includes('undici')) + '\\n')
  return write(c, ...a)
}`)}`

/** What the loaded files hold: packages loaded from node_modules, and packages bundled into loaded chunks (esbuild marks each with a path comment). */
function loadedPackages(stderr: string): Set<string> {
  const out = new Set<string>()
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('LOADED ')) continue
    const path = fileURLToPath(line.slice(7))
    const direct = /\/node_modules\/((@[^/]+\/)?[^/]+)\//.exec(path)
    if (direct) out.add(direct[1])
    if (path.startsWith(join(ROOT, 'out', 'cli')) && path.endsWith('.js')) {
      for (const m of readFileSync(path, 'utf8').matchAll(/^\/\/ node_modules\/((@[^/]+\/)?[^/]+)\//gm)) out.add(m[1])
    }
  }
  return out
}

const HEAVY = ['pdf-lib', '@pdf-lib/fontkit', '@pdf-lib/standard-fonts', 'axios', 'sharp', 'zxing-wasm', 'exifr']

describe('the compiled console loads heavy modules where they are first used', () => {
  const stops: (() => void)[] = []
  afterAll(() => stops.forEach((s) => s()))
  // The host serves the built UI: on a fresh clone the unit tests run before anything built it.
  beforeAll(() => {
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-renderer.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 })
    if (b.status !== 0) throw new Error(`building the UI failed:\n${b.stdout}\n${b.stderr}`)
  }, 310_000)

  it('the host starts without them, and a PDF export then finds pdf-lib and its fonts in the build', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sc-lazy-'))
    const token = 'lazy-test-token'
    const child = spawn(process.execPath, ['--import', TRACE, BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--token', token], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    stops.push(() => child.kill('SIGTERM'))
    let out = ''
    let err = ''
    child.stderr.on('data', (c) => (err += c))
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no start in 60 s:\n${out}\n${err.slice(-2000)}`)), 60_000)
      child.stdout.on('data', (c) => {
        out += c
        const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\/[?#]token=/)
        if (m) {
          clearTimeout(t)
          resolve(Number(m[1]))
        }
      })
      child.once('exit', (code) => reject(new Error(`host exited ${code}:\n${out}\n${err.slice(-2000)}`)))
    })
    const atStart = loadedPackages(err)
    expect(atStart.has('zod')).toBe(true) // the trace sees bundled packages
    expect(HEAVY.filter((p) => atStart.has(p))).toEqual([])
    // node:http imported as an ES module loads undici (scripts/build-cli.mjs, httpWithoutUndici).
    // (stderr may trail the stdout line that printed the address)
    await expect.poll(() => err, { timeout: 5000 }).toMatch(/UNDICI (true|false)\n/)
    expect(err).toContain('UNDICI false\n')

    const rpc = async (method: string, input: unknown) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/rpc/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(input) })
      const r = (await res.json()) as { ok: boolean; value?: Record<string, unknown>; error?: unknown }
      if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`)
      return r.value!
    }
    const ticket = await rpc('tickets.create', { externalRef: 'ZD-1', customerName: 'Zdeněk Účetní', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: 'lazy modules' })
    const pdf = await rpc('reports.ticketPdf', { ticketId: ticket.id })
    const bytes = Buffer.from(String(pdf.dataBase64), 'base64')
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(bytes.length).toBeGreaterThan(5000) // the embedded DejaVu subset
    const after = loadedPackages(err)
    expect(after.has('pdf-lib')).toBe(true)
    expect(after.has('@pdf-lib/fontkit')).toBe(true)
  }, 120_000)

  it('`qr decode` of a photo finds sharp and zxing-wasm at run time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sc-lazy-qr-'))
    const file = join(dir, 'code.png')
    writeFileSync(file, await QRCode.toBuffer('lazy loading works', { width: 400, margin: 4 }))
    const r = spawnSync(process.execPath, ['--import', TRACE, BIN, 'qr', 'decode', '--json', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(r.status, r.stderr.split('\n').filter((l) => !l.startsWith('LOADED ')).join('\n')).toBe(0)
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ codes: [{ text: 'lazy loading works' }] })
    const used = loadedPackages(r.stderr)
    expect(['sharp', 'zxing-wasm'].filter((p) => !used.has(p))).toEqual([])
  }, 90_000)
})
