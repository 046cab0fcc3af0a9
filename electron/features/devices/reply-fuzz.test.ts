// Device replies are fuzzed (issue 7): real replies captured from the lab bench (2N JSON and
// configuration XML, ISAPI XML, ONVIF SOAP) are damaged thousands of ways (shared/testing/
// fuzz's mutateText plus structural mutations: truncation, wrong JSON types, deep nesting,
// huge strings, bad and exploding XML entities, missing envelopes, wrong content types, HTML
// error pages, hostile WWW-Authenticate challenges, transport faults) and fed through the real
// drivers: over real HTTP sockets to a loopback server, and straight into the parsers. Every
// call must settle in bounded time with either a valid result or an AppError whose message an
// agent can read, never a TypeError/RangeError, an unhandled rejection or a crash.
//
// Seeds are printed with each failure: FUZZ_SEED=<n> replays a run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import { rng, mutateText, type Rng, pick } from '../../../shared/testing/fuzz'
import { installNetJail, type NetJail } from '../audit/testing/net-jail'
import type { DevicesRepo } from '../../../db/repos/devices'
import { DigestSession, parseChallenges, pickChallenge, wsUsernameToken } from '../../infra/digest'
import { deviceDriver, type Target } from './driver'
import { deviceRequest, type DeviceReply } from '../../infra/device-http'
import { IsapiClient, OnvifClient, verifyIsapiExport } from './nvr'
import { parseEnvelope, SystemInfo, TwoNClient, TwoNWebSession, verifyTwoNConfig, type Credentials } from './twon'
import { onvifUtc, parseXml, soapBody, soapEnvelope } from '../../infra/xml'
import {
  fuzzServer, hostileChallenge, hostileReply, mutateJson, mutateXml, settle, toCap, transportFault, unreadableError, unreadableText, watchProcess,
  type Captured, type Delivery, type FuzzReply, type FuzzServer, type SeenRequest,
} from './testing/reply-fuzz'

const SEED = Number(process.env.FUZZ_SEED ?? 7_2026)
const HOST = '127.0.57.200'
const CREDS: Credentials = { username: 'admin', password: 'Fuzz-pass-1' }
/** Drivers are called with their production timeouts (6 s); a healthy parse answers in milliseconds. */
const BOUND_MS = 4000

let bench: Bench
let jail: NetJail
let watch: ReturnType<typeof watchProcess>
const cap: Record<string, Captured> = {}


