// 2N intercom simulator against 2n-intercom.md §1-5 and the §9 checklist. digest-fetch is
// the third-party client for the Digest conformance check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../bench'
import { DigestFetch, digestAuthorization, httpsGet, waitFor, reachable } from '../test-helpers'
import { RING_SIZE } from './event-log'
import type { Intercom } from './intercom'

let bench: Bench
let d: Intercom
let base: string

beforeAll(async () => {
  bench = await startBench({ intercoms: 2, nvrs: 0, seed: 'intercom-test', hostBase: '127.0.1.', portMode: 'ephemeral', discovery: false, timing: { rebootMs: 800, applyDelayMs: 15_000, nonceTtlMs: 60_000 } })
  d = bench.intercom(0)
  base = `http://${d.ip}:${d.httpPort}`
})
afterAll(async () => bench?.stop())

const api = () => new DigestFetch(d.credentials.username, d.credentials.password)
const jsonOf = async (r: Response) => JSON.parse(await r.text())

async function webLogin(user: string, password: string) {
  const r = await fetch(`${base}/web/login`, { method: 'POST', body: JSON.stringify({ username: user, password }) })
  return { status: r.status, body: await jsonOf(r) }
}
async function web(session: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${base}${path}`, { method, headers: { 'X-Session': session }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: r.status, body: await jsonOf(r) }
}
function fw(variantId: number, version: string) {
  const f = new FormData()
  f.append('blob-fw', new Blob([`2N-FW;variant=${variantId};version=${version}\n`, 'binary image']), 'fw.bin')
  return f
}

describe('identification', () => {
  it('answers /api/system/info without authentication, with the full field set and a HIP Server header', async () => {
    const r = await fetch(`${base}/api/system/info`)
    expect(r.status).toBe(200)
    expect(r.headers.get('server')).toBe(`HIP${d.id.swVersion}`)
    expect(r.headers.get('content-type')).toBe('application/json')
    const b = await jsonOf(r)
    expect(b.success).toBe(true)
    expect(Object.keys(b.result).sort()).toEqual(['buildType', 'customerId', 'devType', 'deviceName', 'firmwarePackage', 'hwVersion', 'macAddr', 'serialNumber', 'swVersion', 'variant', 'variantId'])
    expect(b.result.serialNumber).toMatch(/^\d{2}-\d{4}-\d{4}$/)
    expect(b.result.macAddr).toMatch(/^7C-1E-B3(-[0-9A-F]{2}){3}$/)
    expect(b.result.buildType).toBe('release')
    // POST works too, and answers even when every service is disabled.
    d.services.system.enabled = false
    const p = await jsonOf(await fetch(`${base}/api/system/info`, { method: 'POST' }))
    d.services.system.enabled = true
    expect(p.result.serialNumber).toBe(d.serial)
  })

  it('is deterministic: the same seed gives the same serials, MACs and passwords', async () => {
    const again = await startBench({ intercoms: 2, nvrs: 0, seed: 'intercom-test', hostBase: '127.0.1.', firstHost: 100, portMode: 'ephemeral', discovery: false })
    try {
      expect(again.devices.map((x) => [x.serial, x.mac, x.credentials.password])).toEqual(bench.devices.map((x) => [x.serial, x.mac, x.credentials.password]))
    } finally {
      await again.stop()
    }
  })
})

describe('authentication and service security', () => {
  it('challenges with Digest MD5 qop=auth and error 9 in the JSON envelope; digest-fetch gets in', async () => {
    const r = await fetch(`${base}/api/system/status`)
    expect(r.status).toBe(401)
    expect(r.headers.get('www-authenticate')).toMatch(/^Digest qop="auth", realm="HTTP API", nonce="[0-9a-f]{32}", algorithm=MD5, stale="FALSE"$/)
    expect((await jsonOf(r)).error.code).toBe(9)
    const ok = await jsonOf(await api().fetch(`${base}/api/system/status`))
    expect(ok.success).toBe(true)
    expect(typeof ok.result.systemTime).toBe('number')
    expect(typeof ok.result.upTime).toBe('number')
    const wrong = await new DigestFetch(d.credentials.username, 'nope').fetch(`${base}/api/system/status`)
    expect(wrong.status).toBe(401)
  })

  it('answers stale=true for an expired nonce with otherwise correct credentials', async () => {
    const ch = (await fetch(`${base}/api/system/status`)).headers.get('www-authenticate')!
    const auth = digestAuthorization(ch, d.credentials.username, d.credentials.password, 'GET', '/api/system/status')
    expect((await fetch(`${base}/api/system/status`, { headers: { Authorization: auth } })).status).toBe(200)
    await bench.advance(61_000)
    const r = await fetch(`${base}/api/system/status`, { headers: { Authorization: auth } })
    expect(r.status).toBe(401)
    expect(r.headers.get('www-authenticate')).toContain('stale="TRUE"')
  })

  it('gives error 8 for the wrong scheme, supports Basic and None per service, 4 when disabled, 7 when HTTPS-only', async () => {
    const basic = `Basic ${Buffer.from(`${d.credentials.username}:${d.credentials.password}`).toString('base64')}`
    const r8 = await fetch(`${base}/api/system/status`, { headers: { Authorization: basic } })
    expect(r8.status).toBe(401)
    expect((await jsonOf(r8)).error.code).toBe(8)
    d.services.system.auth = 'basic'
    expect((await jsonOf(await fetch(`${base}/api/system/status`, { headers: { Authorization: basic } }))).success).toBe(true)
    const viaDigest = await fetch(`${base}/api/system/status`, { headers: { Authorization: 'Digest username="api"' } })
    expect((await jsonOf(viaDigest)).error.code).toBe(8)
    d.services.system.auth = 'none'
    expect((await jsonOf(await fetch(`${base}/api/system/status`))).success).toBe(true)
    d.services.system.enabled = false
    expect((await jsonOf(await fetch(`${base}/api/system/status`))).error.code).toBe(4)
    d.services.system = { enabled: true, transport: 'https', auth: 'none' }
    expect((await jsonOf(await fetch(`${base}/api/system/status`))).error.code).toBe(7)
    const s = await httpsGet(`https://${d.ip}:${d.httpsPort}/api/system/status`)
    expect(JSON.parse(s.body).success).toBe(true)
    d.services.system = { enabled: true, transport: 'http', auth: 'digest' }
  })

  it('keeps up to 5 API accounts and enforces privileges with error 10', async () => {
    const login = await webLogin('admin', d.web.password)
    const session = login.body.result.session
    const six = Array.from({ length: 6 }, (_, i) => ({ username: `u${i}`, password: `Pw${i}secret`, privileges: ['system'] }))
    expect((await web(session, 'PUT', '/web/api-accounts', { accounts: six })).body.error.code).toBe(13)
    const keep = d.accounts.map((a) => ({ ...a }))
    const five = [...keep, { username: 'switchonly', password: 'Sw1tchOnly', privileges: ['switch'] }]
    expect((await web(session, 'PUT', '/web/api-accounts', { accounts: five })).body.success).toBe(true)
    const r = await new DigestFetch('switchonly', 'Sw1tchOnly').fetch(`${base}/api/system/status`)
    expect((await jsonOf(r)).error.code).toBe(10)
    expect((await jsonOf(await api().fetch(`${base}/api/system/status`))).success).toBe(true)
  })

  it('answers error 2 for an unknown path and 3 for a wrong method', async () => {
    expect((await jsonOf(await fetch(`${base}/api/nothing/here`))).error.code).toBe(2)
    expect((await jsonOf(await api().fetch(`${base}/api/firmware/apply?fileid=x`, { method: 'DELETE' }))).error.code).toBe(3)
  })
})

