// NVR simulator, ISAPI side (nvr-reset.md §1, §7, §10): identity, dual Digest challenges,
// users and password change, config export/import, reboot, factory reset, ResponseStatus,
// and the Illegal Login Lock per client address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../bench'
import { parseXml } from '../core/xml'
import { X509Certificate } from 'node:crypto'
import http from 'node:http'
import { DigestFetch, digestAuthorization, httpsGet, splitChallenges, waitFor } from '../test-helpers'
import type { Nvr } from './nvr'

let bench: Bench
let n: Nvr
let base: string

beforeAll(async () => {
  bench = await startBench({ intercoms: 0, nvrs: 4, seed: 'isapi-test', hostBase: '127.0.2.', portMode: 'ephemeral', discovery: false, timing: { rebootMs: 200 }, nvrLockout: { tries: 3, lockSeconds: 60 } })
  n = bench.nvr(0)
  base = `http://${n.ip}:${n.httpPort}`
})
afterAll(async () => bench?.stop())

const admin = () => new DigestFetch(n.credentials.username, n.credentials.password)

describe('identity', () => {
  it('has a 20-character serial starting 210, a 2MN-8XXX model, a MAC and firmware, in deviceInfo XML', async () => {
    for (const d of bench.devices) {
      expect(d.serial).toMatch(/^210[0-9A-Z]{17}$/)
      expect(d.model).toMatch(/^2MN-8\d{3}-P\d+$/)
      expect(d.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/)
    }
    const r = await admin().fetch(`${base}/ISAPI/System/deviceInfo`)
    expect(r.status).toBe(200)
    const body = await r.text()
    expect(body).toContain('<DeviceInfo version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">')
    const x = parseXml(body)!.DeviceInfo
    expect(x).toMatchObject({ '@version': '2.0', model: n.model, serialNumber: n.serial, macAddress: n.mac, firmwareVersion: n.id.firmware, deviceType: 'NVR' })
  })
})

describe('HTTPS', () => {
  it('serves ISAPI over HTTPS with a self-signed certificate naming the serial', async () => {
    const ch = (await httpsGet(`https://${n.ip}:${n.httpsPort}/ISAPI/System/deviceInfo`))
    expect(ch.status).toBe(401)
    expect(ch.fingerprint256).toBe(n.cert.fingerprint256)
    expect(new X509Certificate(n.cert.cert).subject).toContain(`CN=${n.serial}`)
  })
})

describe('Digest', () => {
  it('sends two challenges, MD5 (no algorithm) and SHA-256, and accepts either', async () => {
    const r = await fetch(`${base}/ISAPI/System/deviceInfo`)
    expect(r.status).toBe(401)
    const raw: string[] = []
    r.headers.forEach((v, k) => { if (k === 'www-authenticate') raw.push(v) })
    const ch = splitChallenges(r.headers.get('www-authenticate'))
    expect(ch).toHaveLength(2)
    expect(ch[0]).not.toMatch(/algorithm/)
    expect(ch[1]).toContain('algorithm="SHA-256"')
    expect(await r.text()).toContain('<statusCode>4</statusCode>')
    for (const c of ch) {
      const auth = digestAuthorization(c, 'admin', n.credentials.password, 'GET', '/ISAPI/System/deviceInfo')
      expect((await fetch(`${base}/ISAPI/System/deviceInfo`, { headers: { Authorization: auth } })).status).toBe(200)
    }
  })
})

