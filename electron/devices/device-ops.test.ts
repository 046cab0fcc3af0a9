// Device operations against the lab bench on loopback (127.0.44.0/24): discovery into the
// inventory, backups with verification, the safety refusals, lockout discipline, TLS pinning,
// and the 2N "move" chain backup → factory reset → rediscovery at the new address → login
// with the default credentials → new password.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../lab/bench'
import { makeCert } from '../../lab/core/cert'
import { App } from '../core/app'
import { memoryKeyProvider } from '../core/secret-box'
import { DeviceOps } from './device-ops'

let bench: Bench
let app: App
let ops: DeviceOps
let dir: string
let ticket: number

const BASE = '127.0.44.'
const CIDR = '127.0.44.0/24'

beforeAll(async () => {
  bench = await startBench({ intercoms: 3, nvrs: 1, seed: 'device-ops-test', hostBase: BASE, portMode: 'standard', timing: { applyDelayMs: 300, rebootMs: 400 }, nvrLockout: { tries: 3 }, intercomWebLockout: { tries: 3, blockMs: 60_000 } })
  dir = mkdtempSync(join(tmpdir(), 'sc-devops-'))
  app = new App({ dataDir: dir, host: 'browser', keys: memoryKeyProvider() })
  ops = new DeviceOps(app)
  ticket = (await app.tickets.create({ externalRef: 'ZD-1', customerName: 'Lab', contact: '', deviceSerial: '', deviceModel: '', procedure: 'my2n-move', notes: '' })).id
})
afterAll(async () => {
  await bench?.stop()
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

const intercom = (i: number) => bench.devices.filter((d) => d.kind === 'intercom')[i]
const nvr = () => bench.devices.find((d) => d.kind === 'nvr')!

async function scanAll() {
  const scan = ops.startScan({ ifaces: ['lo'], cidr: CIDR, timeoutS: 10, protocols: ['wsd', 'http-2n', 'isapi', 'onvif'] })
  return scan.done
}

describe('discovery into the inventory', () => {
  it('finds every bench device once, merged across protocols, and records them', async () => {
    const s = await scanAll()
    const mine = s.devices.filter((d) => d.addresses.some((a) => a.startsWith(BASE)))
    for (const d of bench.devices.filter((x) => x.kind === 'intercom')) {
      const hits = mine.filter((m) => m.serial === d.serial)
      expect(hits).toHaveLength(1)
      expect(hits[0].protocols).toContain('http-2n')
      expect(hits[0].deviceId).not.toBeNull()
    }
    // The NVR answers WS-Discovery, ISAPI (challenge) and ONVIF: one entry, not three.
    const n = mine.filter((m) => m.ip === nvr().ip)
    expect(n).toHaveLength(1)
    expect(n[0].protocols).toEqual(expect.arrayContaining(['wsd', 'isapi', 'onvif']))
    expect(n[0].needsCredentials).toBe(true)
    expect(s.diagnosticList.some((d) => d.kind === 'needs-credentials' && d.ip === nvr().ip)).toBe(true)
    const inv = await ops.repo.list()
    expect(inv.filter((d) => d.serial === intercom(0).serial)).toHaveLength(1)
  })

  it('adds an NVR by address with credentials and learns its serial through ISAPI', async () => {
    const n = nvr()
    const r = await ops.addByAddress({ address: n.ip, username: n.credentials.username, password: n.credentials.password })
    expect(r.device?.serial).toBe(n.serial)
    expect(r.device?.hasCredentials).toBe(true)
    // Credentials never come back out of the contract types.
    expect(JSON.stringify(r.device)).not.toContain(n.credentials.password)
    // A second scan merges the NVR's WS-Discovery endpoint into the same inventory entry.
    await scanAll()
    expect((await ops.repo.list()).filter((d) => d.ip === n.ip)).toHaveLength(1)
  })
})

describe('lockout discipline', () => {
  it('sends a wrong NVR password once and never again (the device counts one failure)', async () => {
    const n = nvr()
    const d = (await ops.repo.findBySerial(n.serial))!
    await ops.setCredentials(d.id, 'admin', 'wrong-password-1')
    const before = bench.nvr(0).lockout.remaining('127.0.0.1')
    await expect(ops.info(d.id)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    for (let i = 0; i < 5; i++) await expect(ops.info(d.id)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(bench.nvr(0).lockout.remaining('127.0.0.1')).toBe(before - 1)
    expect(bench.nvr(0).lockout.lockedFor('127.0.0.1')).toBe(0)
    // Right password: works, and the failure counter is reset by the device.
    await ops.setCredentials(d.id, n.credentials.username, n.credentials.password)
    expect((await ops.info(d.id)).serial).toBe(n.serial)
  })

  it('2N web login: a rejected password is not sent twice; a block is reported, not retried', async () => {
    const d = intercom(2)
    const at = { host: d.ip }
    expect(await ops.port.checkLogin(at, { username: 'admin', password: 'nope-1' }, { ticketId: ticket })).toBe(false)
    await expect(ops.port.checkLogin(at, { username: 'admin', password: 'nope-1' }, { ticketId: ticket })).rejects.toMatchObject({ code: 'LOCKOUT_RISK' })
    expect(bench.intercom(2).webFails.get('127.0.0.1')?.count).toBe(1)
  })
})

describe('backup and the safety refusals', () => {
  it('backs up a 2N configuration, verified by parsing and serial', async () => {
    const d0 = intercom(0)
    const dev = (await ops.repo.findBySerial(d0.serial))!
    await ops.setCredentials(dev.id, d0.credentials.username, d0.credentials.password)
    const b = await ops.backup(dev.id, ticket)
    expect(b.verified).toBe(true)
    expect(b.serial).toBe(d0.serial)
    expect(b.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(b.size).toBeGreaterThan(100)
    expect(b.verifyDetail).toContain(d0.serial)
    // HTTPS was used and its certificate pinned on first use.
    expect((await ops.repo.get(dev.id)).pinnedFingerprint).toBe(bench.intercom(0).cert.fingerprint256)
  })

  it('refuses destructive operations without a verified backup in this ticket or with a wrong serial', async () => {
    const d1 = intercom(1)
    const dev = (await ops.repo.findBySerial(d1.serial))!
    await ops.setCredentials(dev.id, d1.credentials.username, d1.credentials.password)
    await expect(ops.factoryReset(dev.id, { ticketId: ticket, confirmSerial: d1.serial })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('No verified backup') })
    await ops.backup(dev.id, ticket)
    await expect(ops.factoryReset(dev.id, { ticketId: ticket, confirmSerial: '00-0000-0000' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('not the serial') })
    const other = (await app.tickets.create({ externalRef: 'ZD-2', customerName: 'Other', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' })).id
    await expect(ops.setPassword(dev.id, { ticketId: other, confirmSerial: d1.serial, currentPassword: 'x', newPassword: 'Abcdefg123' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(ops.restore(dev.id, { ticketId: other, backupId: 1, confirmSerial: d1.serial })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const refusals = await ops.repo.auditFor([d1.serial])
    expect(refusals.filter((a) => a.outcome === 'refused').length).toBeGreaterThanOrEqual(4)
    // Nothing happened on the device.
    expect(bench.intercom(1).web.password).not.toBe('2n')
  })

  it('refuses a changed HTTPS certificate until the agent accepts it, sending nothing', async () => {
    const d1 = intercom(1)
    const sim = bench.intercom(1)
    const dev = (await ops.repo.findBySerial(d1.serial))!
    await ops.info(dev.id)
    const pinned = (await ops.repo.get(dev.id)).pinnedFingerprint
    expect(pinned).toBe(sim.cert.fingerprint256)
    const fresh = await makeCert(d1.serial, d1.ip)
    sim.host.setCertificate(fresh.key, fresh.cert)
    await expect(ops.status(dev.id)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining(fresh.fingerprint256) })
    await ops.trustCertificate(dev.id, fresh.fingerprint256)
    expect((await ops.status(dev.id)).online).toBe(true)
  })
})

describe('2N move chain', () => {
  it('backup → factory reset → rediscovery at the new address → admin/2n → new password', async () => {
    const d0 = intercom(0)
    const sim = bench.intercom(0)
    const dev = (await ops.repo.findBySerial(d0.serial))!
    const oldIp = dev.ip
    const r = await ops.factoryReset(dev.id, { ticketId: ticket, confirmSerial: d0.serial })
    expect(r.ok).toBe(true)
    const found = await ops.waitForDevice(d0.serial, { ifaces: ['lo'], cidr: CIDR, deadlineMs: 20_000 })
    expect(found?.id).toBe(dev.id)
    expect(found?.ip).toBe(sim.defaultIp)
    expect(found?.ip).not.toBe(oldIp)
    const detail = await ops.detail(dev.id)
    expect(detail.addresses.map((a) => a.ip)).toEqual(expect.arrayContaining([oldIp, sim.defaultIp]))
    const at = { host: found!.ip }
    expect(await ops.port.checkLogin(at, { username: 'admin', password: '2n' }, { ticketId: ticket })).toBe(true)
    await ops.setPassword(dev.id, { ticketId: ticket, confirmSerial: d0.serial, username: 'admin', currentPassword: '2n', newPassword: 'NewStrong-Pass1' })
    // The new certificate after the console's own reset was accepted without asking.
    expect((await ops.repo.get(dev.id)).pinnedFingerprint).toBe(sim.cert.fingerprint256)
    expect(await ops.port.checkLogin(at, { username: 'admin', password: 'NewStrong-Pass1' }, { ticketId: ticket })).toBe(true)
    expect(await ops.port.checkLogin(at, { username: 'admin', password: '2n' }, { ticketId: ticket })).toBe(false)
    // The console kept API access with the new password (an API account was created).
    expect((await ops.status(dev.id)).online).toBe(true)
    const actions = (await ops.detail(dev.id)).audit.map((a) => `${a.action}:${a.outcome}`)
    expect(actions).toEqual(expect.arrayContaining(['devices.backup:ok', 'devices.factoryReset:ok', 'devices.rediscovered:info', 'devices.setPassword:ok']))
  }, 40_000)
})

describe('NVR chain', () => {
  it('encrypted ISAPI backup, restore, full factory reset and rediscovery by its WS-Discovery endpoint', async () => {
    const n = nvr()
    const sim = bench.nvr(0)
    const dev = (await ops.repo.findBySerial(n.serial))!
    await ops.setCredentials(dev.id, n.credentials.username, n.credentials.password)
    const b = await ops.backup(dev.id, ticket)
    expect(b).toMatchObject({ verified: true, serial: n.serial, format: 'isapi-configurationData' })
    // The export key is stored sealed with the backup, never in clear.
    const sealed = app.db.prepare('SELECT secret_sealed FROM device_backups WHERE id = ?').pluck().get(b.id) as string
    expect(sealed).toMatch(/^v1:/)
    const r = await ops.restore(dev.id, { ticketId: ticket, backupId: b.id, confirmSerial: n.serial })
    expect(r.ok).toBe(true)
    await new Promise((res) => setTimeout(res, 1200)) // the NVR reboots after an import
    const reset = await ops.factoryReset(dev.id, { ticketId: ticket, confirmSerial: n.serial })
    expect(reset.ok).toBe(true)
    const found = await ops.waitForDevice(n.serial, { ifaces: ['lo'], cidr: CIDR, deadlineMs: 20_000 })
    expect(found?.id).toBe(dev.id)
    expect(found?.ip).toBe(sim.defaultIp)
    expect(await ops.port.checkLogin({ host: sim.defaultIp }, { username: 'admin', password: sim.factoryPassword }, { ticketId: ticket })).toBe(true)
  }, 40_000)
})