describe('system endpoints', () => {
  it('reports caps and time, and sets time', async () => {
    const caps = await jsonOf(await api().fetch(`${base}/api/system/caps`))
    expect(caps.result.options.rtspServer).toBe('active,licensed')
    const t = await jsonOf(await api().fetch(`${base}/api/system/time`))
    expect(t.result).toMatchObject({ source: 'My2N', automatic: true })
    expect(Math.abs(t.result.utcTime - bench.clock.now() / 1000)).toBeLessThan(5)
    const target = Math.floor(bench.clock.now() / 1000) - 3600
    expect((await jsonOf(await api().fetch(`${base}/api/system/time?automatic=0&utcTime=${target}`, { method: 'PUT' }))).success).toBe(true)
    const t2 = await jsonOf(await api().fetch(`${base}/api/system/time`))
    expect(t2.result.automatic).toBe(false)
    expect(Math.abs(t2.result.utcTime - target)).toBeLessThan(5)
    d.clockSkew(0)
  })

  it('restarts: replies success, goes offline, comes back with upTime reset', async () => {
    await bench.advance(120_000)
    const before = await jsonOf(await api().fetch(`${base}/api/system/status`))
    expect(before.result.upTime).toBeGreaterThanOrEqual(120)
    expect((await jsonOf(await api().fetch(`${base}/api/system/restart`))).success).toBe(true)
    await waitFor(() => !d.online, 2000, 'device to go down')
    expect(await reachable(`${base}/api/system/info`)).toBe(false)
    await waitFor(() => d.online, 6000, 'device to come back')
    const after = await jsonOf(await api().fetch(`${base}/api/system/status`))
    expect(after.result.upTime).toBeLessThan(5)
  })
})