describe('users', () => {
  it('lists users and changes a password; weak passwords get a ResponseStatus error', async () => {
    const list = parseXml(await (await admin().fetch(`${base}/ISAPI/Security/users`)).text())!.UserList.User
    expect(list.map((u: { userName: string }) => u.userName)).toEqual(['admin', 'operator'])
    const put = (pw: string) => admin().fetch(`${base}/ISAPI/Security/users/2`, { method: 'PUT', body: `<User><id>2</id><userName>operator</userName><userLevel>Operator</userLevel><password>${pw}</password></User>` })
    const weak = await put('1234')
    expect(weak.status).toBe(400)
    expect(await weak.text()).toMatch(/<statusCode>6<\/statusCode>[\s\S]*<subStatusCode>riskPassword<\/subStatusCode>/)
    expect((await put('Operator2026')).status).toBe(200)
    expect((await new DigestFetch('operator', 'Operator2026').fetch(`${base}/ISAPI/System/deviceInfo`)).status).toBe(200)
    // An operator may not reboot.
    expect((await new DigestFetch('operator', 'Operator2026').fetch(`${base}/ISAPI/System/reboot`, { method: 'PUT' })).status).toBe(403)
    expect((await admin().fetch(`${base}/ISAPI/Security/users/9`)).status).toBe(404)
  })
})

describe('configuration export and import', () => {
  it('exports an opaque blob and imports it only with the same secret key', async () => {
    const exp = await admin().fetch(`${base}/ISAPI/System/configurationData?secretkey=k3y`)
    expect(exp.headers.get('content-type')).toBe('application/octet-stream')
    const blob = Buffer.from(await exp.arrayBuffer())
    expect(blob.includes(Buffer.from('operator'))).toBe(false)
    const other = bench.nvr(1)
    const otherUrl = `http://${other.ip}:${other.httpPort}/ISAPI/System/configurationData`
    const client = new DigestFetch('admin', other.credentials.password)
    const bad = await client.fetch(`${otherUrl}?secretkey=wrong`, { method: 'PUT', body: blob })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('badConfigurationData')
    expect((await client.fetch(`${otherUrl}?secretkey=${'x'.repeat(17)}`, { method: 'PUT', body: blob })).status).toBe(400)
    const good = await client.fetch(`${otherUrl}?secretkey=k3y`, { method: 'PUT', body: blob })
    expect(await good.text()).toContain('<statusCode>7</statusCode>')
    await waitFor(() => other.online, 3000)
    await waitFor(() => other.passwordOf('admin') === n.credentials.password, 3000, 'imported users')
  })
})

