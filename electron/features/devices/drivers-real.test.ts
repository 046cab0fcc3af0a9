// Issue 16: the drivers against the forms real devices use, not the lab's old quirks —
// 2N services on Basic or Digest as the device's System setting says (config and factory
// reset are System functions), a scheme changed on the device between calls, replies with
// fields the console does not know; ONVIF faults with nested SOAP 1.2 subcodes (password too
// weak, not authorised, action not supported) and the MAC from GetNetworkInterfaces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import { OnvifClient, onvifFault } from './nvr'
import { TwoNClient, verifyTwoNConfig } from './twon'

let bench: Bench
beforeAll(async () => {
  bench = await startBench({ intercoms: 1, nvrs: 1, seed: 'drivers-real-test', hostBase: '127.0.165.', portMode: 'ephemeral', discovery: false, nvrLockout: { tries: 20 } })
})
afterAll(async () => bench?.stop())

const twoN = (creds?: { username: string; password: string }) => {
  const d = bench.intercom(0)
  return new TwoNClient({ host: d.ip, httpPort: d.httpPort, httpsPort: null, timeoutMs: 3000 }, creds ?? d.info().credentials)
}

describe('2N driver and the device settings', () => {
  it('System on Basic: status, configuration download and factory-reset path all go with Basic, one login, no rejection', async () => {
    const d = bench.intercom(0)
    d.services.system = { ...d.services.system, auth: 'basic' }
    try {
      const c = twoN()
      let rejected = 0
      c.onRejected = () => rejected++
      expect((await c.status()).upTime).toBeGreaterThanOrEqual(0)
      expect(verifyTwoNConfig(await c.downloadConfig(), d.serial).ok).toBe(true)
      expect(rejected).toBe(0)
      // A wrong password on Basic is one rejection, never re-sent.
      const bad = twoN({ username: 'api', password: 'wrong' })
      await expect(bad.downloadConfig()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
      const fails = d.apiFails.get('127.0.0.1') ?? 0
      await expect(bad.status()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
      expect(d.apiFails.get('127.0.0.1') ?? 0).toBe(fails)
    } finally {
      d.services.system = { ...d.services.system, auth: 'digest' }
    }
  })

  it('the device switches System from Digest to Basic between two calls: the client follows once (error 8), no rejection', async () => {
    const d = bench.intercom(0)
    const c = twoN()
    let rejected = 0
    c.onRejected = () => rejected++
    expect((await c.status()).upTime).toBeGreaterThanOrEqual(0)
    d.services.system = { ...d.services.system, auth: 'basic' }
    try {
      expect(verifyTwoNConfig(await c.downloadConfig(), d.serial).ok).toBe(true)
      expect((await c.status()).upTime).toBeGreaterThanOrEqual(0)
      expect(rejected).toBe(0)
    } finally {
      d.services.system = { ...d.services.system, auth: 'digest' }
    }
  })

  it('accepts replies carrying fields it does not know (newer firmware)', async () => {
    const d = bench.intercom(0)
    d.quirks.newerFirmwareFields = true
    try {
      const raw = JSON.parse(await (await fetch(`http://${d.ip}:${d.httpPort}/api/system/info`)).text())
      expect(raw).toMatchObject({ apiVersion: '3.9', result: { futureOptions: { level: 2 } } })
      const c = twoN()
      expect(await c.info()).toMatchObject({ serialNumber: d.serial, macAddr: d.mac })
      expect((await c.status()).upTime).toBeGreaterThanOrEqual(0)
    } finally {
      d.quirks.newerFirmwareFields = false
    }
  })
})

describe('ONVIF driver and real SOAP 1.2 faults', () => {
  const client = (password?: string) => {
    const n = bench.nvr(0)
    return new OnvifClient(new URL(n.xaddr()), { username: 'admin', password: password ?? n.info().credentials.password }, { timeoutMs: 3000 })
  }

  it('reads the MAC from GetNetworkInterfaces; a device without the operation gives no MAC rather than an error', async () => {
    const n = bench.nvr(0)
    expect(await client().info()).toMatchObject({ serial: n.serial, mac: n.mac })
    n.onvif.unsupported = ['GetNetworkInterfaces']
    try {
      expect(await client().info()).toMatchObject({ serial: n.serial, mac: '' })
    } finally {
      n.onvif.unsupported = []
    }
  })

  it('password too weak (Sender / OperationProhibited / PasswordTooWeak, nested) is reported as such and is not a rejected login', async () => {
    const c = client()
    let rejected = 0
    c.onRejected = () => rejected++
    await expect(c.setPassword('admin', '1')).rejects.toMatchObject({ code: 'DEVICE', message: expect.stringContaining('too weak'), hint: expect.stringContaining('8 characters') })
    expect(rejected).toBe(0)
    expect((await c.info()).serial).toBe(bench.nvr(0).serial)
  })

  it('not authorised (Sender / NotAuthorized) is a rejected login, counted once', async () => {
    const n = bench.nvr(0)
    n.lockout.clear()
    const c = client('wrong-password')
    let rejected = 0
    c.onRejected = () => rejected++
    await expect(c.info()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    await expect(c.reboot()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(rejected).toBe(1)
    expect(n.lockout.remaining('127.0.0.1')).toBe(19)
    n.lockout.clear()
  })

  it('a WS-Security-only device (Digest off: 400 + ter:NotAuthorized, no challenge) is served by WS-UsernameToken; a wrong password is one rejection', async () => {
    const n = bench.nvr(0)
    n.onvif.auth = 'wsse'
    n.lockout.clear()
    try {
      const good = client()
      expect(await good.info()).toMatchObject({ serial: n.serial, mac: n.mac })
      expect(good.authMode).toBe('wsse')
      const bad = client('wrong-password')
      let rejected = 0
      bad.onRejected = () => rejected++
      await expect(bad.info()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
      await expect(bad.info()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
      expect(rejected).toBe(1)
      expect(n.lockout.remaining('127.0.0.1')).toBe(19)
    } finally {
      n.onvif.auth = 'any'
      n.lockout.clear()
    }
  })

  it('action not supported (Receiver / ActionNotSupported) says the device lacks the operation', async () => {
    await expect(client().call('GetZeroConfiguration', '<tds:GetZeroConfiguration/>', 'Reading zero configuration')).rejects.toMatchObject({ code: 'DEVICE', message: expect.stringContaining('does not support this ONVIF operation') })
  })

  it('reads subcodes at every level, and the flat form some stacks write', () => {
    expect(onvifFault('x', 'r', 'SOAP-ENV:Sender / ter:OperationProhibited / ter:PasswordTooWeak').message).toContain('too weak')
    expect(onvifFault('x', 'r', 'SOAP-ENV:Sender / ter:OperationProhibited/ter:PasswordTooWeak').message).toContain('too weak')
    expect(onvifFault('x', 'r', 'env:Receiver / ter:ActionNotSupported').subcodes).toEqual(['Receiver', 'ActionNotSupported'])
  })
})