beforeAll(async () => {
  // Replies that name other hosts (redirects, XAddrs) must never make the drivers leave loopback.
  jail = installNetJail()
  watch = watchProcess()
  bench = await startBench({ intercoms: 1, nvrs: 2, seed: 'reply-fuzz', hostBase: '127.0.57.', portMode: 'ephemeral', discovery: false, nvrLockout: { tries: 1 } })
  const ic = bench.intercom(0)
  const t2 = { host: ic.ip, port: ic.httpPort, tls: false }
  const twoN = new TwoNClient({ host: ic.ip, httpPort: ic.httpPort, httpsPort: null }, ic.info().credentials)
  cap.twoNInfo = toCap(await deviceRequest(t2, { path: '/api/system/info' }))
  cap.twoN401 = toCap(await deviceRequest(t2, { path: '/api/system/status' }))
  cap.twoNStatus = toCap(await twoN.request('GET', '/api/system/status', 'capture'))
  cap.twoNConfig = toCap(await twoN.request('GET', '/api/config', 'capture'))
  cap.twoNError = toCap(await twoN.request('GET', '/api/no/such/path', 'capture'))
  cap.twoNPage = toCap(await deviceRequest(t2, { path: '/' }))
  const web = ic.info().web as Credentials
  cap.twoNLogin = toCap(await deviceRequest(t2, { method: 'POST', path: '/web/login', body: JSON.stringify(web), headers: { 'Content-Type': 'application/json' } }))
  cap.twoNRestart = toCap(await twoN.request('GET', '/api/system/restart', 'capture'))

  const nvr = bench.nvr(0)
  const tn = { host: nvr.ip, port: nvr.httpPort, tls: false }
  const isapi = new IsapiClient({ host: nvr.ip, httpPort: nvr.httpPort, httpsPort: null }, nvr.info().credentials)
  cap.isapi401 = toCap(await deviceRequest(tn, { path: '/ISAPI/System/deviceInfo' }))
  cap.isapiInfo = toCap(await isapi.request('GET', '/ISAPI/System/deviceInfo', 'capture'))
  cap.isapiTime = toCap(await isapi.request('GET', '/ISAPI/System/time', 'capture'))
  cap.isapiUsers = toCap(await isapi.request('GET', '/ISAPI/Security/users', 'capture'))
  cap.isapiError = toCap(await isapi.request('PUT', '/ISAPI/System/notThere', 'capture'))
  const u = new URL(nvr.xaddr())
  const soap = (op: string, header = '') =>
    deviceRequest({ host: u.hostname, port: Number(u.port), tls: false }, { method: 'POST', path: u.pathname, body: soapEnvelope(`<tds:${op}/>`, header), headers: { 'Content-Type': `application/soap+xml; charset=utf-8; action="http://www.onvif.org/ver10/device/wsdl/${op}"` } })
  const token = () => wsUsernameToken(nvr.info().credentials.username, nvr.info().credentials.password, 0)
  cap.onvifTime = toCap(await soap('GetSystemDateAndTime'))
  cap.onvifFault = toCap(await soap('GetDeviceInformation'))
  cap.onvifInfo = toCap(await soap('GetDeviceInformation', token()))
  cap.onvifReboot = toCap(await soap('SystemReboot', token()))
  cap.isapiReboot = toCap(await isapi.request('PUT', '/ISAPI/System/reboot', 'capture'))
  // The second NVR locks after one wrong password: its lock replies (ISAPI 403, ONVIF fault).
  const n1 = bench.nvr(1)
  await new IsapiClient({ host: n1.ip, httpPort: n1.httpPort, httpsPort: null }, { username: 'admin', password: 'wrong' }).info().catch(() => {})
  cap.isapiLocked = toCap(await deviceRequest({ host: n1.ip, port: n1.httpPort, tls: false }, { path: '/ISAPI/System/deviceInfo' }))
  if (cap.isapiLocked.status !== 403) throw new Error(`the locked NVR answered ${cap.isapiLocked.status}`)
  await bench.stop()
  for (const [k, v] of Object.entries(cap)) if (!v.body.length && k !== 'onvifReboot') throw new Error(`capture ${k} is empty`)
}, 30_000)

afterAll(async () => {
  await bench?.stop()
  watch?.stop()
  jail?.release()
})

// deviceDriver needs the inventory only to pin certificates of inventory devices (id !== null).
const noRepo = {} as DevicesRepo
const target = (s: FuzzServer, kind: Target['kind'], protocols: Target['protocols'], onvif = false): Target => ({
  id: null, kind, serial: '', ip: s.host, httpPort: s.port, httpsPort: null, protocols, onvifUrl: onvif ? `http://${s.host}:${s.port}/onvif/device_service` : '',
})
const soapAction = (q: SeenRequest) => /action="[^"]*\/(\w+)"/.exec(String(q.headers['content-type'] ?? ''))?.[1] ?? ''
const withAuth = (q: SeenRequest) => !!q.headers.authorization

/** One hostile reply to a challenge-first driver: a 401 (real or hostile challenge), or the damaged payload. */
function challengeOr(q: SeenRequest, r: Rng, c401: Captured, payload: () => FuzzReply): FuzzReply {
  if (!withAuth(q) && r() < 0.45) {
    const base = hostileReply(c401, /json/.test(String(c401.headers['content-type'])) ? 'json' : 'xml', r)
    return { ...base, status: 401, headers: { ...base.headers, 'WWW-Authenticate': r() < 0.5 ? String(c401.headers['www-authenticate']) : hostileChallenge(r) } }
  }
  return payload()
}

const strings = (o: Record<string, unknown>, keys: string[]) => keys.every((k) => typeof o[k] === 'string')
const identityOk = (v: unknown) => {
  const o = v as Record<string, unknown>
  if (!strings(o, ['serial', 'mac', 'model', 'firmware', 'name', 'vendor'])) return 'identity fields are not all strings'
  if (!(o.serial as string).trim()) return 'identity accepted without a serial number'
  return null
}
const statusOk = (v: unknown) => {
  const s = v as { upTimeS: unknown; deviceTime: unknown }
  if (s.upTimeS !== null && !(typeof s.upTimeS === 'number' && Number.isFinite(s.upTimeS) && s.upTimeS >= 0)) return `upTimeS ${String(s.upTimeS)}`
  if (typeof s.deviceTime !== 'string' || Number.isNaN(Date.parse(s.deviceTime))) return `device time ${JSON.stringify(s.deviceTime)?.slice(0, 80)} is not a time`
  return null
}