describe('Illegal Login Lock', () => {
  it('locks the client address after the configured number of failures and reports it', async () => {
    const d = bench.nvr(2)
    const url = `http://${d.ip}:${d.httpPort}/ISAPI/Security/userCheck`
    const bad = new DigestFetch('admin', 'wrong')
    const first = await bad.fetch(url)
    expect(first.status).toBe(401)
    expect(await first.text()).toMatch(/<lockStatus>unlock<\/lockStatus>[\s\S]*<retryLoginTime>2<\/retryLoginTime>/)
    await bad.fetch(url)
    const third = await bad.fetch(url)
    expect(third.status).toBe(403)
    expect(await third.text()).toMatch(/<lockStatus>lock<\/lockStatus>\s*<unlockTime>60<\/unlockTime>/)
    // Even the right password is refused while locked, and other endpoints say why.
    const good = new DigestFetch('admin', d.credentials.password)
    const info = await good.fetch(`http://${d.ip}:${d.httpPort}/ISAPI/System/deviceInfo`)
    expect(info.status).toBe(403)
    expect(await info.text()).toMatch(/<errorCode>1073741830<\/errorCode>/)
    expect(d.lockout.locked().map((l) => l.address)).toEqual(['127.0.0.1'])
    await bench.advance(61_000)
    const ok = await good.fetch(url)
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('<retryLoginTime>3</retryLoginTime>')
  })

  it('locks only the client address that failed: another source address can still log in', async () => {
    const d = bench.nvr(3)
    const path = '/ISAPI/Security/userCheck'
    // A Digest GET from a chosen loopback source address (both are on lo: 127.0.0.0/8).
    const get = (from: string, password: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const once = (headers: http.OutgoingHttpHeaders, then: (res: http.IncomingMessage, body: string) => void) => {
        const rq = http.request({ host: d.ip, port: d.httpPort, path, localAddress: from, headers, agent: false }, (res) => {
          let body = ''
          res.on('data', (c) => (body += c))
          res.on('end', () => then(res, body))
        })
        rq.on('error', reject)
        rq.end()
      }
      once({}, (res, body) => {
        const ch = splitChallenges(res.headers['www-authenticate'] as string | undefined ?? null)[0]
        if (!ch) return resolve({ status: res.statusCode ?? 0, body })
        once({ Authorization: digestAuthorization(ch, 'admin', password, 'GET', path) }, (r2, b2) => resolve({ status: r2.statusCode ?? 0, body: b2 }))
      })
    })
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await get('127.0.0.50', 'wrong')).status)
    expect(statuses).toEqual([401, 401, 403])
    expect(d.lockout.locked().map((l) => l.address)).toEqual(['127.0.0.50'])
    // The locked address is refused even with the right password ...
    const locked = await get('127.0.0.50', d.credentials.password)
    expect(locked.status).toBe(403)
    expect(locked.body).toContain('<lockStatus>lock</lockStatus>')
    // ... while another address logs in, with its full count of tries.
    const other = await get('127.0.0.51', d.credentials.password)
    expect(other.status).toBe(200)
    expect(other.body).toMatch(/<lockStatus>unlock<\/lockStatus>[\s\S]*<retryLoginTime>3<\/retryLoginTime>/)
    expect(d.lockout.locked().map((l) => l.address)).toEqual(['127.0.0.50'])
  })

  it('reads and changes the lock settings within the documented ranges', async () => {
    const d = bench.nvr(2)
    const url = `http://${d.ip}:${d.httpPort}/ISAPI/Security/illegalLoginLock`
    const c = new DigestFetch('admin', d.credentials.password)
    expect(await (await c.fetch(url)).text()).toContain('<maxIllegalLoginTimes>3</maxIllegalLoginTimes>')
    expect((await c.fetch(url, { method: 'PUT', body: '<IllegalLoginLock><enabled>true</enabled><maxIllegalLoginTimes>11</maxIllegalLoginTimes><lockTime>600</lockTime></IllegalLoginLock>' })).status).toBe(400)
    expect((await c.fetch(url, { method: 'PUT', body: '<IllegalLoginLock><enabled>true</enabled><maxIllegalLoginTimes>5</maxIllegalLoginTimes><lockTime>120</lockTime></IllegalLoginLock>' })).status).toBe(200)
    expect(d.lockout.settings).toEqual({ enabled: true, tries: 5, lockSeconds: 120 })
  })
})

describe('maintenance', () => {
  it('reboots on PUT /ISAPI/System/reboot and refuses the CVE-2017-7921 path', async () => {
    expect((await fetch(`${base}/System/configurationFile?auth=YWRtaW46MTEK`)).status).toBe(401)
    expect((await admin().fetch(`${base}/ISAPI/System/reboot`, { method: 'PUT' })).status).toBe(200)
    await waitFor(() => !n.online, 2000, 'reboot')
    await waitFor(() => n.online, 3000, 'back')
  })

  it('factory reset full: factory password, extra users gone, back at the default address', async () => {
    const d = bench.nvr(1)
    const c = new DigestFetch('admin', d.credentials.password)
    expect((await c.fetch(`http://${d.ip}:${d.httpPort}/ISAPI/System/factoryReset?mode=everything`, { method: 'PUT' })).status).toBe(400)
    expect((await c.fetch(`http://${d.ip}:${d.httpPort}/ISAPI/System/factoryReset?mode=full`, { method: 'PUT' })).status).toBe(200)
    await waitFor(() => d.ip === d.defaultIp && d.online, 3000, 'reset')
    const r = await new DigestFetch('admin', '123456').fetch(`http://${d.ip}:${d.httpPort}/ISAPI/Security/users`)
    expect(await r.text()).not.toContain('operator')
  })
})
