// Discovery against the lab bench on loopback (127.0.46.0/24) plus test responders for SSDP,
// SADP and mDNS: every protocol finds its devices, duplicates across protocols merge, a
// device that sends garbage, hangs or resets the connection does not stop the scan, probes
// are retransmitted and leave from the chosen interface only.
import dgram from 'node:dgram'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import type { Diagnostic, FoundDevice } from '../../../shared/contract/discovery'
import { cidrHosts, normalizeMac, parseCidr, resolveInterfaces } from './net'
import { startScan } from './scan'
import { mdnsResponder, sadpResponder, ssdpResponder } from './testing/responders'
import { parseProbeMatches, scopeValues } from './wsd'

const BASE = '127.0.46.'
const CIDR = '127.0.46.0/24'
let bench: Bench
const stops: (() => Promise<void>)[] = []
const probes: { id: string; type: string; from: string }[] = []

beforeAll(async () => {
  bench = await startBench({ intercoms: 4, nvrs: 2, seed: 'discovery-test', hostBase: BASE, portMode: 'standard' })
  const nvr0 = bench.nvr(0)
  const ic0 = bench.intercom(0)
  // SADP and SSDP describe NVR 0 (same serial and address as its ISAPI/ONVIF/WS-Discovery
  // answers); mDNS describes intercom 0; a SADP-only device sits at .200.
  const sadp = await sadpResponder('127.0.0.1', [
    { ip: nvr0.ip, serial: nvr0.serial, mac: nvr0.mac, model: nvr0.model },
    { ip: `${BASE}200`, serial: 'DS-LAB-SADP-ONLY-0001', mac: '44:19:b6:00:00:01', model: 'DS-7608NI', garbage: true },
  ])
  const ssdp = await ssdpResponder('127.0.0.1', [{ ip: nvr0.ip, serial: nvr0.serial, mac: nvr0.mac, model: nvr0.model }])
  const mdns = await mdnsResponder('127.0.0.1', [{ ip: ic0.ip, serial: ic0.serial, mac: normalizeMac(ic0.mac), model: ic0.model }])
  stops.push(sadp.stop, ssdp.stop, async () => mdns.stop())
  // A listener that records every WS-Discovery Probe (to check retransmission and source).
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true })
  sock.on('message', (m, r) => {
    const t = m.toString()
    const id = /MessageID>([^<]+)</.exec(t)?.[1]
    const type = /Types>([^<]+)</.exec(t)?.[1]
    if (id && type && /Probe<\/a:Action>|\/Probe</.test(t)) probes.push({ id, type, from: r.address })
  })
  await new Promise<void>((r) => sock.bind(3702, '0.0.0.0', () => r()))
  sock.addMembership('239.255.255.250', '127.0.0.1')
  stops.push(async () => {
    sock.close()
  })
  // Three badly behaved intercoms.
  await bench.intercom(1).malformed(true)
  await bench.intercom(2).slow(30_000)
  await bench.intercom(3).truncate(true)
})
afterAll(async () => {
  for (const s of stops) await s().catch(() => {})
  await bench?.stop()
})

const inBench = (d: FoundDevice) => d.addresses.some((a) => a.startsWith(BASE))

