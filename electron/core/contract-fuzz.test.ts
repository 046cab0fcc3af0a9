// Every method of the contract (iterated from `methods`, so new ones are covered without
// touching this file) gets at least 1,000 generated payloads on each transport (DIRECT, HTTP): the
// dispatcher (what Electron IPC calls) and HTTP to the loopback host. Each must answer
// with a well-formed result, never an INTERNAL error, a crash or a hang. Network access
// is jailed to loopback so generated addresses cannot reach a real network.
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ErrorCode, methodNames, methods } from '../../shared/contract/index'
import { installNetJail, type NetJail } from '../features/audit/testing/net-jail'
import { NON_JSON_VALUES, payloadsFor, randomJson, rng } from '../../shared/testing/fuzz'
import { tempDir } from '../../db/test/helpers'
import { startHost, type RunningHost } from '../host/server'
import { createDispatcher, type Dispatch } from './api'
import { App } from './app'
import { memoryKeyProvider } from '../infra/secret-box'

const SEED = Number(process.env.FUZZ_SEED ?? 20261122)
// A hang never answers. The bound leaves room for the slowest honest reply: by the HTTP half,
// tickets 1-3 carry thousands of audit entries (every fuzzed call on them is audited, every
// PDF export too), and a PDF of such a ticket took over 5 s on a loaded 2-core CI machine
// (measured: 0.27 s alone at 1,400 entries; the time grows with the entries).
const HANG_MS = 20_000
/**
 * Payloads per method on each transport: every method gets at least `min` (1,000 on each, as
 * issue 7 asks), whatever it costs; `budgetMs` only lets cheap methods go on to `max`. Measured
 * alone on the 2-core machine: ~78,000 dispatcher calls in 30 s and the HTTP half in 86 s. The
 * costly methods are reports.ticketPdf (every export is audited, so each PDF of a ticket is
 * longer than the last: hence a console of its own for each half), lock.clearPin/setPin and the
 * approver methods (scrypt) and workflows.attach. A quicker local run: FUZZ_DIRECT_MIN=250
 * FUZZ_HTTP_MIN=250.
 */
const DIRECT = { min: Number(process.env.FUZZ_DIRECT_MIN ?? 1000), max: Number(process.env.FUZZ_DIRECT_MAX ?? 1000), budgetMs: Number(process.env.FUZZ_DIRECT_BUDGET ?? 300) }
const HTTP = { min: Number(process.env.FUZZ_HTTP_MIN ?? 1000), max: Number(process.env.FUZZ_HTTP_MAX ?? 1000), budgetMs: Number(process.env.FUZZ_HTTP_BUDGET ?? 250) }
/**
 * Room for the minimum counts: 10 minutes per test at the defaults, more when they are raised
 * (a bound for a machine under load, not the expected time).
 */
const TEST_TIMEOUT_MS = 600_000 * Math.max(1, Math.max(DIRECT.min, HTTP.min) / 1000)
// The PIN lock would refuse every later method once a generated PIN locks the console: lock.* go last.
const ORDER = [...methodNames].sort((a, b) => Number(a.startsWith('lock.')) - Number(b.startsWith('lock.')))

let app: App
let dispatch: Dispatch
/** The HTTP half has a console of its own: on the dispatcher's, tickets 1-3 would already carry
 * tens of thousands of fuzzed audit entries, and every PDF of them would take seconds. */
let httpApp: App
let host: RunningHost
let jail: NetJail

async function seeded(): Promise<{ app: App; dispatch: Dispatch }> {
  const a = new App({ dataDir: tempDir('sc-fuzz-'), host: 'browser', keys: memoryKeyProvider() })
  const d = createDispatcher(a)
  const ctx = { transport: 'test' as const }
  await d('system.setAgent', { name: 'Fuzz', email: '' }, ctx)
  for (const c of ['A', 'B', 'C']) await d('tickets.create', { customerName: c }, ctx)
  await d('evidence.add', { ticketId: 1, kind: 'other', name: 'n.txt', dataBase64: Buffer.from('hello').toString('base64') }, ctx)
  return { app: a, dispatch: d }
}

