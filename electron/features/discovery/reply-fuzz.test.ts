// Discovery replies are fuzzed (issue 7): real replies (the lab bench's 2N, ISAPI and ONVIF
// answers, the lab's WS-Discovery ProbeMatches and Hello, and the SSDP, SADP and mDNS formats
// of testing/responders.ts) are damaged thousands of ways and fed through the real discovery
// code: the unicast fingerprint (probeHost) over real HTTP sockets, WS-Discovery, SSDP (with
// its description fetch), SADP and mDNS over real UDP sockets, and the reply parsers
// directly. Every probe must end in bounded time with observations and diagnostics that fit
// the contract (FoundDevice, Diagnostic) and read well, never a crash or an unhandled
// rejection.
//
// No multicast here: other tests on this machine listen on the discovery groups, so this file
// replaces openProbeSocket with the real one bound to the test's own address, and sends that
// would go to a multicast group go unicast to the test's responder instead. The network jail
// proves nothing else left loopback. FUZZ_SEED=<n> replays a run.
import dgram from 'node:dgram'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { startBench } from '../../../lab/bench'
import { announcement, probeMatches, type WsdTarget } from '../../../lab/discovery/ws-discovery'
import { DeviceKind, Protocol } from '../../../shared/contract/devices'
import { Diagnostic, FoundDevice, type NetInterface } from '../../../shared/contract/discovery'
import { HOSTILE_STRINGS, int, mutateText, pick, randomString, rng, type Rng } from '../../../shared/testing/fuzz'
import { installNetJail, type NetJail } from '../audit/testing/net-jail'
import { deviceRequest } from '../../infra/device-http'
import { soapEnvelope } from '../../infra/xml'
import { wsUsernameToken } from '../../infra/digest'
import { IsapiClient } from '../devices/nvr'
import {
  fuzzServer, hostileChallenge, hostileReply, mutateBytes, mutateXml, settle, toCap, unreadableText, watchProcess, type Captured, type FuzzReply, type FuzzServer, type SeenRequest,
} from '../devices/testing/reply-fuzz'
import { probeHost } from './fingerprint'
import { mdnsQuery } from './mdns'
import { Merger } from './merge'
import { isIpv4 } from './net'
import { parseSadp, sadpSearch } from './sadp'
import { parseSsdp, ssdpSearch } from './ssdp'
import type { Observation, ProbeContext } from './types'
import { parseHello, parseProbeMatches, scopeValues, wsDiscovery } from './wsd'

const SEED = Number(process.env.FUZZ_SEED ?? 7_2026)
const NET = '127.0.58.'
const IFACE: NetInterface = { name: 'lo', address: `${NET}1`, netmask: '255.255.255.0', cidr: `${NET}0/24`, mac: '', internal: true }
const DEVICE = `${NET}2` // the responders and the HTTP server: one "device" address
const MULTICAST = /^2(2[4-9]|3\d)\./

// Where a send to a discovery group goes instead (well-known port → the responder), and the
// group listeners (WS-Discovery Hello, SADP) so the responders can announce to them.
const udp = vi.hoisted(() => ({ redirect: new Map<number, { address: string; port: number }>(), groups: new Map<number, { address: string; port: number }>() }))

vi.mock('./udp', async (importOriginal) => {
  const real = await importOriginal<typeof import('./udp')>()
  return {
    ...real,
    openProbeSocket: async (iface: NetInterface, onMessage: Parameters<typeof real.openProbeSocket>[1], port = 0) => {
      // Always the test's own address and an ephemeral port: never 0.0.0.0 or a well-known port.
      const ps = await real.openProbeSocket({ ...iface, address: IFACE.address }, onMessage, 0)
      const send = ps.socket.send.bind(ps.socket) as (...a: unknown[]) => void
      ps.socket.send = ((...args: unknown[]) => {
        const i = args.findIndex((a, k) => k > 0 && typeof a === 'string')
        const to = i > 0 && MULTICAST.test(args[i] as string) ? udp.redirect.get(Number(args[i - 1])) : undefined
        if (to) {
          args[i - 1] = to.port
          args[i] = to.address
        }
        return send(...args)
      }) as typeof ps.socket.send
      ps.socket.addMembership = () => {} // no group joins: the responders send to this socket directly
      if (port) udp.groups.set(port, { address: IFACE.address, port: (ps.socket.address() as AddressInfo).port })
      return ps
    },
  }
})

