// The 2N, ISAPI and ONVIF clients against the lab bench (127.0.49.0/24): authentication
// chosen from the challenge, stale nonces, error codes in words, the ONVIF clock offset,
// ONVIF HTTP Digest when the device refuses WS-UsernameToken, and one attempt per credential.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import { Merger } from '../discovery/merge'
import { IsapiClient, OnvifClient } from './nvr'
import { TwoNClient, verifyTwoNConfig } from './twon'

let bench: Bench
beforeAll(async () => {
  bench = await startBench({ intercoms: 2, nvrs: 1, seed: 'drivers-test', hostBase: '127.0.49.', portMode: 'standard', discovery: false, timing: { nonceTtlMs: 300 }, nvrLockout: { tries: 4 } })
})
afterAll(async () => bench?.stop())

const ep = (ip: string, https = false) => ({ host: ip, httpPort: 80, httpsPort: https ? 443 : null, timeoutMs: 3000 })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('2N client', () => {
  it('uses Digest when the device asks for it and survives a stale nonce without a new login', async () => {
    const d = bench.intercom(0)
    const c = new TwoNClient(ep(d.ip), d.info().credentials)
    let rejected = 0
    c.onRejected = () => rejected++
    expect((await c.status()).upTime).toBeGreaterThanOrEqual(0)
    await sleep(400) // the nonce expires (nonceTtlMs 300): the device answers stale=true
    expect((await c.status()).upTime).toBeGreaterThanOrEqual(0)
    expect(rejected).toBe(0)
  })

  it('moves to HTTPS when a service is HTTPS-only (error 7)', async () => {
    const d = bench.intercom(1)
    d.services.system = { ...d.services.system, transport: 'https' }
    try {
      const c = new TwoNClient({ host: d.ip, httpPort: 80, httpsPort: null, timeoutMs: 3000 }, d.info().credentials)
      expect((await c.status()).upTime).toBeGreaterThanOrEqual(0)
      expect(c.lastFingerprint).toBe(d.cert.fingerprint256)
    } finally {
      d.services.system = { ...d.services.system, transport: 'http' }
    }
  })

  it('uses Basic when that is the only scheme offered', async () => {
    const d = bench.intercom(1)
    d.services.system = { ...d.services.system, auth: 'basic' }
    try {
      const c = new TwoNClient(ep(d.ip), d.info().credentials)
      expect((await c.status()).systemTime).toBeGreaterThan(0)
    } finally {
      d.services.system = { ...d.services.system, auth: 'digest' }
    }
  })

  it('turns error codes into words and stops after one rejected password', async () => {
    const d = bench.intercom(1)
    d.services.system = { ...d.services.system, enabled: false }
    try {
      const c = new TwoNClient(ep(d.ip), d.info().credentials)
      await expect(c.downloadConfig()).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('disabled on the device') })
    } finally {
      d.services.system = { ...d.services.system, enabled: true }
    }
    const bad = new TwoNClient(ep(d.ip), { username: 'api', password: 'wrong' })
    await expect(bad.status()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    // The same client never sends the rejected password again.
    await expect(bad.status()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('rejected') })
    // The web admin's login on the API: the error names the likely cause (API accounts are separate).
    const web = new TwoNClient(ep(d.ip), d.info().web!)
    await expect(web.status()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('HTTP API has its own accounts (web interface → Services → HTTP API → Account), separate from the web admin login: if this is the web admin’s login (e.g. admin), that is the likely cause.') })
  })

  it('field quirk: a login page instead of the configuration is handled without a second attempt', async () => {
    const d = bench.intercom(0)
    d.quirks.configLoginPage = true
    try {
      const ok = await new TwoNClient(ep(d.ip), d.info().credentials).downloadConfig()
      expect(verifyTwoNConfig(ok, d.serial).ok).toBe(true)
      const bad = new TwoNClient(ep(d.ip), { username: 'api', password: 'wrong' })
      let rejected = 0
      bad.onRejected = () => rejected++
      await expect(bad.downloadConfig()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('login page') })
      await expect(bad.downloadConfig()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
      expect(rejected).toBe(1)
    } finally {
      d.quirks.configLoginPage = false
    }
  })

  it('verifies a configuration by parsing and serial', async () => {
    const d = bench.intercom(0)
    const xml = await new TwoNClient(ep(d.ip, true), d.info().credentials).downloadConfig()
    expect(verifyTwoNConfig(xml, d.serial)).toMatchObject({ ok: true, serial: d.serial })
    expect(verifyTwoNConfig(xml, '00-0000-0001').ok).toBe(false)
    expect(verifyTwoNConfig(Buffer.from('<html>login</html>'), d.serial).ok).toBe(false)
    expect(verifyTwoNConfig(Buffer.from('<<<'), d.serial).ok).toBe(false)
  })
})

