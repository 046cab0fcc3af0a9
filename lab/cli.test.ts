// `support-console lab` through the real entry point, and bench-level determinism.
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startBench } from './bench'
import { decodePayload } from './reset-code'

const ROOT = join(import.meta.dirname, '..')
const BIN = join(ROOT, 'bin/support-console.mjs')

describe('support-console lab', () => {
  it('prints its help', () => {
    const r = spawnSync(process.execPath, [BIN, 'lab', '--help'], { cwd: ROOT, encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('Usage: support-console lab')
    expect(r.stdout).toContain('--netns')
  })

  it('rejects bad options with a usage error', () => {
    const r = spawnSync(process.execPath, [BIN, 'lab', '--intercoms', 'many'], { cwd: ROOT, encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('--intercoms must be a whole number')
    const h = spawnSync(process.execPath, [BIN, 'lab', '--host-base', '10.0.0.'], { cwd: ROOT, encoding: 'utf8' })
    expect(h.status).toBe(2)
  })

  it('reports a taken address without a stack trace (exit 1)', async () => {
    const taken = await startBench({ intercoms: 1, nvrs: 0, hostBase: '127.0.12.', portMode: 'standard', discovery: false })
    try {
      const r = spawnSync(process.execPath, [BIN, 'lab', '--host-base', '127.0.12.', '--intercoms', '1', '--nvrs', '0', '--no-discovery'], { cwd: ROOT, encoding: 'utf8' })
      expect(r.status).toBe(1)
      expect(r.stderr).toContain('Error: could not start the lab bench')
      expect(r.stderr).toContain('127.0.12.10:80 is taken')
      expect(r.stderr).not.toContain('    at ')
    } finally {
      await taken.stop()
    }
  })

  it('starts a bench, prints JSON, serves the devices and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'lab', '--json', '--seed', 'cli-test', '--intercoms', '1', '--nvrs', '1', '--ephemeral-ports', '--no-discovery', '--host-base', '127.0.7.'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c) => (out += c))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no JSON within 20 s: ${out}`)), 20_000)
      const check = setInterval(() => {
        try { JSON.parse(out); clearInterval(check); clearTimeout(t); resolve() } catch { /* not complete yet */ }
      }, 50)
    })
    const bench = JSON.parse(out)
    expect(bench.devices.map((d: { kind: string }) => d.kind)).toEqual(['intercom', 'nvr'])
    const i = bench.devices[0]
    const info = await (await fetch(`http://${i.ip}:${i.httpPort}/api/system/info`)).json() as { result: { serialNumber: string } }
    expect(info.result.serialNumber).toBe(i.serial)
    const listed = await (await fetch(`${bench.control.url}/devices`, { headers: { Authorization: `Bearer ${bench.control.token}` } })).json() as { devices: unknown[] }
    expect(listed.devices).toHaveLength(2)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    await expect(fetch(`http://${i.ip}:${i.httpPort}/api/system/info`)).rejects.toThrow()
  }, 30_000)
})

describe('determinism', () => {
  it('the same seed gives the same devices and the same first nonces; another seed does not', async () => {
    const mk = (seed: string, hostBase: string) => startBench({ intercoms: 1, nvrs: 2, seed, hostBase, portMode: 'ephemeral', discovery: false })
    const a = await mk('same', '127.0.8.')
    const b = await mk('same', '127.0.8.')
    const c = await mk('other', '127.0.8.')
    try {
      const ids = (x: typeof a) => x.devices.map((d) => [d.serial, d.mac, d.model, d.credentials.password])
      expect(ids(b)).toEqual(ids(a))
      expect(ids(c)).not.toEqual(ids(a))
      const nonce = (x: typeof a) => {
        const p = x.nvr(0).openRetrievePassword().payload
        const d = decodePayload(p, x.vendorService['key'])
        return d.ok ? d.payload.nonce : ''
      }
      expect(nonce(b)).toBe(nonce(a))
      expect(nonce(c)).not.toBe(nonce(a))
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()])
    }
  })

  it('refuses a bench that does not fit in the address range', async () => {
    await expect(startBench({ intercoms: 100, nvrs: 100, hostBase: '127.0.8.', portMode: 'ephemeral' })).rejects.toThrow(/not enough addresses/)
  })
})