let jail: NetJail
let watch: ReturnType<typeof watchProcess>
const cap: Record<string, Captured> = {}

beforeAll(async () => {
  jail = installNetJail()
  watch = watchProcess()
  // Real replies of the bench's devices, captured once.
  const bench = await startBench({ intercoms: 1, nvrs: 1, seed: 'discovery-reply-fuzz', hostBase: NET, firstHost: 100, portMode: 'ephemeral', discovery: false })
  try {
    const ic = bench.intercom(0)
    const nvr = bench.nvr(0)
    cap.twoNInfo = toCap(await deviceRequest({ host: ic.ip, port: ic.httpPort, tls: false }, { path: '/api/system/info' }))
    cap.twoNHttpsOnly = { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"success":false,"error":{"code":7,"description":"invalid connection type"}}') }
    cap.isapi401 = toCap(await deviceRequest({ host: nvr.ip, port: nvr.httpPort, tls: false }, { path: '/ISAPI/System/deviceInfo' }))
    cap.isapiInfo = toCap(await new IsapiClient({ host: nvr.ip, httpPort: nvr.httpPort, httpsPort: null }, nvr.info().credentials).request('GET', '/ISAPI/System/deviceInfo', 'capture'))
    const u = new URL(nvr.xaddr())
    const soap = (op: string, header = '') =>
      deviceRequest({ host: u.hostname, port: Number(u.port), tls: false }, { method: 'POST', path: u.pathname, body: soapEnvelope(`<tds:${op}/>`, header), headers: { 'Content-Type': `application/soap+xml; charset=utf-8; action="http://www.onvif.org/ver10/device/wsdl/${op}"` } })
    cap.onvifTime = toCap(await soap('GetSystemDateAndTime'))
    cap.onvifFault = toCap(await soap('GetDeviceInformation'))
    cap.onvifInfo = toCap(await soap('GetDeviceInformation', wsUsernameToken(nvr.info().credentials.username, nvr.info().credentials.password, 0)))
  } finally {
    await bench.stop()
  }
}, 30_000)

afterAll(() => {
  watch?.stop()
  jail?.release()
})

// ---- what a probe may report --------------------------------------------------------------

const Port = z.number().int().min(1).max(65535)
const ObservationSchema = z
  .object({
    protocol: Protocol, ip: z.string().refine(isIpv4, 'not an IPv4 address'), iface: z.literal(IFACE.name), kind: DeviceKind.optional(),
    vendor: z.string().optional(), model: z.string().optional(), serial: z.string().optional(), mac: z.string().optional(), firmware: z.string().optional(), name: z.string().optional(),
    httpPort: Port.optional(), httpsPort: Port.optional(), onvifUrl: z.string().optional(), uuid: z.string().optional(), needsCredentials: z.boolean().optional(), onvif: z.enum(['yes', 'no', 'auth']).optional(),
  })
  .strict()
const MAC = /^([0-9A-F]{2}:){5}[0-9A-F]{2}$/

/** Why what a probe reported does not fit the contract or cannot be shown, or null. */
function badReport(obs: Observation[], diags: Omit<Diagnostic, 'iface'>[]): string | null {
  for (const o of obs) {
    const p = ObservationSchema.safeParse(o)
    if (!p.success) return `observation ${JSON.stringify(o).slice(0, 200)}: ${p.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`
  }
  const merger = new Merger([IFACE])
  for (const o of obs) merger.add(o)
  for (const d of merger.list()) {
    const p = FoundDevice.safeParse(d)
    if (!p.success) return `FoundDevice ${JSON.stringify(d).slice(0, 200)}: ${p.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`
    if (d.mac && !MAC.test(d.mac)) return `MAC ${JSON.stringify(d.mac)} is not normalised`
    if (d.serial !== d.serial.trim()) return `serial ${JSON.stringify(d.serial)} is not trimmed`
    if ([d.ip, ...d.addresses].some((a) => !isIpv4(a))) return `address list ${JSON.stringify(d.addresses)}`
  }
  for (const d of diags) {
    const p = Diagnostic.omit({ iface: true }).safeParse(d)
    if (!p.success) return `diagnostic ${JSON.stringify(d).slice(0, 200)}: ${p.error.message}`
    if (!d.message.trim()) return 'diagnostic without a message'
    const bad = unreadableText(d.message, 'diagnostic message')
    if (bad) return bad
  }
  return null
}