interface Scenario {
  name: string
  reply: (q: SeenRequest, r: Rng) => FuzzReply
  run: (s: FuzzServer) => Promise<unknown>
  valid: (v: unknown) => string | null
}

const SCENARIOS: Scenario[] = [
  {
    name: '2N identity (/api/system/info)',
    reply: (_q, r) => hostileReply(cap.twoNInfo, 'json', r),
    run: (s) => deviceDriver(target(s, 'intercom', ['http-2n']), null, { repo: noRepo }).identity(),
    valid: identityOk,
  },
  {
    name: '2N status (Digest, then the JSON envelope)',
    reply: (q, r) => challengeOr(q, r, cap.twoN401, () => hostileReply(cap.twoNStatus, 'json', r)),
    run: (s) => deviceDriver(target(s, 'intercom', ['http-2n']), CREDS, { repo: noRepo }).status(),
    valid: statusOk,
  },
  {
    name: '2N configuration download',
    reply: (q, r) =>
      challengeOr(q, r, cap.twoN401, () => {
        const k = r()
        if (k < 0.15) return hostileReply(cap.twoNError, 'json', r) // an error envelope instead of the file
        if (k < 0.25) return hostileReply(cap.twoNPage, 'xml', r) // the login page (field quirk)
        return hostileReply(cap.twoNConfig, 'xml', r)
      }),
    run: async (s) => {
      const b = await deviceDriver(target(s, 'intercom', ['http-2n']), CREDS, { repo: noRepo }).backup()
      return { b, verdict: verifyTwoNConfig(b.data, '54-0000-0000') }
    },
    valid: (v) => {
      const { b, verdict } = v as { b: { data: unknown }; verdict: { ok: unknown; detail: unknown } }
      if (!Buffer.isBuffer(b.data)) return 'backup data is not bytes'
      if (typeof verdict.ok !== 'boolean' || typeof verdict.detail !== 'string' || !verdict.detail) return 'verification gave no verdict'
      return unreadableText(verdict.detail, 'verification detail')
    },
  },
  {
    name: '2N web login',
    reply: (_q, r) => hostileReply(cap.twoNLogin, 'json', r),
    run: (s) => new TwoNWebSession(new TwoNClient({ host: s.host, httpPort: s.port, httpsPort: null, timeoutMs: 3000 }, CREDS)).login(CREDS),
    valid: (v) => (typeof (v as { mustChangePassword: unknown }).mustChangePassword === 'boolean' ? null : 'mustChangePassword is not a boolean'),
  },
  {
    name: '2N restart (a JSON envelope without result)',
    reply: (q, r) => challengeOr(q, r, cap.twoN401, () => hostileReply(r() < 0.5 ? cap.twoNRestart : cap.twoNError, 'json', r)),
    run: (s) => deviceDriver(target(s, 'intercom', ['http-2n']), CREDS, { repo: noRepo }).reboot(),
    valid: (v) => (v === undefined ? null : 'restart returned a value'),
  },
  {
    name: 'ISAPI identity (DeviceInfo)',
    reply: (q, r) =>
      challengeOr(q, r, cap.isapi401, () => (r() < 0.1 ? hostileReply(cap.isapiLocked, 'xml', r) : hostileReply(cap.isapiInfo, 'xml', r))),
    run: (s) => deviceDriver(target(s, 'nvr', ['isapi']), CREDS, { repo: noRepo }).identity(),
    valid: identityOk,
  },
  {
    name: 'ISAPI clock (System/time)',
    reply: (q, r) => challengeOr(q, r, cap.isapi401, () => hostileReply(cap.isapiTime, 'xml', r)),
    run: (s) => deviceDriver(target(s, 'nvr', ['isapi']), CREDS, { repo: noRepo }).status(),
    valid: statusOk,
  },
  {
    name: 'ISAPI user list (the id a password change is sent to)',
    reply: (q, r) => challengeOr(q, r, cap.isapi401, () => hostileReply(cap.isapiUsers, 'xml', r)),
    run: (s) => new IsapiClient({ host: s.host, httpPort: s.port, httpsPort: null, timeoutMs: 3000 }, CREDS).userId('admin'),
    valid: (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? null : `user id ${String(v)} is not a number`),
  },
  {
    name: 'ISAPI reboot (ResponseStatus)',
    reply: (q, r) => challengeOr(q, r, cap.isapi401, () => hostileReply(pick(r, [cap.isapiReboot, cap.isapiError, cap.isapiLocked]), 'xml', r)),
    run: (s) => deviceDriver(target(s, 'nvr', ['isapi']), CREDS, { repo: noRepo }).reboot(),
    valid: (v) => (v === undefined ? null : 'reboot returned a value'),
  },
  {
    name: 'ONVIF clock (GetSystemDateAndTime)',
    reply: (_q, r) => hostileReply(cap.onvifTime, 'xml', r),
    run: (s) => deviceDriver(target(s, 'nvr', ['onvif'], true), CREDS, { repo: noRepo }).status(),
    valid: statusOk,
  },
  {
    name: 'ONVIF identity (GetDeviceInformation, WS-UsernameToken)',
    reply: (q, r) => {
      if (soapAction(q) === 'GetSystemDateAndTime') return r() < 0.7 ? { status: 200, headers: { 'Content-Type': 'application/soap+xml' }, body: cap.onvifTime.body } : hostileReply(cap.onvifTime, 'xml', r)
      return hostileReply(r() < 0.8 ? cap.onvifInfo : cap.onvifFault, 'xml', r)
    },
    run: (s) => deviceDriver(target(s, 'nvr', ['onvif'], true), CREDS, { repo: noRepo }).identity(),
    valid: identityOk,
  },
  {
    name: 'ONVIF reboot (SystemReboot or a fault)',
    reply: (q, r) => {
      if (soapAction(q) === 'GetSystemDateAndTime') return { status: 200, headers: { 'Content-Type': 'application/soap+xml' }, body: cap.onvifTime.body }
      return hostileReply(r() < 0.6 ? cap.onvifReboot : cap.onvifFault, 'xml', r)
    },
    run: (s) => deviceDriver(target(s, 'nvr', ['onvif'], true), CREDS, { repo: noRepo }).reboot(),
    valid: (v) => (v === undefined ? null : 'reboot returned a value'),
  },
]