describe('configuration', () => {
  it('downloads XML with the header comment and DeviceDatabase, applies an upload only after the delay', async () => {
    const r = await api().fetch(`${base}/api/config`)
    expect(r.headers.get('content-type')).toBe('application/xml')
    const x = await r.text()
    expect(x).toContain(`Serial number: ${d.serial}`)
    expect(x).toContain('Product name: 2N IP Verso')
    expect(x).toMatch(/<DeviceDatabase Version="\d+">/)
    expect(x).toContain('<Network>')
    expect(x).toContain('<DhcpEnabled>1</DhcpEnabled>')
    const f = new FormData()
    f.append('blob-cfg', new Blob([x.replace(/<DeviceName>[^<]*</, '<DeviceName>Gate 7<')]), 'config.xml')
    expect((await jsonOf(await api().fetch(`${base}/api/config`, { method: 'PUT', body: f }))).success).toBe(true)
    const info = async () => (await jsonOf(await fetch(`${base}/api/system/info`))).result.deviceName
    expect(await info()).toBe('2N IP Verso')
    await bench.advance(14_000)
    expect(await info()).toBe('2N IP Verso')
    await bench.advance(1_500)
    expect(await info()).toBe('Gate 7')
  })

  it('rejects an upload that is not a 2N configuration or not multipart', async () => {
    const f = new FormData()
    f.append('blob-cfg', new Blob(['<html>login</html>']), 'x.xml')
    expect(await jsonOf(await api().fetch(`${base}/api/config`, { method: 'PUT', body: f }))).toMatchObject({ success: false, error: { code: 12, param: 'blob-cfg' } })
    const g = new FormData()
    g.append('other', 'x')
    expect((await jsonOf(await api().fetch(`${base}/api/config`, { method: 'PUT', body: g }))).error.code).toBe(11)
    expect((await jsonOf(await api().fetch(`${base}/api/config`, { method: 'PUT', body: 'x', headers: { 'Content-Type': 'text/plain' } }))).error.code).toBe(14)
  })
})