function context(): ProbeContext & { obs: Observation[]; diags: Omit<Diagnostic, 'iface'>[] } {
  const obs: Observation[] = []
  const diags: Omit<Diagnostic, 'iface'>[] = []
  return { iface: IFACE, signal: new AbortController().signal, obs, diags, observe: (o) => obs.push(o), diagnose: (d) => diags.push(d) }
}

// ---- the unicast fingerprint over HTTP -----------------------------------------------------

const action = (q: SeenRequest) => /action="[^"]*\/(\w+)"/.exec(String(q.headers['content-type'] ?? ''))?.[1] ?? ''

function fingerprintReply(q: SeenRequest, r: Rng): FuzzReply {
  if (q.path.startsWith('/api/system/info')) return hostileReply(r() < 0.85 ? cap.twoNInfo : cap.twoNHttpsOnly, 'json', r)
  if (q.path.startsWith('/ISAPI/')) {
    if (r() < 0.4) {
      const base = hostileReply(cap.isapi401, 'xml', r)
      return { ...base, status: 401, headers: { ...base.headers, 'WWW-Authenticate': r() < 0.5 ? String(cap.isapi401.headers['www-authenticate']) : hostileChallenge(r) } }
    }
    return hostileReply(cap.isapiInfo, 'xml', r)
  }
  if (q.path.startsWith('/onvif/')) {
    if (action(q) === 'GetSystemDateAndTime') return r() < 0.5 ? { status: 200, headers: { 'Content-Type': 'application/soap+xml' }, body: cap.onvifTime.body } : hostileReply(cap.onvifTime, 'xml', r)
    return hostileReply(r() < 0.6 ? cap.onvifInfo : cap.onvifFault, 'xml', r)
  }
  return { status: 404, headers: { 'Content-Type': 'text/html' }, body: '<html>404</html>' }
}

describe('the unicast fingerprint (2N, ISAPI, ONVIF) over HTTP', () => {
  const N = Number(process.env.FUZZ_HOSTS ?? 300)
  it(`probes ${N} hosts that answer damaged replies and reports each in words that fit the contract`, async () => {
    const lanes = await Promise.all(Array.from({ length: 6 }, () => fuzzServer(DEVICE)))
    const failures: string[] = []
    let recognised = 0
    try {
      let next = 0
      await Promise.all(lanes.map(async (s) => {
        while (next < N) {
          const seed = (SEED * 7919 + 500_000 + next++) >>> 0
          const r = rng(seed)
          const sent: string[] = []
          s.answer((q) => {
            const reply = fingerprintReply(q, r)
            sent.push(`${q.method} ${q.path} ${action(q)} → ${reply.status} ${JSON.stringify((Buffer.isBuffer(reply.body) ? reply.body.toString('latin1') : reply.body).slice(0, 140))}`)
            return reply
          })
          const out = await settle(() => probeHost({ ip: DEVICE, iface: IFACE, ports: [{ port: s.port, tls: false }], timeoutMs: 1500, connectTimeoutMs: 500, signal: new AbortController().signal }), 6000)
          const fail = (why: string) => failures.push(`seed ${seed}: ${why}\n    ${sent.join('\n    ')}`)
          if ('hang' in out) fail('no result within 6 s')
          else if (!out.ok) fail(`probeHost threw ${(out.error as Error)?.name}: ${(out.error as Error)?.message}`)
          else {
            const bad = badReport(out.value.observations, out.value.diagnostics)
            if (bad) fail(bad)
            if (out.value.observations.length) recognised++
          }
        }
      }))
    } finally {
      await Promise.all(lanes.map((s) => s.close()))
    }
    expect(failures.slice(0, 5), `${failures.length} failures:\n${failures.slice(0, 5).join('\n')}`).toEqual([])
    // Not every damaged reply is refused: some hosts are still recognised, some not.
    expect(recognised).toBeGreaterThan(N / 10)
    expect(recognised).toBeLessThan(N)
    expect(watch.problems).toEqual([])
  }, 60_000)
})