describe('NVR clients', () => {
  it('ISAPI: Digest from the dual challenge, identity, one failure counted for a wrong password', async () => {
    const n = bench.nvr(0)
    const good = new IsapiClient(ep(n.ip), n.info().credentials)
    expect((await good.info()).serial).toBe(n.serial)
    const before = n.lockout.remaining('127.0.0.1')
    const bad = new IsapiClient(ep(n.ip), { username: 'admin', password: 'nope' })
    for (let i = 0; i < 5; i++) await expect(bad.info()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(n.lockout.remaining('127.0.0.1')).toBe(before - 1)
    await good.info() // a success resets the device's counter
  })

  it('ISAPI: a lock signalled by the device is reported as LOCKOUT_RISK, not retried', async () => {
    const n = bench.nvr(0)
    for (let i = 0; i < 4; i++) await expect(new IsapiClient(ep(n.ip), { username: 'admin', password: `x${i}` }).info()).rejects.toBeTruthy()
    await expect(new IsapiClient(ep(n.ip), n.info().credentials).info()).rejects.toMatchObject({ code: 'LOCKOUT_RISK' })
    n.lockout.clear()
  })

  it('ONVIF: WS-UsernameToken with the device clock offset works on a device two hours off', async () => {
    const n = bench.nvr(0)
    n.clockSkew(7200)
    try {
      const c = new OnvifClient(new URL(n.xaddr()), n.info().credentials, { timeoutMs: 3000 })
      expect(Math.round((await c.timeOffset()) / 1000 / 60)).toBe(120)
      expect((await c.info()).serial).toBe(n.serial)
      // A device that takes both gets WS-UsernameToken, never a Digest round trip.
      expect(c.authMode).toBe('wsse')
      const bad = new OnvifClient(new URL(n.xaddr()), { username: 'admin', password: 'nope' }, { timeoutMs: 3000 })
      const before = n.lockout.remaining('127.0.0.1')
      await expect(bad.info()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
      await expect(bad.info()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
      expect(n.lockout.remaining('127.0.0.1')).toBe(before - 1)
    } finally {
      n.clockSkew(0)
      n.lockout.clear()
    }
  })
})

describe('ONVIF HTTP Digest', () => {
  it('a device that refuses WS-UsernameToken is answered with Digest from its 401 challenge, and keeps getting Digest', async () => {
    const n = bench.nvr(0)
    n.lockout.clear()
    n.onvif.auth = 'digest'
    try {
      const tries = n.lockout.remaining('127.0.0.1')
      const c = new OnvifClient(new URL(n.xaddr()), n.info().credentials, { timeoutMs: 3000 })
      let rejected = 0
      c.onRejected = () => rejected++
      expect((await c.info()).serial).toBe(n.serial)
      expect(c.authMode).toBe('digest')
      // The ignored token was not a failed login on the device.
      expect(n.lockout.remaining('127.0.0.1')).toBe(tries)
      await sleep(400) // the nonce expires (nonceTtlMs 300): the device answers with a fresh challenge
      expect((await c.info()).serial).toBe(n.serial)
      expect(rejected).toBe(0)
      expect(n.lockout.remaining('127.0.0.1')).toBe(tries)
    } finally {
      n.onvif.auth = 'any'
      n.lockout.clear()
    }
  })

  it('a wrong password is answered to one challenge only: one failure on the device, never sent again', async () => {
    const n = bench.nvr(0)
    n.lockout.clear()
    n.onvif.auth = 'digest'
    try {
      const tries = n.lockout.remaining('127.0.0.1')
      const bad = new OnvifClient(new URL(n.xaddr()), { username: 'admin', password: 'nope' }, { timeoutMs: 3000 })
      let rejected = 0
      bad.onRejected = () => rejected++
      await expect(bad.info()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('rejected') })
      await expect(bad.reboot()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
      expect(rejected).toBe(1)
      expect(n.lockout.remaining('127.0.0.1')).toBe(tries - 1)
      expect(n.online).toBe(true)
    } finally {
      n.onvif.auth = 'any'
      n.lockout.clear()
    }
  })

  it('a lock signalled while answering Digest stops the client (LOCKOUT_RISK), without further tries', async () => {
    const n = bench.nvr(0)
    n.lockout.clear()
    n.onvif.auth = 'digest'
    try {
      for (let i = 0; i < 4; i++) await expect(new OnvifClient(new URL(n.xaddr()), { username: 'admin', password: `x${i}` }, { timeoutMs: 3000 }).info()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
      expect(n.lockout.lockedFor('127.0.0.1')).toBeGreaterThan(0)
      await expect(new OnvifClient(new URL(n.xaddr()), n.info().credentials, { timeoutMs: 3000 }).info()).rejects.toMatchObject({ code: 'LOCKOUT_RISK' })
    } finally {
      n.onvif.auth = 'any'
      n.lockout.clear()
    }
  })
})

describe('merging across adapters', () => {
  it('one device answering on two adapters is listed once, with both', () => {
    const ifaces = [
      { name: 'eth0', address: '192.168.1.10', netmask: '255.255.255.0', cidr: '192.168.1.0/24', mac: '', internal: false },
      { name: 'wlan0', address: '192.168.1.11', netmask: '255.255.255.0', cidr: '192.168.1.0/24', mac: '', internal: false },
    ]
    const m = new Merger(ifaces)
    m.add({ protocol: 'wsd', ip: '192.168.1.64', iface: 'eth0', uuid: 'urn:uuid:1' })
    m.add({ protocol: 'wsd', ip: '192.168.1.64', iface: 'wlan0', uuid: 'urn:uuid:1' })
    m.add({ protocol: 'sadp', ip: '192.168.1.64', iface: 'wlan0', serial: 'DS-1', mac: '44-19-b6-00-00-01' })
    m.add({ protocol: 'isapi', ip: '192.168.1.64', iface: 'eth0', serial: 'DS-1', model: 'DS-7608NI', kind: 'nvr' })
    // A different device at another address with another serial stays separate.
    m.add({ protocol: 'isapi', ip: '192.168.1.65', iface: 'eth0', serial: 'DS-2' })
    const list = m.list()
    expect(list).toHaveLength(2)
    expect(list[0]).toMatchObject({ serial: 'DS-1', mac: '44:19:B6:00:00:01', kind: 'nvr', model: 'DS-7608NI', sameSubnet: true })
    expect(list[0].ifaces.sort()).toEqual(['eth0', 'wlan0'])
  })

  it('never merges two devices with different serials, even at the same address', () => {
    const m = new Merger([])
    m.add({ protocol: 'http-2n', ip: '10.0.0.5', iface: 'x', serial: '54-0000-0001' })
    m.add({ protocol: 'http-2n', ip: '10.0.0.5', iface: 'x', serial: '54-0000-0002' })
    expect(m.list()).toHaveLength(2)
  })
})