/** Runs `cases` over `lanes` servers in parallel; each case owns its server while it runs. */
async function inLanes<C>(servers: FuzzServer[], cases: C[], f: (s: FuzzServer, c: C) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(servers.map(async (s) => {
    while (next < cases.length) await f(s, cases[next++])
  }))
}

const PER_SCENARIO = Number(process.env.FUZZ_REPLIES ?? 90)

describe('device replies over HTTP', () => {
  let servers: FuzzServer[]
  beforeAll(async () => {
    servers = await Promise.all(Array.from({ length: 6 }, () => fuzzServer(HOST)))
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
  })

  it(`every driver call on ${PER_SCENARIO} damaged replies per operation settles with a valid result or a readable AppError`, async () => {
    const failures: string[] = []
    const tally = new Map<string, { ok: number; err: Map<string, number>; ms: number }>()
    const cases = SCENARIOS.flatMap((sc, i) => Array.from({ length: PER_SCENARIO }, (_, n) => ({ sc, seed: (SEED * 7919 + i * 100_000 + n) >>> 0 })))
    await inLanes(servers, cases, async (s, { sc, seed }) => {
      const r = rng(seed)
      const sent: string[] = []
      s.answer((q) => {
        const reply = sc.reply(q, r)
        const b = Buffer.isBuffer(reply.body) ? reply.body.toString('latin1') : reply.body
        sent.push(`${q.method} ${q.path} → ${reply.status} ${reply.headers['Content-Type'] ?? '-'} ${JSON.stringify(b.slice(0, 160))}`)
        return reply
      })
      const out = await settle(() => sc.run(s), BOUND_MS)
      const t = tally.get(sc.name) ?? { ok: 0, err: new Map(), ms: 0 }
      tally.set(sc.name, t)
      t.ms += out.ms
      const fail = (why: string) => void failures.push(`${sc.name} (seed ${seed}): ${why}\n    ${sent.join('\n    ')}`)
      if ('hang' in out) return fail(`no answer within ${BOUND_MS} ms (hang)`)
      if (out.ok) {
        const bad = sc.valid(out.value)
        if (bad) fail(`accepted a damaged reply: ${bad}`)
        else t.ok++
      } else {
        const bad = unreadableError(out.error)
        if (bad) fail(bad)
        else t.err.set((out.error as { code: string }).code, (t.err.get((out.error as { code: string }).code) ?? 0) + 1)
      }
    })
    console.log([...tally].map(([n, t]) => `${n}: ${t.ok} ok, ${[...t.err].map(([c, k]) => `${k} ${c}`).join(', ')} (${Math.round(t.ms)} ms in all)`).join('\n'))
    // At most three failures per operation in the report: one bug tends to fail many seeds.
    const shown = SCENARIOS.flatMap((sc) => failures.filter((f) => f.startsWith(`${sc.name} (`)).slice(0, 3))
    expect(shown, `${failures.length} failures:\n${shown.join('\n')}`).toEqual([])
    // The mutations are not all fatal: each operation still succeeds on some slightly damaged replies, and refuses others.
    for (const [n, t] of tally) {
      expect(t.err.size, `${n} never refused a reply`).toBeGreaterThan(0)
      expect(t.ok + [...t.err.values()].reduce((a, b) => a + b, 0)).toBe(PER_SCENARIO)
    }
    expect(watch.problems).toEqual([])
  }, 60_000)

  it('transport faults (truncation, resets, hangs, dripping, oversize, bad gzip, broken HTTP) end in UNREACHABLE or DEVICE in bounded time', async () => {
    const deliveries: Delivery[] = ['truncate', 'reset', 'hang', 'drip', 'huge', 'gzip-garbage', 'raw-garbage', 'bad-chunked', 'close-early']
    const TIMEOUT = 250
    const clients: [string, Captured, (s: FuzzServer) => Promise<unknown>][] = [
      ['2N info', cap.twoNInfo, (s) => new TwoNClient({ host: s.host, httpPort: s.port, httpsPort: null, timeoutMs: TIMEOUT }, null).info()],
      ['2N status', cap.twoNStatus, (s) => new TwoNClient({ host: s.host, httpPort: s.port, httpsPort: null, timeoutMs: TIMEOUT }, CREDS).status()],
      ['ISAPI info', cap.isapiInfo, (s) => new IsapiClient({ host: s.host, httpPort: s.port, httpsPort: null, timeoutMs: TIMEOUT }, CREDS).info()],
      ['ONVIF clock', cap.onvifTime, (s) => new OnvifClient(new URL(`http://${s.host}:${s.port}/onvif/device_service`), CREDS, { timeoutMs: TIMEOUT }).timeOffset()],
    ]
    const lanes = await Promise.all(Array.from({ length: 12 }, () => fuzzServer(HOST)))
    const failures: string[] = []
    const codes = new Map<string, number>()
    try {
      const cases = clients.flatMap((c) => deliveries.map((d) => [c, d] as const))
      await inLanes(lanes, cases, async (s, [[name, base, run], delivery]) => {
        s.answer(() => ({ ...transportFault(rng(SEED), base.body.toString('utf8')), delivery }))
        const t0 = performance.now()
        // The idle timeout ends a hang; the total limit (3 x) ends a drip.
        const out = await settle(() => run(s), TIMEOUT * 3 + 1500)
        if ('hang' in out) return void failures.push(`${name} / ${delivery}: no answer in ${Math.round(performance.now() - t0)} ms`)
        if (out.ok) return void failures.push(`${name} / ${delivery}: accepted ${JSON.stringify(out.value)?.slice(0, 120)}`)
        const bad = unreadableError(out.error, ['UNREACHABLE', 'DEVICE'])
        if (bad) failures.push(`${name} / ${delivery}: ${bad}`)
        codes.set(`${delivery}:${(out.error as { code: string }).code}`, 1)
      })
    } finally {
      await Promise.all(lanes.map((s) => s.close()))
    }
    expect(failures, failures.join('\n')).toEqual([])
    // A hang is reported as the device not answering, not as garbage.
    expect([...codes.keys()]).toContain('hang:UNREACHABLE')
    expect(watch.problems).toEqual([])
  }, 30_000)
})

