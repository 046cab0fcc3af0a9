// "Why not found" diagnostics, as the agent reads them next to the scan: ONVIF disabled
// (ISAPI answers, ONVIF not), a 2N that takes its API over HTTPS only (error 7 on HTTP), an
// address whose web ports are closed, and no answer at all, neither to the multicast probes
// nor to the sweep. The first three run against the lab bench on 127.0.62.0/24; "no answer
// at all" runs in a network namespace made here, whose only link is a veth pair with nothing
// on the other end (nothing leaves the namespace, nothing answers).
import { execFileSync, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import type { ScanSummary } from '../../../shared/contract/discovery'
import { resolveInterfaces } from './net'
import { startScan } from './scan'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const HTTP: ('http-2n' | 'isapi' | 'onvif')[] = ['http-2n', 'isapi', 'onvif']
let bench: Bench

beforeAll(async () => {
  bench = await startBench({ intercoms: 1, nvrs: 1, seed: 'diagnostics-test', hostBase: '127.0.62.', portMode: 'standard', discovery: false })
})
afterAll(async () => bench?.stop())

const sweep = (cidr: string) => startScan({ ifaces: resolveInterfaces(['lo']), cidr, protocols: HTTP, timeoutMs: 6000, requestTimeoutMs: 1500 }).done
const about = (s: ScanSummary, ip: string) => s.diagnosticList.filter((d) => d.ip === ip)

describe('why a device is missing, in words', () => {
  it('ONVIF disabled: the NVR answers ISAPI but not ONVIF, and the scan says so', async () => {
    const n = bench.nvr(0)
    // With ONVIF on, no such note: the note is about this device's setting, not a constant.
    const on = await sweep(`${n.ip}/32`)
    expect(on.devices.find((d) => d.ip === n.ip)?.protocols).toEqual(expect.arrayContaining(['isapi', 'onvif']))
    expect(about(on, n.ip).map((d) => d.kind)).not.toContain('onvif-disabled')
    n.onvif.enabled = false
    try {
      const off = await sweep(`${n.ip}/32`)
      const dev = off.devices.find((d) => d.ip === n.ip)
      expect(dev?.protocols).toContain('isapi')
      expect(dev?.protocols).not.toContain('onvif')
      const d = about(off, n.ip).find((x) => x.kind === 'onvif-disabled')
      expect(d?.message).toBe(`${n.ip} answers ISAPI but not ONVIF: ONVIF is probably disabled on it (Hikvision-family firmware ships with ONVIF off), so ONVIF tools will not list it.`)
      // It still needs a login for its serial, and says that too.
      expect(about(off, n.ip).find((x) => x.kind === 'needs-credentials')?.message).toMatch(/answers ISAPI but needs a login to tell its serial number/)
    } finally {
      n.onvif.enabled = true
    }
  }, 20_000)

  it('HTTPS only: a 2N answering error 7 on plain HTTP is explained, and still identified over HTTPS', async () => {
    const d = bench.intercom(0)
    d.services.system = { ...d.services.system, transport: 'https' }
    d.quirks.infoFollowsTransport = true
    try {
      const s = await sweep(`${d.ip}/32`)
      const blocked = about(s, d.ip).find((x) => x.kind === 'blocked')
      expect(blocked?.message).toBe(`${d.ip} is a 2N device that accepts the API over HTTPS only (port 80 is plain HTTP).`)
      const dev = s.devices.find((x) => x.ip === d.ip)
      expect(dev?.serial).toBe(d.serial)
      expect(dev?.httpsPort).toBe(443)
    } finally {
      d.services.system = { ...d.services.system, transport: 'http' }
      d.quirks.infoFollowsTransport = false
    }
    // Back on HTTP: no such note.
    expect(about(await sweep(`${d.ip}/32`), d.ip).map((x) => x.kind)).not.toContain('blocked')
  }, 20_000)

  it('port closed: an address that refuses every web port is reported as such, not as a device', async () => {
    const cidr = '127.0.62.250/32' // nothing of the bench listens there; loopback refuses at once
    const s = await sweep(cidr)
    expect(s.devices.filter((d) => d.ip === '127.0.62.250')).toHaveLength(0)
    const closed = s.diagnosticList.find((d) => d.kind === 'port-closed' && d.protocol === 'sweep')
    expect(closed?.message).toBe(`1 address in ${cidr} refused connections on ports 80, 443, 8000, 8080, 8899 (ports closed): a host is there, but not a device with its web service on.`)
    expect(s.diagnosticList.map((d) => d.kind)).not.toContain('no-answer')
  }, 20_000)
})

describe('no answer at all (own network namespace, empty link)', () => {
  const ns = `scdg${process.pid % 100000}`
  const ip = (...a: string[]) => execFileSync('ip', a, { stdio: 'pipe' }).toString()
  let summary: ScanSummary

  beforeAll(async () => {
    ip('netns', 'add', ns)
    ip('-n', ns, 'link', 'set', 'lo', 'up')
    // A veth pair inside the namespace: dg0 is the console's link; its peer dg1 has no
    // address, so ARP and multicast go out and nothing ever answers.
    ip('-n', ns, 'link', 'add', 'dg0', 'type', 'veth', 'peer', 'name', 'dg1')
    ip('-n', ns, 'addr', 'add', '10.77.0.1/24', 'dev', 'dg0')
    ip('-n', ns, 'link', 'set', 'dg1', 'up')
    ip('-n', ns, 'link', 'set', 'dg0', 'up')
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'dg0')
    // One scan of every protocol on dg0 (multicast probes, and a sweep of two empty addresses).
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', `${ROOT}electron/features/discovery/testing/netns-scan-child.ts`, 'dg0', '10.77.0.8/30', '6000'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)))
    if (code !== 0) throw new Error(`scan in ${ns} failed (${code}): ${err}`)
    summary = JSON.parse(out.trim().split('\n').pop()!) as ScanSummary
  }, 30_000)
  afterAll(() => {
    try {
      ip('netns', 'del', ns)
    } catch {
      /* already gone */
    }
  })

  it('the multicast probes: each protocol that got no reply is named, with what usually causes it', () => {
    expect(summary.devices).toHaveLength(0)
    const noAnswer = summary.diagnosticList.filter((d) => d.kind === 'no-answer' && d.ip === '10.77.0.1')
    expect(noAnswer.map((d) => d.protocol).sort()).toEqual(['mdns', 'sadp', 'ssdp', 'wsd'])
    expect(noAnswer.find((d) => d.protocol === 'wsd')?.message).toBe('No device answered WS-Discovery (ONVIF, UDP 3702). ONVIF is often disabled by default (Hikvision-family firmware); a firewall on this PC blocking UDP replies gives the same result.')
    expect(noAnswer.every((d) => d.iface === 'dg0')).toBe(true)
  })

  it('the sweep: addresses where nothing answers are told apart from closed ports', () => {
    const sweepNote = summary.diagnosticList.find((d) => d.kind === 'no-answer' && d.protocol === 'sweep')
    expect(sweepNote?.message).toBe('2 addresses in 10.77.0.8/30 did not answer at all: no device there, powered off, or a firewall silently dropping the web ports.')
    expect(summary.diagnosticList.map((d) => d.kind)).not.toContain('port-closed')
    expect(summary.diagnosticList.map((d) => d.kind)).not.toContain('error')
  })
})