// ---- multicast protocols over UDP (redirected to unicast) ---------------------------------

type Responder = { sock: dgram.Socket; address: string; port: number; onProbe: (msg: Buffer, from: dgram.RemoteInfo) => void }
async function responder(wellKnownPort: number): Promise<Responder> {
  const sock = dgram.createSocket('udp4')
  sock.on('error', () => {})
  await new Promise<void>((resolve) => sock.bind(0, DEVICE, () => resolve()))
  const rsp: Responder = { sock, address: DEVICE, port: (sock.address() as AddressInfo).port, onProbe: () => {} }
  sock.on('message', (m, from) => rsp.onProbe(m, from))
  udp.redirect.set(wellKnownPort, { address: DEVICE, port: rsp.port })
  return rsp
}
const sendTo = (rsp: Responder, payload: string | Buffer, to: { address: string; port: number }) => {
  const b = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8')
  rsp.sock.send(b.subarray(0, 65_000), to.port, to.address) // a datagram holds at most 64 KB
}

const uri = (s: string) => {
  try {
    return encodeURIComponent(s)
  } catch {
    return s // a lone surrogate: sent as it is
  }
}
const wsdTarget = (k: number, r: Rng): WsdTarget => ({
  uuid: `urn:uuid:00000000-0000-4000-8000-${String(k).padStart(12, '0')}`,
  ip: () => DEVICE,
  xaddr: () => pick(r, [`http://${DEVICE}/onvif/device_service`, `http://${DEVICE}:8000/onvif/device_service http://[fe80::1]/onvif`, `http://${NET}${int(r, 3, 254)}:80/onvif/device_service`, 'http://10.1.2.3/onvif/device_service', 'http://evil.example/onvif', `http://${DEVICE}:99999/`, 'notaurl', '']),
  scopes: () => ['onvif://www.onvif.org/type/NetworkVideoTransmitter', `onvif://www.onvif.org/hardware/${pick(r, ['DS-7608NI', randomString(r)])}`, `onvif://www.onvif.org/name/${uri(pick(r, ['NVR', ...HOSTILE_STRINGS]))}`, `onvif://www.onvif.org/serial/${pick(r, ['DS-1', '%E0%A4%A', ' '])}`, `onvif://www.onvif.org/mac/${pick(r, ['44-19-b6-00-00-01', 'zz', ''])}`],
  online: () => true,
  instanceId: () => int(r, 0, 2 ** 31),
})

const sadpReply = (uuid: string, k: number, r: Rng) =>
  `<?xml version="1.0" encoding="UTF-8"?><ProbeMatch><Uuid>${uuid}</Uuid><Types>inquiry</Types><DeviceType>${pick(r, ['NVR', 'IPC', 'DVR'])}</DeviceType><DeviceDescription>DS-7608NI</DeviceDescription><DeviceSN>DS-FUZZ-${k}</DeviceSN><CommandPort>8000</CommandPort><HttpPort>${pick(r, ['80', '8080', '0', '-1', '1.5', '65536', '99999', 'abc', ''])}</HttpPort><MAC>44-19-b6-00-${(k % 256).toString(16).padStart(2, '0')}-01</MAC><IPv4Address>${pick(r, [`${NET}${int(r, 3, 254)}`, '192.0.2.7', '300.1.1.1', 'x', ''])}</IPv4Address><IPv4SubnetMask>255.255.255.0</IPv4SubnetMask><IPv4Gateway>0.0.0.0</IPv4Gateway><DHCP>false</DHCP><SoftwareVersion>V4.0</SoftwareVersion><Activated>${pick(r, ['true', 'false'])}</Activated><PasswordResetAbility>true</PasswordResetAbility></ProbeMatch>`

const ssdpReply = (k: number, location: string) =>
  `HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nST: upnp:rootdevice\r\nUSN: uuid:ssdp-fuzz-${k}::upnp:rootdevice\r\nLOCATION: ${location}\r\nSERVER: Lab/1.0 UPnP/1.0\r\n\r\n`