describe('firmware', () => {
  it('keeps one pending file, rejects wrong files, applies and auto-rejects', async () => {
    const v = d.id.model.variantId
    const up = await jsonOf(await api().fetch(`${base}/api/firmware`, { method: 'PUT', body: fw(v, '2.51.0.10.1') }))
    expect(up.result.fileId).toMatch(/^[0-9a-f]{8}$/)
    expect(up.result).toMatchObject({ version: '2.51.0.10.1', downgrade: false })
    const second = await jsonOf(await api().fetch(`${base}/api/firmware`, { method: 'PUT', body: fw(v, '2.52.0.1.1') }))
    expect(second.result.fileId).toBe(up.result.fileId)
    expect(second.result.version).toBe('2.51.0.10.1')
    expect(await jsonOf(await api().fetch(`${base}/api/firmware/apply?fileid=deadbeef`))).toMatchObject({ error: { code: 12, param: 'fileid' } })
    expect((await jsonOf(await api().fetch(`${base}/api/firmware/reject?fileId=${up.result.fileId}`))).success).toBe(true)
    expect((await jsonOf(await api().fetch(`${base}/api/firmware/apply?fileid=${up.result.fileId}`))).error.code).toBe(14)
    const wrongModel = await jsonOf(await api().fetch(`${base}/api/firmware`, { method: 'PUT', body: fw(v + 1, '2.51.0.10.1') }))
    expect(wrongModel.error.code).toBe(12)
    const corrupt = new FormData()
    corrupt.append('blob-fw', new Blob(['\x00\x01garbage']), 'fw.bin')
    expect((await jsonOf(await api().fetch(`${base}/api/firmware`, { method: 'PUT', body: corrupt }))).error.code).toBe(12)
    // Auto-reject after 5 minutes.
    const up2 = await jsonOf(await api().fetch(`${base}/api/firmware`, { method: 'PUT', body: fw(v, '2.51.0.10.1') }))
    await bench.advance(5 * 60_000 + 1000)
    expect((await jsonOf(await api().fetch(`${base}/api/firmware/apply?fileid=${up2.result.fileId}`))).error.code).toBe(14)
    // Apply: the device reboots into the new version.
    const up3 = await jsonOf(await api().fetch(`${base}/api/firmware`, { method: 'PUT', body: fw(v, '2.51.0.10.1') }))
    expect((await jsonOf(await api().fetch(`${base}/api/firmware/apply?fileid=${up3.result.fileId}`))).success).toBe(true)
    await waitFor(() => !d.online, 2000, 'reboot')
    await waitFor(() => d.online, 6000, 'come back')
    expect((await fetch(`${base}/api/system/info`)).headers.get('server')).toBe('HIP2.51.0.10.1')
  })
})

describe('event log', () => {
  it('lists event types, subscribes and pulls, and keeps only the last 500 events', async () => {
    const caps = await jsonOf(await api().fetch(`${base}/api/log/caps`))
    expect(caps.result.events).toContain('LoginBlocked')
    const sub = await jsonOf(await api().fetch(`${base}/api/log/subscribe?include=all`))
    const first = await jsonOf(await api().fetch(`${base}/api/log/pull?id=${sub.result.id}&timeout=0`))
    expect(first.result.events[0]).toMatchObject({ event: 'DeviceState', params: { state: 'startup' } })
    expect(first.result.events[0]).toHaveProperty('utcTime')
    expect(first.result.events[0]).toHaveProperty('upTime')
    for (let i = 0; i < RING_SIZE + 100; i++) d.log.emit('KeyPressed', { key: String(i % 10) })
    const all = await jsonOf(await api().fetch(`${base}/api/log/subscribe?include=all`))
    const pulled = await jsonOf(await api().fetch(`${base}/api/log/pull?id=${all.result.id}&timeout=0`))
    expect(pulled.result.events).toHaveLength(RING_SIZE)
    expect(pulled.result.events.at(-1).params.key).toBe(String((RING_SIZE + 99) % 10))
    // A pull with a timeout waits for the next event.
    const waiting = api().fetch(`${base}/api/log/pull?id=${all.result.id}&timeout=5`).then(jsonOf)
    setTimeout(() => d.log.emit('MotionDetected', { state: 'in' }), 100)
    expect((await waiting).result.events.map((e: { event: string }) => e.event)).toEqual(['MotionDetected'])
    // Events that need a privilege are hidden from accounts without it.
    d.accounts.push({ username: 'sysonly', password: 'Sys0nlyPw', privileges: ['system'] })
    const narrow = new DigestFetch('sysonly', 'Sys0nlyPw')
    const sub2 = await jsonOf(await narrow.fetch(`${base}/api/log/subscribe?include=all`))
    const seen = (await jsonOf(await narrow.fetch(`${base}/api/log/pull?id=${sub2.result.id}`))).result.events.map((e: { event: string }) => e.event)
    d.accounts.pop()
    expect(seen).toContain('MotionDetected')
    expect(seen).not.toContain('KeyPressed')
    expect((await jsonOf(await api().fetch(`${base}/api/log/unsubscribe?id=${all.result.id}`))).success).toBe(true)
    expect((await jsonOf(await api().fetch(`${base}/api/log/pull?id=${all.result.id}`))).error.code).toBe(12)
  })
})

