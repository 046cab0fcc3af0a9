// Issue 16 conformance modes, run INSIDE a loopback-only namespace by in-netns.ts: third-party
// clients (agsh `onvif`, `node-onvif`, Debian's onvif-util, curl, digest-fetch) drive the
// functions the lab gained for issue 16. Each mode returns raw observations (replies, client
// output, fault XML); the assertions are in onvif.conformance.test.ts and 2n.conformance.test.ts.
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import type { Bench } from '../bench'
import type { Loose } from '../test-helpers'

const require = createRequire(import.meta.url)
const run = promisify(execFile)

const SOAP = (body: string, header = '') => `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
/** PasswordText UsernameToken with neither Nonce nor Created (OASIS UsernameToken Profile 1.1 §3.1: both optional). */
const textToken = (user: string, pw: string) => `<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>${user}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">${pw}</wsse:Password></wsse:UsernameToken></wsse:Security>`

/** curl with its verbose trace (stderr) kept, so tests can see the request sequence on the wire. */
async function curl(args: string[]): Promise<{ body: string; trace: string; code: string }> {
  try {
    const r = await run('curl', ['-sS', '-v', '--max-time', '10', '-w', '\n%{http_code}', ...args], { timeout: 20_000 })
    const i = r.stdout.lastIndexOf('\n')
    return { body: r.stdout.slice(0, i), code: r.stdout.slice(i + 1), trace: r.stderr }
  } catch (e) {
    return { body: '', code: 'error', trace: (e as Error).message }
  }
}

const cb = <T>(f: (done: (err: Error | null, v: T, xml?: string) => void) => void) =>
  new Promise<{ value?: T; error?: string; xml?: string }>((res) => f((err, v, xml) => res(err ? { error: err.message, xml } : { value: v, xml })))