describe('a scan of the bench', () => {
  let devices: FoundDevice[]
  let diagnostics: Diagnostic[]
  let events: string[]
  let elapsed: number

  beforeAll(async () => {
    const t = Date.now()
    const scan = startScan({ ifaces: resolveInterfaces(['lo']), cidr: CIDR, timeoutMs: 9000, requestTimeoutMs: 1500 })
    events = []
    for await (const e of scan) events.push(e.type)
    const s = await scan.done
    elapsed = Date.now() - t
    devices = s.devices.filter(inBench)
    diagnostics = s.diagnosticList
  }, 20_000)

  it('streams results before the scan is done, with progress', () => {
    expect(events.indexOf('device')).toBeLessThan(events.indexOf('done'))
    expect(events.filter((e) => e === 'progress').length).toBeGreaterThan(10)
    expect(events[events.length - 1]).toBe('done')
  })

  it('every protocol finds its devices', () => {
    const by = (p: string) => devices.filter((d) => d.protocols.includes(p as never))
    expect(by('http-2n').map((d) => d.serial)).toContain(bench.intercom(0).serial)
    expect(by('wsd').map((d) => d.ip).sort()).toEqual([bench.nvr(0).ip, bench.nvr(1).ip].sort())
    expect(by('isapi')).toHaveLength(2)
    expect(by('onvif')).toHaveLength(2)
    expect(by('sadp').map((d) => d.serial).sort()).toEqual([bench.nvr(0).serial, 'DS-LAB-SADP-ONLY-0001'].sort())
    expect(by('ssdp').map((d) => d.serial)).toEqual([bench.nvr(0).serial])
    expect(by('mdns').map((d) => d.serial)).toEqual([bench.intercom(0).serial])
  })

  it('merges one device seen by several protocols into one entry', () => {
    const n0 = devices.filter((d) => d.ip === bench.nvr(0).ip)
    expect(n0).toHaveLength(1)
    expect(n0[0].serial).toBe(bench.nvr(0).serial)
    expect(n0[0].mac).toBe(normalizeMac(bench.nvr(0).mac))
    expect(n0[0].protocols).toEqual(expect.arrayContaining(['wsd', 'isapi', 'onvif', 'sadp', 'ssdp']))
    const i0 = devices.filter((d) => d.serial === bench.intercom(0).serial)
    expect(i0).toHaveLength(1)
    expect(i0[0].protocols).toEqual(expect.arrayContaining(['http-2n', 'mdns']))
    expect(new Set(devices.map((d) => d.key)).size).toBe(devices.length)
  })

  it('a device that sends garbage, hangs or resets the connection does not stop the scan', () => {
    expect(elapsed).toBeLessThan(10_000)
    const diag = (ip: string) => diagnostics.filter((d) => d.ip === ip).map((d) => d.kind)
    expect(diag(bench.intercom(1).ip)).toContain('garbage')
    expect(diag(bench.intercom(2).ip)).toContain('timeout')
    expect(diag(bench.intercom(3).ip)).toContain('reset')
    // ... and the well-behaved devices after them were still found.
    expect(devices.some((d) => d.serial === bench.intercom(0).serial)).toBe(true)
    expect(devices.some((d) => d.serial === 'DS-LAB-SADP-ONLY-0001')).toBe(true)
  })

  it('explains in words why the NVRs have no serial without a login', () => {
    const d = diagnostics.find((x) => x.kind === 'needs-credentials' && x.ip === bench.nvr(1).ip)
    expect(d?.message).toMatch(/needs a login/)
  })

  it('retransmits both WS-Discovery Types from the chosen interface', () => {
    const byId = new Map<string, number>()
    for (const p of probes) byId.set(p.id, (byId.get(p.id) ?? 0) + 1)
    const types = new Set(probes.map((p) => p.type.split(':')[1]))
    expect(types).toEqual(new Set(['NetworkVideoTransmitter', 'Device']))
    expect([...byId.values()].every((n) => n >= 2)).toBe(true)
    expect(new Set(probes.map((p) => p.from))).toEqual(new Set(['127.0.0.1']))
  })
})

describe('Hello announcements', () => {
  it('a device that joins while the scan listens is found from its Hello', async () => {
    const n = bench.nvr(1)
    await n.powerOff()
    const scan = startScan({ ifaces: resolveInterfaces(['lo']), protocols: ['wsd'], sends: 1, listenMs: 2500, timeoutMs: 5000 })
    setTimeout(() => void n.powerOn(), 600)
    const s = await scan.done
    expect(s.devices.some((d) => d.addresses.includes(n.ip) && d.protocols.includes('wsd'))).toBe(true)
  })
})

describe('scan options', () => {
  it('refuses an interface that does not exist instead of falling back to another', () => {
    expect(() => resolveInterfaces(['nope0'])).toThrow(/no network interface "nope0"/)
  })

  it('does not sweep addresses that are not on the chosen interface', async () => {
    const scan = startScan({ ifaces: resolveInterfaces(['lo']), cidr: '192.0.2.0/28', protocols: ['http-2n'], timeoutMs: 3000 })
    const s = await scan.done
    expect(s.devices).toHaveLength(0)
    expect(s.diagnosticList.find((d) => d.kind === 'interface')?.message).toMatch(/not on the chosen interface/)
  })

  it('can be cancelled', async () => {
    const scan = startScan({ ifaces: resolveInterfaces(['lo']), cidr: CIDR, timeoutMs: 20_000, listenMs: 10_000 })
    setTimeout(() => scan.cancel(), 300)
    const t = Date.now()
    const s = await scan.done
    expect(s.cancelled).toBe(true)
    expect(Date.now() - t).toBeLessThan(4000)
  })
})

describe('parsers', () => {
  it('reads ProbeMatches whatever the prefixes', () => {
    const xml = `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><e:Header><w:RelatesTo>urn:uuid:1</w:RelatesTo></e:Header><e:Body><d:ProbeMatches><d:ProbeMatch><w:EndpointReference><w:Address>urn:uuid:abc</w:Address></w:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/name/My%20Cam onvif://www.onvif.org/hardware/X1</d:Scopes><d:XAddrs>http://10.0.0.5/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches></e:Body></e:Envelope>`
    const [m] = parseProbeMatches(xml)
    expect(m).toMatchObject({ endpoint: 'urn:uuid:abc', relatesTo: 'urn:uuid:1', xaddrs: ['http://10.0.0.5/onvif/device_service'] })
    expect(scopeValues(m.scopes)).toMatchObject({ name: 'My Cam', hardware: 'X1' })
    expect(parseProbeMatches('<<<garbage')).toEqual([])
  })

  it('enumerates a /24 without network and broadcast addresses', () => {
    const h = cidrHosts(parseCidr('192.168.1.77/24'))
    expect(h).toHaveLength(254)
    expect(h[0]).toBe('192.168.1.1')
    expect(h[253]).toBe('192.168.1.254')
    expect(() => cidrHosts(parseCidr('10.0.0.0/8'))).toThrow(/at most/)
  })
})