const ssdpDescription = (k: number) =>
  `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><friendlyName>DS-7608NI DS-${k}</friendlyName><manufacturer>Lab</manufacturer><modelName>DS-7608NI</modelName><serialNumber>DS-SSDP-${k}</serialNumber><macAddress>44:19:b6:00:00:${(k % 256).toString(16).padStart(2, '0')}</macAddress><UDN>uuid:ssdp-fuzz-${k}</UDN></device></root>`

/** The DNS packet codec multicast-dns itself uses (resolved from it, not a dependency of ours). */
const dnsPacket = createRequire(import.meta.resolve('multicast-dns'))('dns-packet') as { encode(p: object): Buffer; AUTHORITATIVE_ANSWER: number }
const encodeMdns = (res: object): Buffer => dnsPacket.encode({ type: 'response', flags: dnsPacket.AUTHORITATIVE_ANSWER, ...res })
function hostileMdns(r: Rng, k: number): Buffer {
  const inst = `${pick(r, ['NVR', randomString(r).replace(/\./g, '') || 'x', 'a'.repeat(63)])}-${k}._http._tcp.local`
  const host = `dev-${k}.local`
  const txt = [`serial=${pick(r, [`DS-MDNS-${k}`, ' ', '', randomString(r)])}`, `mac=${pick(r, ['44:19:b6:00:00:01', 'zz', ''])}`, `model=${pick(r, ['DS-7608NI', ...HOSTILE_STRINGS]).slice(0, 200)}`, ...(r() < 0.2 ? ['=novalue', 'noequals', 'x'.repeat(250)] : [])]
  const answers: object[] = [{ name: '_http._tcp.local', type: 'PTR', ttl: 120, data: inst }]
  const additionals: object[] = [
    { name: inst, type: 'SRV', ttl: 120, data: { port: pick(r, [80, 0, 65535, 8080]), target: host, priority: 0, weight: 0 } },
    { name: inst, type: 'TXT', ttl: 120, data: r() < 0.8 ? txt : pick(r, [[], '', Buffer.from([0xff, 0xfe]), [Buffer.alloc(0)]]) },
    ...(r() < 0.85 ? [{ name: host, type: 'A', ttl: 120, data: pick(r, [`${NET}${int(r, 3, 254)}`, '192.0.2.9', '0.0.0.0', '255.255.255.255']) }] : []),
    ...(r() < 0.2 ? [{ name: host, type: 'AAAA', ttl: 120, data: 'fe80::1' }, { name: inst, type: 'NULL', data: Buffer.from('junk') }] : []),
  ]
  let packet: Buffer
  try {
    packet = encodeMdns({ answers, additionals })
  } catch {
    // The codec refuses some generated records (an over-long name): send a minimal answer instead.
    packet = encodeMdns({ answers: [{ name: '_http._tcp.local', type: 'PTR', ttl: 120, data: `x-${k}._http._tcp.local` }] })
  }
  if (r() < 0.5) return packet
  // Byte damage: flips, truncation, and a name compression pointer that points at itself.
  const b = Buffer.from(packet)
  switch (int(r, 0, 3)) {
    case 0:
      for (let i = int(r, 1, 6); i > 0; i--) b[int(r, 0, b.length - 1)] = int(r, 0, 255)
      return b
    case 1:
      return b.subarray(0, int(r, 0, b.length))
    case 2: {
      const at = int(r, 12, Math.max(12, b.length - 2))
      b[at] = 0xc0 | (at >> 8)
      b[at + 1] = at & 0xff
      return b
    }
    default:
      return Buffer.concat([b.subarray(0, 12), mutateBytes(b.subarray(12).toString('latin1'), r)])
  }
}