export const modes: Record<string, (bench: Bench) => Promise<unknown>> = {
  /** agsh `onvif`: network interfaces, scopes, media profiles and stream URI, and a too-weak password. */
  async 'agsh-real'(bench) {
    const onvif = require('onvif')
    const n = bench.devices.find((d) => d.kind === 'nvr')!
    const cam = new onvif.Cam({ hostname: n.ip, port: n.onvifPort, username: n.credentials.username, password: n.credentials.password, autoconnect: false, timeout: 5000 })
    await cb((d) => cam.getSystemDateAndTime(d))
    const caps = await cb((d) => cam.getCapabilities(d))
    const networkInterfaces = await cb((d) => cam.getNetworkInterfaces(d))
    const scopes = await cb((d) => cam.getScopes(d))
    const profiles = await cb<Loose[]>((d) => cam.getProfiles(d))
    const token = profiles.value?.[0]?.$?.token
    const streamUri = await cb((d) => cam.getStreamUri({ protocol: 'RTSP', profileToken: token }, d))
    const weak = await cb((d) => cam.setUsers([{ username: 'operator', password: '1', userLevel: 'Operator' }], d))
    return { nvr: { serial: n.serial, mac: n.mac, ip: n.ip, model: n.model }, mediaUri: cam.uri?.media?.href ?? null, caps: caps.error ?? null, networkInterfaces, scopes, profiles: { count: profiles.value?.length ?? 0, error: profiles.error ?? null, token }, streamUri, weak: { error: weak.error ?? null, xml: weak.xml ?? null } }
  },

  /** node-onvif's full `init()` (capabilities, information, media profiles, stream URIs), then interfaces and scopes. */
  async 'node-onvif-real'(bench) {
    const onvif = require('node-onvif')
    const n = bench.devices.find((d) => d.kind === 'nvr')!
    const dev = new onvif.OnvifDevice({ xaddr: `http://${n.ip}:${n.onvifPort}/onvif/device_service`, user: n.credentials.username, pass: n.credentials.password })
    let init: string | null = null
    try { await dev.init() } catch (e) { init = (e as Error).message }
    const profiles = (dev.getProfileList?.() ?? []).map((p: Loose) => ({ token: p.token, rtsp: p.stream.rtsp, encoding: p.video?.encoder?.encoding ?? null }))
    const ni = await dev.services.device.getNetworkInterfaces().then((r: Loose) => r.data.GetNetworkInterfacesResponse, (e: Error) => ({ error: e.message }))
    const scopes = await dev.services.device.getScopes().then((r: Loose) => r.data.GetScopesResponse, (e: Error) => ({ error: e.message }))
    const weak = await dev.services.device.setUser({ User: [{ Username: 'operator', Password: '1', UserLevel: 'Operator' }] }).then(() => null, (e: Error) => e.message)
    return { nvr: { serial: n.serial, mac: n.mac, ip: n.ip }, init, profiles, networkInterfaces: ni, scopes, weak }
  },

  /** Debian onvif-util's interactive session: `get network`, `get profiles`, `get rtsp`. */
  async 'onvif-util-real'(bench) {
    const n = bench.devices.find((d) => d.kind === 'nvr')!
    const output = await new Promise<Loose>((resolve) => {
      const child = execFile('onvif-util', ['-u', n.credentials.username, '-p', n.credentials.password, n.ip], { timeout: 20_000 }, (err, stdout, stderr) => resolve({ stdout, stderr, error: err?.message ?? null }))
      child.stdin!.write('get network\nget profiles\nget rtsp\n')
      setTimeout(() => child.stdin!.end('quit\n'), 4000)
    })
    return { nvr: { serial: n.serial, mac: n.mac, ip: n.ip }, ...output }
  },

  /**
   * curl against the ONVIF service: `--digest` POST to a Digest-only device (curl sends the
   * first request with an empty body, issue 16 point 7), a PasswordText token without Created
   * (point 5), and the three faults as raw XML for a SOAP 1.2 parser that is not ours (point 3).
   */
  async 'curl-onvif'(bench) {
    const sim = bench.nvr(0)
    const n = bench.devices.find((d) => d.kind === 'nvr')!
    const url = `http://${n.ip}:${n.onvifPort}/onvif/device_service`
    const ct = ['-H', 'Content-Type: application/soap+xml; charset=utf-8']
    const info = SOAP('<tds:GetDeviceInformation/>')
    sim.onvif.auth = 'digest'
    const digest = await curl(['--digest', '-u', `${n.credentials.username}:${n.credentials.password}`, ...ct, '--data-binary', info, url])
    const digestWrong = await curl(['--digest', '-u', `${n.credentials.username}:wrong-${n.credentials.password}`, ...ct, '--data-binary', info, url])
    sim.onvif.auth = 'any'
    sim.lockout.clear()
    const token = textToken(n.credentials.username, n.credentials.password)
    const noCreated = await curl([...ct, '--data-binary', SOAP('<tds:GetDeviceInformation/>', token), url])
    const weak = await curl([...ct, '--data-binary', SOAP('<tds:SetUser><tds:User><tt:Username>operator</tt:Username><tt:Password>1</tt:Password><tt:UserLevel>Operator</tt:UserLevel></tds:User></tds:SetUser>', token), url])
    const notAuthorized = await curl([...ct, '--data-binary', SOAP('<tds:GetDeviceInformation/>', textToken(n.credentials.username, 'wrong')), url])
    const notSupported = await curl([...ct, '--data-binary', SOAP('<tds:GetZeroConfiguration/>', token), url])
    sim.lockout.clear()
    return { nvr: { serial: n.serial, mac: n.mac, ip: n.ip }, digest, digestWrong, noCreated, faults: { weak, notAuthorized, notSupported } }
  },

  /** curl (--digest, --basic) and digest-fetch against the 2N Switch, I/O, Audio and Directory functions. */
  async 'clients-2n'(bench) {
    const i = bench.devices.find((d) => d.kind === 'intercom')!
    const sim = bench.intercom(0)
    const base = `http://${i.ip}:${i.httpPort}`
    const user = `${i.credentials.username}:${i.credentials.password}`
    const get = (path: string, auth = '--digest') => curl([auth, '-u', user, `${base}${path}`])
    const out: Record<string, unknown> = { intercom: { serial: i.serial, ip: i.ip } }
    out.switchCaps = await get('/api/switch/caps')
    out.switchCtrl = await get('/api/switch/ctrl?switch=1&action=on')
    out.switchStatus = await get('/api/switch/status?switch=1')
    out.switchMissing = await get('/api/switch/ctrl?action=on')
    out.ioCaps = await get('/api/io/caps')
    out.audioTest = await get('/api/audio/test')
    out.dirTemplate = await get('/api/dir/template')
    out.dirQuery = await curl(['--digest', '-u', user, '-H', 'Content-Type: application/json', '--data-binary', '{"fields":["name"]}', `${base}/api/dir/query`])
    const first = (JSON.parse((out.dirQuery as { body: string }).body) as Loose).result?.users?.[0]?.uuid
    out.dirUpdate = await curl(['--digest', '-u', user, '-X', 'PUT', '-H', 'Content-Type: application/json', '--data-binary', JSON.stringify({ users: [{ uuid: first, email: 'desk@example.com' }] }), `${base}/api/dir/update`])
    // digest-fetch (Digest, then Basic once the System service is set to Basic on the device).
    const mod = require('digest-fetch')
    const DigestFetch = mod.default ?? mod
    const df = new DigestFetch(i.credentials.username, i.credentials.password)
    const j = async (c: Loose, path: string, init?: Loose) => { const r = await c.fetch(`${base}${path}`, init); return { status: r.status, body: await r.text() } }
    out.dfIoCtrl = await j(df, '/api/io/ctrl?port=relay1&action=on')
    out.dfIoStatus = await j(df, '/api/io/status?port=relay1')
    sim.services.system = { ...sim.services.system, auth: 'basic' }
    out.curlBasicConfig = await curl(['--basic', '-u', user, '-D', '-', '-o', '/dev/null', `${base}/api/config`])
    out.curlDigestOnBasic = await get('/api/config')
    out.dfBasicConfig = await j(new DigestFetch(i.credentials.username, i.credentials.password, { basic: true }), '/api/config')
    sim.services.system = { ...sim.services.system, auth: 'digest' }
    return out
  },
}
