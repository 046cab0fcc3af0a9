// `support-console lab` through the real entry point, and bench-level determinism.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import net, { type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startBench } from './bench'
import { describeFallbacks } from './cli'
import { createLoopbackNetns, deleteNetns } from './conformance/netns'
import type { DeviceInfo } from './device'
import { decodePayload } from './reset-code'
import { waitFor } from './test-helpers'

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

  it('reports a taken control port without a stack trace (exit 1)', async () => {
    const blocker = net.createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()))
    const port = (blocker.address() as AddressInfo).port
    try {
      const r = spawnSync(process.execPath, [BIN, 'lab', '--ephemeral-ports', '--host-base', '127.0.12.', '--intercoms', '1', '--nvrs', '0', '--no-discovery', '--control-port', String(port)], { cwd: ROOT, encoding: 'utf8' })
      expect(r.status).toBe(1)
      expect(r.stderr).toContain('Error: could not start the lab bench')
      expect(r.stderr).toContain(`127.0.0.1:${port} is taken`)
      expect(r.stderr).not.toContain('    at ')
    } finally {
      blocker.close()
    }
  })

  it('falls back from a privileged port it may not bind (not root) to 8080/8443 and says why', async () => {
    // As root, run the CLI without CAP_NET_BIND_SERVICE, in a namespace of our own (its
    // ip_unprivileged_port_start is the default 1024 whatever this machine sets).
    const root = process.getuid?.() === 0
    const ns = `sc-lab-ports-${process.pid}`
    if (root) createLoopbackNetns(ns)
    const argv = [process.execPath, BIN, 'lab', '--json', '--seed', 'cli-ports', '--intercoms', '1', '--nvrs', '1', '--no-discovery', '--host-base', '127.0.13.']
    const cmd = root ? ['ip', 'netns', 'exec', ns, 'setpriv', '--bounding-set=-net_bind_service', ...argv] : argv
    const inside = (...a: string[]) => (root ? ['ip', 'netns', 'exec', ns, ...a] : a)
    const child = spawn(cmd[0], cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = '', err = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (err += c))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    try {
      await waitFor(() => { try { JSON.parse(out); return true } catch { return false } }, 20_000, `JSON (stderr: ${err})`)
      const bench = JSON.parse(out)
      const [i, nvr] = bench.devices
      expect([i.httpPort, i.httpsPort]).toEqual([8080, 8443])
      // 8000 is not privileged: the NVR keeps its standard ONVIF port.
      expect([nvr.httpPort, nvr.httpsPort, nvr.onvifPort]).toEqual([8080, 8443, 8000])
      expect(bench.portFallbacks).toHaveLength(4)
      expect(bench.portFallbacks.every((f: { reason: string }) => f.reason === 'privileged')).toBe(true)
      expect(err.trim().split('\n')).toEqual(['Note: ports 80 and 443 need root (or CAP_NET_BIND_SERVICE); using 8080 and 8443 instead. Run as root for the standard ports, or pass --ephemeral-ports for free ones.'])
      // The device really answers on the port it reports.
      const [c0, ...c] = inside(process.execPath, '-e', `fetch('http://${i.ip}:8080/api/system/info').then((r) => r.json()).then((j) => console.log(j.result.serialNumber))`)
      expect(execFileSync(c0, c, { encoding: 'utf8' }).trim()).toBe(i.serial)
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      child.kill('SIGKILL')
      await exited
      if (root) deleteNetns(ns)
    }
  }, 30_000)

  it('falls back per endpoint when a standard port is taken on a device address', async () => {
    const blocker = net.createServer()
    await new Promise<void>((r) => blocker.listen(80, '127.0.12.11', () => r()))
    try {
      const bench = await startBench({ intercoms: 1, nvrs: 1, seed: 'taken', hostBase: '127.0.12.', portMode: 'standard', discovery: false })
      try {
        const [i, nvr] = bench.devices
        expect([i.httpPort, i.httpsPort]).toEqual([80, 443])
        expect([nvr.httpPort, nvr.httpsPort, nvr.onvifPort]).toEqual([8080, 443, 8000])
        expect(bench.portFallbacks).toEqual([{ ip: '127.0.12.11', endpoint: 'http', wanted: 80, port: 8080, reason: 'taken' }])
        expect(describeFallbacks(bench.portFallbacks)).toEqual(['Note: port 80 is taken on 127.0.12.11; using 8080 instead.'])
        expect((await fetch(`http://127.0.12.11:8080/ISAPI/System/deviceInfo`)).status).toBe(401)
        // The port is kept across a reboot, so what the table said stays true.
        await nvr.reboot(10)
        await bench.advance(20)
        await waitFor(() => nvr.info().online, 3000, 'back after reboot')
        expect(nvr.httpPort).toBe(8080)
      } finally {
        await bench.stop()
      }
      await expect(startBench({ intercoms: 0, nvrs: 1, hostBase: '127.0.12.', firstHost: 11, portMode: 'standard', portFallback: false, discovery: false })).rejects.toMatchObject({ code: 'EADDRINUSE' })
    } finally {
      blocker.close()
    }
  })

  it('prints a table with the column headers and one row per device', async () => {
    const child = spawn(process.execPath, [BIN, 'lab', '--seed', 'cli-table', '--intercoms', '2', '--nvrs', '1', '--ephemeral-ports', '--no-discovery', '--host-base', '127.0.14.'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c) => (out += c))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    try {
      await waitFor(() => out.includes('Running. Press Ctrl-C to stop.'), 20_000, `the table: ${out}`)
      const lines = out.split('\n')
      const head = lines[0]
      const columns = ['KIND', 'MODEL', 'SERIAL', 'MAC', 'IP', 'PORTS', 'CREDENTIALS']
      expect(head.split(/\s{2,}/)).toEqual(columns)
      const rows = lines.slice(1, lines.indexOf(''))
      expect(rows).toHaveLength(3)
      // Cut each row at the header's column starts (values such as credentials hold spaces).
      const starts = columns.map((c) => head.indexOf(c))
      const cells = rows.map((r) => starts.map((s, c) => r.slice(s, starts[c + 1]).trim()))
      // Check every cell against the running bench, through its own control interface.
      const m = /Control interface:\s+(\S+)\s+Authorization: Bearer (\S+)/.exec(out)!
      const listed = (await (await fetch(`${m[1]}/devices`, { headers: { Authorization: `Bearer ${m[2]}` } })).json()) as { devices: DeviceInfo[] }
      expect(cells).toEqual(listed.devices.map((d) => [
        d.kind, d.model, d.serial, d.mac, d.ip,
        d.kind === 'nvr' ? `${d.httpPort}/${d.httpsPort}/onvif ${d.onvifPort}` : `${d.httpPort}/${d.httpsPort}`,
        `${d.credentials.username} / ${d.credentials.password}${d.web ? `  (web ${d.web.username} / ${d.web.password})` : ''}`,
      ]))
      expect(cells.map((c) => c[0])).toEqual(['intercom', 'intercom', 'nvr'])
      expect(out).toMatch(/My2N \(simulated\):\s+http:\/\/127\.0\.0\.1:\d+\s+x-api-key: my2n-/)
      expect(out).toContain('Seed:               cli-table')
      child.kill('SIGINT')
      expect(await exited).toBe(0)
    } finally {
      child.kill('SIGKILL')
    }
  }, 30_000)

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