// The four protocols run side by side: most of their time is listening.
describe.concurrent('multicast discovery replies over UDP', () => {
  const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 6)
  const PER_ROUND = 60
  let rsp: Record<'wsd' | 'ssdp' | 'sadp' | 'mdns', Responder>
  let http: FuzzServer
  beforeAll(async () => {
    rsp = { wsd: await responder(3702), ssdp: await responder(1900), sadp: await responder(37020), mdns: await responder(5353) }
    http = await fuzzServer(DEVICE)
  })
  afterAll(async () => {
    for (const x of Object.values(rsp ?? {})) x.sock.close()
    await http?.close()
  })

  async function round(name: string, run: (ctx: ReturnType<typeof context>) => Promise<void>, failures: string[], seed: number) {
    const ctx = context()
    const out = await settle(() => run(ctx), 8000)
    if ('hang' in out) return void failures.push(`${name} (seed ${seed}): did not finish in 8 s`)
    if (!out.ok) return void failures.push(`${name} (seed ${seed}): threw ${(out.error as Error)?.name}: ${(out.error as Error)?.message}`)
    const bad = badReport(ctx.obs, ctx.diags)
    if (bad) failures.push(`${name} (seed ${seed}): ${bad}`)
    return ctx
  }

  it(`WS-Discovery: ${ROUNDS * PER_ROUND} damaged ProbeMatches and Hellos`, async () => {
    const failures: string[] = []
    let seen = 0
    for (let i = 0; i < ROUNDS; i++) {
      const seed = (SEED * 7919 + 600_000 + i) >>> 0
      const r = rng(seed)
      let k = i * PER_ROUND
      rsp.wsd.onProbe = (msg, from) => {
        const id = /MessageID>([^<]+)</.exec(msg.toString())?.[1] ?? ''
        for (let n = 0; n < PER_ROUND / 2; n++) {
          const t = wsdTarget(k++, r)
          const hello = r() < 0.2
          const base = hello ? announcement(t, 'Hello', n) : probeMatches(t, r() < 0.9 ? id : 'urn:uuid:someone-else', n)
          const body = r() < 0.2 ? base : r() < 0.85 ? mutateXml(base, r) : mutateBytes(base, r)
          const to = hello ? udp.groups.get(3702) : from
          if (to) sendTo(rsp.wsd, body, to)
        }
      }
      const ctx = await round('WS-Discovery', (c) => wsDiscovery(c, { sends: 1, waitMs: 200 }), failures, seed)
      seen += ctx?.obs.length ?? 0
    }
    expect(failures, failures.join('\n')).toEqual([])
    expect(seen).toBeGreaterThan(ROUNDS * 5) // the intact and slightly damaged replies were understood
  }, 30_000)

  it(`SSDP: ${ROUNDS * PER_ROUND} damaged announcements and their damaged descriptions`, async () => {
    const failures: string[] = []
    let seen = 0
    for (let i = 0; i < ROUNDS; i++) {
      const seed = (SEED * 7919 + 700_000 + i) >>> 0
      const r = rng(seed)
      let k = i * PER_ROUND
      http.answer((q) => {
        const n = Number(/desc-(\d+)/.exec(q.path)?.[1] ?? 0)
        const base = { status: 200, headers: { 'content-type': 'text/xml' }, body: Buffer.from(ssdpDescription(n)) }
        return r() < 0.2 ? { status: 200, headers: { 'Content-Type': 'text/xml' }, body: base.body } : hostileReply(base, 'xml', r)
      })
      let answered = false
      rsp.ssdp.onProbe = (_msg, from) => {
        if (answered) return // two M-SEARCHes per send: answer the first
        answered = true
        for (let n = 0; n < PER_ROUND; n++, k++) {
          const loc = pick(r, [`http://${DEVICE}:${http.port}/desc-${k}.xml`, `http://${DEVICE}:${http.port}/desc-${k}.xml`, `https://${DEVICE}:${http.port}/desc-${k}.xml`, 'http://10.0.0.1/desc.xml', 'file:///etc/passwd', `http://${DEVICE}:1/closed.xml`, `http://${DEVICE}:${http.port}/${'a'.repeat(3000)}`])
          const base = ssdpReply(k, loc)
          sendTo(rsp.ssdp, r() < 0.3 ? base : r() < 0.9 ? mutateText(base, r) : mutateBytes(base, r), from)
        }
      }
      const ctx = await round('SSDP', (c) => ssdpSearch(c, { sends: 1, waitMs: 200, timeoutMs: 1500 }), failures, seed)
      seen += ctx?.obs.filter((o) => o.serial).length ?? 0
    }
    expect(failures, failures.join('\n')).toEqual([])
    expect(seen).toBeGreaterThan(ROUNDS * 3) // descriptions were fetched and read
  }, 30_000)

  it(`SADP: ${ROUNDS * PER_ROUND} damaged inquiry answers`, async () => {
    const failures: string[] = []
    let seen = 0
    for (let i = 0; i < ROUNDS; i++) {
      const seed = (SEED * 7919 + 800_000 + i) >>> 0
      const r = rng(seed)
      let k = i * PER_ROUND
      rsp.sadp.onProbe = (msg, from) => {
        const uuid = /<Uuid>([^<]*)<\/Uuid>/.exec(msg.toString())?.[1] ?? ''
        for (let n = 0; n < PER_ROUND; n++) {
          const base = sadpReply(r() < 0.9 ? uuid : 'OTHER', k++, r)
          const body = r() < 0.25 ? base : r() < 0.9 ? mutateXml(base, r) : mutateBytes(base, r)
          const to = r() < 0.3 ? udp.groups.get(37020) : from // devices answer to the group, some unicast
          if (to) sendTo(rsp.sadp, body, to)
        }
      }
      const ctx = await round('SADP', (c) => sadpSearch(c, { sends: 1, waitMs: 200 }), failures, seed)
      seen += ctx?.obs.length ?? 0
    }
    expect(failures, failures.join('\n')).toEqual([])
    expect(seen).toBeGreaterThan(ROUNDS * 5)
  }, 30_000)

  it(`mDNS: ${ROUNDS * PER_ROUND} damaged DNS-SD answers`, async () => {
    const failures: string[] = []
    let seen = 0
    for (let i = 0; i < ROUNDS; i++) {
      const seed = (SEED * 7919 + 900_000 + i) >>> 0
      const r = rng(seed)
      let k = i * PER_ROUND
      rsp.mdns.onProbe = (_msg, from) => {
        for (let n = 0; n < PER_ROUND; n++) sendTo(rsp.mdns, hostileMdns(r, k++), from)
      }
      const ctx = await round('mDNS', (c) => mdnsQuery(c, { sends: 1, waitMs: 200 }), failures, seed)
      seen += ctx?.obs.length ?? 0
    }
    expect(failures, failures.join('\n')).toEqual([])
    expect(seen).toBeGreaterThan(ROUNDS * 5)
  }, 30_000)
})