describe('web login, lockout and My2N security code', () => {
  it('blocks an address after repeated failures and emits LoginBlocked', async () => {
    const other = bench.intercom(1)
    const url = `http://${other.ip}:${other.httpPort}/web/login`
    const attempt = (password: string) => fetch(url, { method: 'POST', body: JSON.stringify({ username: 'admin', password }) })
    for (let i = 0; i < 4; i++) expect((await attempt('wrong')).status).toBe(401)
    expect(other.log.events.some((e) => e.event === 'LoginBlocked')).toBe(false)
    expect((await attempt('wrong')).status).toBe(401)
    const blocked = other.log.events.find((e) => e.event === 'LoginBlocked')
    expect(blocked?.params.address).toBe('127.0.0.1')
    expect((await attempt(other.web.password)).status).toBe(403)
    await bench.advance(other.webLockout.blockMs + 1000)
    expect((await attempt(other.web.password)).status).toBe(200)
  })

  it('"Generate New" replaces the My2N security code', async () => {
    const { body } = await webLogin('admin', d.web.password)
    const s = body.result.session
    const before = (await web(s, 'GET', '/web/my2n')).body.result.securityCode
    expect(before).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/)
    const next = (await web(s, 'POST', '/web/my2n/generate')).body.result.securityCode
    expect(next).not.toBe(before)
    expect((await web(s, 'GET', '/web/my2n')).body.result.securityCode).toBe(next)
  })
})

describe('factory reset', () => {
  it('without section=network: admin/2n that must be changed, API accounts cleared, same address and certificate', async () => {
    const fp = (await httpsGet(`https://${d.ip}:${d.httpsPort}/api/system/info`)).fingerprint256
    expect((await jsonOf(await api().fetch(`${base}/api/config/factoryreset`))).success).toBe(true)
    await bench.advance(15_000)
    await waitFor(() => d.online, 6000, 'come back after reset')
    expect(d.ip).toBe('127.0.1.10')
    expect((await api().fetch(`${base}/api/system/status`)).status).toBe(401)
    const login = await webLogin('admin', '2n')
    expect(login.body.result.mustChangePassword).toBe(true)
    const s = login.body.result.session
    expect((await web(s, 'GET', '/web/my2n')).status).toBe(403)
    expect((await web(s, 'POST', '/web/password', { currentPassword: '2n', newPassword: 'short' })).body.error.code).toBe(12)
    expect((await web(s, 'POST', '/web/password', { currentPassword: '2n', newPassword: 'NewAdmin2026' })).body.success).toBe(true)
    expect((await web(s, 'GET', '/web/api-accounts')).body.result.accounts).toEqual([])
    expect((await web(s, 'PUT', '/web/api-accounts', { accounts: [{ username: 'console', password: 'C0nsole!pw', privileges: ['system'] }] })).body.success).toBe(true)
    expect((await jsonOf(await new DigestFetch('console', 'C0nsole!pw').fetch(`${base}/api/system/status`))).success).toBe(true)
    expect((await httpsGet(`https://${d.ip}:${d.httpsPort}/api/system/info`)).fingerprint256).toBe(fp)
  })

  it('with section=network: comes back at its default address with a new certificate', async () => {
    const fp = (await httpsGet(`https://${d.ip}:${d.httpsPort}/api/system/info`)).fingerprint256
    const client = new DigestFetch('console', 'C0nsole!pw')
    expect((await jsonOf(await client.fetch(`${base}/api/config/factoryreset?section=network`))).success).toBe(true)
    await bench.advance(15_000)
    await waitFor(() => d.online, 6000, 'come back after network reset')
    expect(d.ip).toBe(d.defaultIp)
    expect(d.ip).not.toBe('127.0.1.10')
    expect(await reachable(`${base}/api/system/info`)).toBe(false)
    const r = await httpsGet(`https://${d.ip}:${d.httpsPort}/api/system/info`)
    expect(JSON.parse(r.body).result.serialNumber).toBe(d.serial)
    expect(r.fingerprint256).not.toBe(fp)
    expect(bench.get(d.defaultIp)).toBe(d)
  })
})
