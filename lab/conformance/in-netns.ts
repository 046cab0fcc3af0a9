// Runs INSIDE a loopback-only network namespace (see netns.ts): starts a bench on standard
// ports, points one third-party client at it, prints `RESULT <json>` and exits.
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import { startBench } from '../bench'
import type { Loose } from '../test-helpers'
import { modes } from './real-clients'

const require = createRequire(import.meta.url)
const run = promisify(execFile)
const mode = process.argv[2]

const bench = await startBench({ intercoms: 1, nvrs: 2, seed: 'conformance', portMode: 'standard', discovery: true })
const nvrs = bench.devices.filter((d) => d.kind === 'nvr').map((d) => ({ serial: d.serial, ip: d.ip, model: d.model, onvifPort: d.onvifPort, username: d.credentials.username, password: d.credentials.password }))
let result: unknown
try {
  if (mode in modes) result = await modes[mode](bench)
  else if (mode === 'agsh') result = await agsh()
  else if (mode === 'agsh-digest') result = await agshDigest()
  else if (mode === 'node-onvif') result = await nodeOnvif()
  else if (mode === 'raw') result = await raw()
  else if (mode === 'nmap-http-auth') {
    const i = bench.devices[0]
    const r = await run('nmap', ['-Pn', '-sT', '-p', '80', '--script', 'http-auth', '--script-args', 'http-auth.path=/api/system/status', i.ip], { timeout: 30_000 })
    result = { nvrs, intercom: { ip: i.ip }, output: r.stdout }
  } else if (mode === 'onvif-util-login') result = await onvifUtilLogin()
  else if (mode === 'onvif-util') result = { nvrs, output: (await run('onvif-util', ['-a'], { timeout: 20_000 })).stdout }
  else if (mode === 'nmap') {
    const r = await run('nmap', ['-e', 'lo', '--script', 'broadcast-wsdd-discover', '--script-args', 'broadcast-wsdd-discover.timeout=3s'], { timeout: 30_000 })
    result = { nvrs, output: r.stdout }
  } else throw new Error(`unknown mode ${mode}`)
} finally {
  await bench.stop()
}
console.log(`RESULT ${JSON.stringify(result)}`)
process.exit(0)

/** Our own probes: which Types get answers, RelatesTo, and the unicast source address. */
async function raw() {
  const dgram = await import('node:dgram')
  const probe = async (types: string, id: string) => {
    const s = dgram.createSocket('udp4')
    const replies: { from: string; xml: string }[] = []
    s.on('message', (m, r) => replies.push({ from: r.address, xml: m.toString() }))
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
    s.setMulticastInterface('127.0.0.1')
    const msg = `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><e:Header><w:MessageID>${id}</w:MessageID><w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To><w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header><e:Body><d:Probe><d:Types>${types}</d:Types></d:Probe></e:Body></e:Envelope>`
    s.send(msg, 3702, '239.255.255.250')
    await new Promise((r) => setTimeout(r, 800))
    s.close()
    return replies
  }
  return { nvrs, device: await probe('tds:Device', 'urn:uuid:1111'), display: await probe('dn:NetworkVideoDisplay', 'urn:uuid:2222') }
}

/** onvif-util's interactive session: log in (device information) and `get time`. */
function onvifUtilLogin(): Promise<unknown> {
  const n = nvrs[0]
  return new Promise((resolve) => {
    const child = execFile('onvif-util', ['-u', n.username, '-p', n.password, n.ip], { timeout: 20_000 }, (err, stdout, stderr) => resolve({ nvrs, output: stdout, stderr, error: err?.message ?? null }))
    child.stdin!.write('get time\n')
    setTimeout(() => child.stdin!.end('quit\n'), 3000)
  })
}

async function agsh() {
  const onvif = require('onvif')
  const found: Loose[] = await new Promise((resolve, reject) => onvif.Discovery.probe({ timeout: 2500, resolve: false }, (err: unknown, list: Loose[]) => (err && !list ? reject(err) : resolve(list ?? []))))
  const devices = []
  for (const m of found) {
    const pm = m.probeMatches.probeMatch
    const url = new URL(String(pm.XAddrs).split(' ')[0])
    const own = nvrs.find((n) => n.ip === url.hostname)!
    const cam = new onvif.Cam({ hostname: url.hostname, port: Number(url.port), username: own.username, password: own.password, autoconnect: false, timeout: 5000 })
    const time: Date = await new Promise((res, rej) => cam.getSystemDateAndTime((e: unknown, t: Date) => (e ? rej(e) : res(t))))
    const info: Loose = await new Promise((res, rej) => cam.getDeviceInformation((e: unknown, i: unknown) => (e ? rej(e) : res(i))))
    devices.push({ urn: pm.endpointReference.address, types: pm.types, xaddr: url.href, time: time.toISOString(), info })
  }
  return { nvrs, devices }
}

/**
 * agsh with WS-Security off (`useWSSecurity: false`): its HTTP Digest path. The Authorization
 * headers it builds are recorded (observed, not changed) to show which challenge it answered.
 */
async function agshDigest() {
  const onvif = require('onvif')
  const call = (cam: Loose, op: string) => new Promise<Loose>((res) => cam[op]((e: Error | null, v: unknown) => res(e ? { error: e.message } : { value: v })))
  const devices = []
  for (const n of nvrs) {
    const cam = (password: string) => {
      const c = new onvif.Cam({ hostname: n.ip, port: n.onvifPort, username: n.username, password, autoconnect: false, timeout: 5000, useWSSecurity: false })
      const sent: string[] = []
      const build = c.digestAuth.bind(c)
      c.digestAuth = (challenges: string[], req: unknown) => { const h = build(challenges, req); sent.push(h); return h }
      return { c, sent }
    }
    const good = cam(n.password)
    const info = await call(good.c, 'getDeviceInformation')
    const wrong = cam(`${n.password}-wrong`)
    const refused = await call(wrong.c, 'getDeviceInformation')
    devices.push({ serial: n.serial, info: info.value ?? null, error: info.error ?? null, authorization: good.sent, refused: refused.error ?? null, refusedAuthorization: wrong.sent })
  }
  return { nvrs, devices }
}

async function nodeOnvif() {
  const onvif = require('node-onvif')
  const list: Loose[] = await onvif.startProbe()
  const devices = []
  for (const p of list) {
    const xaddr = p.xaddrs[0]
    const own = nvrs.find((n) => n.ip === new URL(xaddr).hostname)!
    const dev = new onvif.OnvifDevice({ xaddr, user: own.username, pass: own.password })
    const t = await dev.services.device.getSystemDateAndTime()
    const i = await dev.services.device.getDeviceInformation()
    devices.push({ urn: p.urn, name: p.name, hardware: p.hardware, xaddr, time: t.data.GetSystemDateAndTimeResponse.SystemDateAndTime.UTCDateTime, info: i.data.GetDeviceInformationResponse })
  }
  return { nvrs, devices }
}