// ---- the reply parsers directly -------------------------------------------------------------

describe('discovery reply parsers', () => {
  const N = Number(process.env.FUZZ_PARSE ?? 800)
  it(`WS-Discovery, SSDP and SADP parsers take ${N} damaged replies each without throwing`, () => {
    const failures: string[] = []
    const r = rng(SEED + 11)
    const strs = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === 'string')
    for (let i = 0; i < N && failures.length < 20; i++) {
      const t = wsdTarget(i, r)
      const pm = mutateXml(probeMatches(t, 'urn:uuid:1', i), r)
      const hello = mutateXml(announcement(t, 'Hello', i), r)
      const ssdp = mutateText(ssdpReply(i, `http://${DEVICE}/d.xml`), r)
      const sadp = mutateXml(sadpReply('U', i, r), r)
      try {
        for (const m of parseProbeMatches(pm)) {
          if (![m.endpoint, m.types, m.relatesTo].every((x) => typeof x === 'string') || !strs(m.scopes) || !strs(m.xaddrs)) failures.push(`parseProbeMatches #${i}: ${JSON.stringify(m).slice(0, 200)}`)
          const sv = scopeValues(m.scopes)
          if (Object.values(sv).some((v) => typeof v !== 'string')) failures.push(`scopeValues #${i}`)
        }
        const h = parseHello(hello)
        if (h && (!strs(h.scopes) || !strs(h.xaddrs) || typeof h.endpoint !== 'string')) failures.push(`parseHello #${i}: ${JSON.stringify(h).slice(0, 200)}`)
        const s = parseSsdp(ssdp)
        if (s && Object.values(s).some((v) => typeof v !== 'string')) failures.push(`parseSsdp #${i}`)
        const x = parseSadp(sadp)
        if (x && Object.values(x).some((v) => typeof v !== 'string')) failures.push(`parseSadp #${i}`)
      } catch (e) {
        failures.push(`#${i}: ${(e as Error).name}: ${(e as Error).message}`)
      }
    }
    expect(failures, failures.join('\n')).toEqual([])
  })

  it('nothing crashed, and nothing left loopback while fuzzing', () => {
    expect(watch.problems).toEqual([])
    // Every send to a discovery group went to the test's responders.
    expect(jail.blocked).toEqual([])
  })
})