beforeAll(async () => {
  jail = installNetJail()
  ;({ app, dispatch } = await seeded())
  const h = await seeded()
  httpApp = h.app
  host = await startHost({ dispatch: h.dispatch, bus: httpApp.bus, rendererDir: tempDir(), maxBodyBytes: 32 * 1024 * 1024 })
})
afterAll(async () => {
  await host?.close()
  await httpApp?.close()
  await app?.close()
  jail?.release()
  if (jail?.blocked.length) console.log(`network jail refused ${jail.blocked.length} attempts, e.g. ${jail.blocked.slice(0, 3).join(', ')}`)
})

const withTimeout = <T>(p: Promise<T>, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`hang: ${what} did not answer in ${HANG_MS} ms`)), HANG_MS))])

function checkResult(r: unknown, where: string) {
  const shape = z.union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: z.object({ code: ErrorCode, message: z.string().min(1) }) })])
  const parsed = shape.safeParse(r)
  if (!parsed.success) throw new Error(`${where}: malformed result ${JSON.stringify(r)?.slice(0, 300)}`)
  if (!r || (r as { ok: boolean }).ok) return
  const e = (r as { error: { code: string; message: string } }).error
  if (e.code === 'INTERNAL') throw new Error(`${where}: INTERNAL error "${e.message}"`)
}

const schemaOf = (m: string) => z.toJSONSchema(methods[m as keyof typeof methods].input, { io: 'input', unrepresentable: 'any' })
const show = (p: unknown) => {
  try {
    return JSON.stringify(p)?.slice(0, 300)
  } catch {
    return String(p)
  }
}