describe('device replies straight into the parsers', () => {
  const N = Number(process.env.FUZZ_PARSE ?? 1000)
  const fake = (body: string | Buffer, status = 200, ct = 'application/json'): DeviceReply => ({ status, headers: { 'content-type': ct }, body: Buffer.isBuffer(body) ? body : Buffer.from(body), fingerprint: '' })
  const tryParse = (f: () => unknown, where: string, failures: string[]) => {
    try {
      return { ok: true as const, value: f() }
    } catch (e) {
      const bad = unreadableError(e, ['DEVICE', 'FORBIDDEN', 'UNAUTHORIZED', 'LOCKOUT_RISK'])
      if (bad) failures.push(`${where}: ${bad}`)
      return { ok: false as const }
    }
  }

  it('the 2N envelope parser and the configuration check answer every damaged reply', () => {
    const failures: string[] = []
    const r = rng(SEED + 1)
    const t0 = performance.now()
    for (let i = 0; i < N; i++) {
      const base = pick(r, [cap.twoNInfo, cap.twoNStatus, cap.twoNError, cap.twoN401, cap.twoNLogin, cap.twoNRestart])
      const text = r() < 0.7 ? mutateJson(base.body.toString('utf8'), r) : mutateText(base.body.toString('utf8'), r)
      const res = tryParse(() => parseEnvelope(fake(text), 'Reading'), `parseEnvelope #${i} ${JSON.stringify(text.slice(0, 120))}`, failures)
      if (res.ok && base === cap.twoNInfo) {
        const info = SystemInfo.safeParse(res.value)
        if (info.success && !info.data.serialNumber) failures.push(`SystemInfo accepted an empty serial: ${text.slice(0, 120)}`)
      }
      const cfg = mutateXml(cap.twoNConfig.body.toString('utf8'), r)
      const v = tryParse(() => verifyTwoNConfig(Buffer.from(cfg), '54-3610-4453'), `verifyTwoNConfig #${i}`, failures)
      if (v.ok) {
        const x = v.value as { ok: unknown; detail: unknown; serial: unknown }
        if (typeof x.ok !== 'boolean' || typeof x.detail !== 'string' || !x.detail) failures.push(`verifyTwoNConfig #${i}: no verdict`)
        else if (x.ok && !parseXml(cfg)) failures.push(`verifyTwoNConfig #${i}: accepted XML that is not well-formed`)
      }
      if (failures.length > 20) break
    }
    expect(failures, failures.join('\n')).toEqual([])
    expect(performance.now() - t0).toBeLessThan(15_000)
  }, 30_000)

  it('the SOAP, ONVIF clock and ISAPI export checks answer every damaged reply', () => {
    const failures: string[] = []
    const r = rng(SEED + 2)
    for (let i = 0; i < N; i++) {
      const base = pick(r, [cap.onvifTime, cap.onvifInfo, cap.onvifFault, cap.onvifReboot, cap.isapiInfo, cap.isapiLocked])
      const text = mutateXml(base.body.toString('utf8'), r)
      const t = performance.now()
      const b = tryParse(() => soapBody(text), `soapBody #${i}`, failures)
      if (b.ok) {
        const v = b.value as { body: unknown; fault: unknown; faultCode: unknown }
        if (typeof v.faultCode !== 'string' || !(v.fault === null || typeof v.fault === 'string')) failures.push(`soapBody #${i}: malformed result`)
        const u = tryParse(() => onvifUtc(v.body as never), `onvifUtc #${i}`, failures)
        if (u.ok && u.value !== null) {
          const ms = u.value as number
          // A clock the console will trust for WS-UsernameToken must be a real date, not Date.UTC's guess from missing or out-of-range fields.
          if (!Number.isFinite(ms) || ms < Date.UTC(1970, 0, 1) || ms > Date.UTC(9999, 11, 31)) failures.push(`onvifUtc #${i}: accepted ${ms} from ${JSON.stringify(text.slice(0, 200))}`)
        }
      }
      if (performance.now() - t > 1000) failures.push(`soapBody #${i}: ${Math.round(performance.now() - t)} ms for ${text.length} characters`)
      tryParse(() => verifyIsapiExport(Buffer.from(text)), `verifyIsapiExport #${i}`, failures)
      if (failures.length > 20) break
    }
    expect(failures, failures.join('\n')).toEqual([])
  }, 30_000)

  it('hostile WWW-Authenticate challenges never break the Digest client', () => {
    const failures: string[] = []
    const r = rng(SEED + 3)
    for (let i = 0; i < N; i++) {
      const h = hostileChallenge(r)
      try {
        const pick = pickChallenge(parseChallenges([h, ...(r() < 0.2 ? [hostileChallenge(r)] : [])]))
        if (pick?.scheme === 'digest') {
          const header = new DigestSession(pick).header('GET', '/api/system/status', CREDS.username, CREDS.password)
          if (/[\r\n\0]/.test(header)) failures.push(`challenge #${i} made an Authorization header with CR/LF/NUL: ${JSON.stringify(h.slice(0, 100))}`)
        }
      } catch (e) {
        failures.push(`challenge #${i} ${JSON.stringify(h.slice(0, 100))}: ${(e as Error).name}: ${(e as Error).message}`)
      }
      if (failures.length > 20) break
    }
    expect(failures, failures.join('\n')).toEqual([])
    expect(watch.problems).toEqual([])
  })
})