describe('contract fuzzing', () => {
  it('the dispatcher (IPC path) answers every generated payload of every method', async () => {
    const t0 = Date.now()
    const failures: string[] = []
    let calls = 0
    const slow: [string, number][] = []
    const perMethod = new Map<string, number>()
    for (const [i, m] of ORDER.entries()) {
      const tm = Date.now()
      const r = rng(SEED + i)
      const inputs = [...NON_JSON_VALUES, ...NON_JSON_VALUES.map((v) => ({ id: v, ticketId: v })), ...payloadsFor(schemaOf(m), r, Math.max(DIRECT.min, DIRECT.max))]
      for (const [n, p] of inputs.entries()) {
        if (n >= DIRECT.min && Date.now() - tm > DIRECT.budgetMs) break
        calls++
        perMethod.set(m, (perMethod.get(m) ?? 0) + 1)
        try {
          checkResult(await withTimeout(dispatch(m, p, { transport: 'test' }), m), m)
        } catch (e) {
          failures.push(`${(e as Error).message} (seed ${SEED + i}) payload ${show(p)}`)
          if (failures.length > 20) break
        }
      }
      slow.push([m, Date.now() - tm])
    }
    console.log(slow.sort((a, b) => b[1] - a[1]).slice(0, 8).map(([m, ms]) => `${m} ${ms} ms`).join(', '))
    // Unknown and hostile method names.
    for (const name of ['', '__proto__', 'constructor', 'toString', 'tickets.create ', 'TICKETS.CREATE', '../tickets.create', 'a'.repeat(10_000)]) {
      const res = await dispatch(name, {}, { transport: 'test' })
      if (res.ok || res.error.code !== 'UNKNOWN_METHOD') failures.push(`method name ${name.slice(0, 30)} answered ${show(res)}`)
    }
    expect(failures, failures.join('\n')).toEqual([])
    console.log(`dispatcher: ${calls} calls over ${methodNames.length} methods in ${Date.now() - t0} ms`)
    console.log(`dispatcher: at least ${Math.min(...methodNames.map((m) => perMethod.get(m) ?? 0))} payloads per method`)
    expect(Math.min(...methodNames.map((m) => perMethod.get(m) ?? 0)), 'payloads of the least fuzzed method').toBeGreaterThanOrEqual(DIRECT.min)
    expect((await app.db.prepare('PRAGMA integrity_check').pluck().get()) as string).toBe('ok')
  }, TEST_TIMEOUT_MS)

  it('the loopback HTTP host answers every generated payload with a JSON error or result', async () => {
    const t0 = Date.now()
    const failures: string[] = []
    const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
      withTimeout(
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: host.port, path, method: 'POST', headers: { host: `127.0.0.1:${host.port}`, authorization: `Bearer ${host.token}`, 'content-type': 'application/json', ...headers } }, (res) => {
            let b = ''
            res.setEncoding('utf8')
            res.on('data', (c) => (b += c))
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }))
          })
          req.on('error', reject)
          req.end(body)
        }),
        path,
      )
    let requests = 0
    const perMethod = new Map<string, number>()
    const slow: [string, number][] = []
    for (const [i, m] of ORDER.entries()) {
      const r = rng(SEED * 7 + i)
      const tm = Date.now()
      for (const [n, p] of [...payloadsFor(schemaOf(m), r, Math.max(HTTP.min, HTTP.max))].entries()) {
        if (n >= HTTP.min && Date.now() - tm > HTTP.budgetMs) break
        requests++
        perMethod.set(m, (perMethod.get(m) ?? 0) + 1)
        const res = await post(`/api/rpc/${encodeURIComponent(m)}`, JSON.stringify(p) ?? 'null')
        try {
          if (res.status >= 500 && ![502, 504, 507].includes(res.status)) throw new Error(`${m}: HTTP ${res.status}`)
          checkResult(JSON.parse(res.body), m)
        } catch (e) {
          failures.push(`${(e as Error).message} (seed ${SEED * 7 + i}) payload ${show(p)} → ${res.status} ${res.body.slice(0, 200)}`)
        }
        if (failures.length > 20) break
      }
      slow.push([m, Date.now() - tm])
    }
    console.log(slow.sort((a, b) => b[1] - a[1]).slice(0, 8).map(([m, ms]) => `${m} ${ms} ms`).join(', '))
    console.log(`http: at least ${Math.min(...methodNames.map((m) => perMethod.get(m) ?? 0))} payloads per method`)
    expect(Math.min(...methodNames.map((m) => perMethod.get(m) ?? 0)), 'payloads of the least fuzzed method').toBeGreaterThanOrEqual(HTTP.min)
    expect((await httpApp.db.prepare('PRAGMA integrity_check').pluck().get()) as string).toBe('ok')
    // Hostile transport-level input.
    const r = rng(SEED)
    const raw: [string, string | Buffer, Record<string, string>?][] = [
      ['/api/rpc/tickets.list', '{'],
      ['/api/rpc/tickets.list', '\u0000\u0001'],
      ['/api/rpc/tickets.list', Buffer.from([0xff, 0xfe, 0xfd])],
      ['/api/rpc/tickets.list', '[]'],
      ['/api/rpc/tickets.list', '"x"'],
      ['/api/rpc/tickets.list', '1e400'],
      ['/api/rpc/tickets.list', '{"__proto__":{"admin":true}}'],
      ['/api/rpc/tickets.list', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)],
      ['/api/rpc/tickets.list', '{}', { 'content-type': 'text/plain' }],
      ['/api/rpc/%E0%A4%A', '{}'],
      ['/api/rpc/..%2F..%2Fetc%2Fpasswd', '{}'],
      ['/api/rpc/', '{}'],
      ['/api/rpc/evidence.add', JSON.stringify({ ticketId: 1, kind: 'other', name: 'big', dataBase64: 'A'.repeat(40 * 1024 * 1024) })],
      ...Array.from({ length: 50 }, (): [string, string] => ['/api/rpc/tickets.create', JSON.stringify(randomJson(r, 4)) ?? '{}']),
    ]
    for (const [path, body, headers] of raw) {
      const res = await post(path, body, headers)
      let parsed: unknown
      try {
        parsed = JSON.parse(res.body)
      } catch {
        failures.push(`${path}: non-JSON answer ${res.status} ${res.body.slice(0, 100)}`)
        continue
      }
      if (res.status >= 500 && ![502, 504, 507].includes(res.status)) failures.push(`${path}: HTTP ${res.status} ${res.body.slice(0, 200)}`)
      try {
        checkResult(parsed, path)
      } catch (e) {
        failures.push((e as Error).message)
      }
    }
    expect(failures, failures.join('\n')).toEqual([])
    console.log(`http: ${requests + raw.length} requests in ${Date.now() - t0} ms`)
    // The host is still healthy afterwards.
    expect((await post('/api/rpc/lock.status', '{}')).status).toBe(200) // lock.* ran last and may have locked the console
  }, TEST_TIMEOUT_MS)
})
