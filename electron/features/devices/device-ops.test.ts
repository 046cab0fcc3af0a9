// Device operations against the lab bench on loopback (127.0.44.0/24): discovery into the
// inventory, backups with verification, the safety refusals, lockout discipline, TLS pinning,
// and the 2N "move" chain backup → factory reset → rediscovery at the new address → login
// with the default credentials → new password.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import { makeCert } from '../../../lab/core/cert'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
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
    // Without a login the NVR does not tell its serial: said, and recorded in the history.
    const first = await ops.addByAddress({ address: n.ip })
    expect(first.device).toBeNull()
    expect(first.diagnostics.some((d) => d.kind === 'needs-credentials')).toBe(true)
    const r = await ops.addByAddress({ address: n.ip, username: n.credentials.username, password: n.credentials.password })
    expect(r.device?.serial).toBe(n.serial)
    // Once the login told the serial, no note says it still needs one (defect 7, issue 12):
    // neither the reply, nor the new history entry, nor (annotated) the older one.
    expect(r.diagnostics.map((d) => d.message).join(' ')).not.toMatch(/needs a login/)
    const history = (await ops.detail(r.device!.id)).audit.filter((a) => a.action === 'devices.addByAddress')
    expect(history.length).toBeGreaterThanOrEqual(2)
    expect(history.map((a) => a.detail).join(' ')).not.toMatch(/needs a login to tell its serial number/)
    expect(history.some((a) => a.outcome === 'failed' && a.detail.includes(`The serial number ${n.serial} was learned later.`))).toBe(true)
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
    // Rejected before the reset (remembered); the console's own factory reset makes it the
    // device's password, so it is sent again afterwards.
    expect(await ops.port.checkLogin({ host: oldIp }, { username: 'admin', password: '2n' }, { ticketId: ticket })).toBe(false)
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
    // A change cut short between its two requests (web password set, API account not made):
    // the same password again completes it, and never replaces accounts a device has.
    sim.accounts = []
    await ops.setPassword(dev.id, { ticketId: ticket, confirmSerial: d0.serial, username: 'admin', currentPassword: 'NewStrong-Pass1', newPassword: 'NewStrong-Pass1' })
    expect(sim.accounts.map((a) => [a.username, a.password])).toEqual([['admin', 'NewStrong-Pass1']])
    expect(sim.web.password).toBe('NewStrong-Pass1')
    expect((await ops.status(dev.id)).online).toBe(true)
    sim.accounts.push({ username: 'site-app', password: 'Their-Own-Pass1', privileges: ['system'] })
    await ops.setPassword(dev.id, { ticketId: ticket, confirmSerial: d0.serial, username: 'admin', currentPassword: 'NewStrong-Pass1', newPassword: 'NewStrong-Pass1' })
    expect(sim.accounts.map((a) => a.username)).toEqual(['admin', 'site-app'])
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
    // The restore changed the device: a factory reset needs a backup that shows it as it is now.
    await expect(ops.factoryReset(dev.id, { ticketId: ticket, confirmSerial: n.serial })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/last change \(restore on/) })
    await ops.backup(dev.id, ticket)
    const reset = await ops.factoryReset(dev.id, { ticketId: ticket, confirmSerial: n.serial })
    expect(reset.ok).toBe(true)
    const found = await ops.waitForDevice(n.serial, { ifaces: ['lo'], cidr: CIDR, deadlineMs: 20_000 })
    expect(found?.id).toBe(dev.id)
    expect(found?.ip).toBe(sim.defaultIp)
    expect(await ops.port.checkLogin({ host: sim.defaultIp }, { username: 'admin', password: sim.factoryPassword }, { ticketId: ticket })).toBe(true)
  }, 40_000)
})

// Issue 4: a rejected password is remembered in the data folder (keyed fingerprint), so no
// path and no later process sends it again. Each `App` on the same folder is one more
// process (one more CLI run). The lab devices count what reaches them.
describe('rejected passwords are remembered across paths and processes', () => {
  let lab: Bench
  let folder: string
  const key = randomBytes(32)
  const apps: App[] = []
  /** One more process on the same data folder (a CLI run, the desktop app). */
  const run = () => {
    const a = new App({ dataDir: folder, host: 'browser', keys: memoryKeyProvider(key) })
    apps.push(a)
    return new DeviceOps(a)
  }
  const REMOTE = '127.0.0.1'
  const sim = () => lab.nvr(0)
  const nvrDev = () => lab.devices.find((d) => d.kind === 'nvr')!
  const twoN = () => lab.intercom(0)
  let ticketId: number

  beforeAll(async () => {
    lab = await startBench({ intercoms: 1, nvrs: 1, seed: 'rejected-logins', hostBase: '127.0.45.', portMode: 'standard', discovery: false, nvrLockout: { tries: 5 }, intercomWebLockout: { tries: 5, blockMs: 60_000 } })
    folder = mkdtempSync(join(tmpdir(), 'sc-rejected-'))
    ticketId = (await run().app.tickets.create({ externalRef: 'ZD-4', customerName: 'Lab', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' })).id
  })
  afterAll(async () => {
    await lab?.stop()
    for (const a of apps) await a.close()
    if (folder) rmSync(folder, { recursive: true, force: true })
  })

  it('adding an unknown NVR by address: one wrong password costs one try, whatever the number of calls and processes', async () => {
    const n = nvrDev()
    const wrong = { address: n.ip, username: 'admin', password: 'Wrong-pass-1' }
    expect(sim().lockout.remaining(REMOTE)).toBe(5)
    const first = run()
    await expect(first.addByAddress(wrong)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(sim().lockout.remaining(REMOTE)).toBe(4)
    // Same process again, then two more processes: refused, nothing sent.
    const again = await first.addByAddress(wrong).catch((e: unknown) => e)
    expect(again).toMatchObject({ code: 'LOCKOUT_RISK', message: expect.stringMatching(/already rejected this password for admin.*did not send it again/) })
    expect((again as { hint: string }).hint).toMatch(/Check the password.*lock/)
    for (let i = 0; i < 2; i++) await expect(run().addByAddress(wrong)).rejects.toMatchObject({ code: 'LOCKOUT_RISK' })
    expect(sim().lockout.remaining(REMOTE)).toBe(4)
    // A different (the right) password is a different fingerprint: sent, accepted.
    const ok = await run().addByAddress({ address: n.ip, username: n.credentials.username, password: n.credentials.password })
    expect(ok.device?.serial).toBe(n.serial)
    expect(sim().lockout.remaining(REMOTE)).toBe(5)
    // The refusals are audited as such; the password is not in the database in clear.
    const rows = first.app.db.prepare("SELECT outcome FROM audit_log WHERE action = 'devices.addByAddress' ORDER BY seq").pluck().all()
    expect(rows).toEqual(['failed', 'refused', 'refused', 'refused', 'ok'])
    const dump = JSON.stringify(first.app.db.prepare('SELECT * FROM device_rejected_logins').all())
    expect(dump).not.toContain('Wrong-pass-1')
    expect(JSON.parse(dump)).toEqual([expect.objectContaining({ scope: 'address', ip: n.ip, username: 'admin', action: 'devices.addByAddress', rejected_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) })])
  })

  it('an NVR already in the inventory: add by address, Set credentials and stored credentials share the memory', async () => {
    const n = nvrDev()
    const right = n.credentials
    const id = (await run().repo.findBySerial(n.serial))!.id
    const a = run()
    await expect(a.addByAddress({ address: n.ip, username: 'admin', password: 'Wrong-pass-2' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(sim().lockout.remaining(REMOTE)).toBe(4)
    await expect(a.addByAddress({ address: n.ip, username: 'admin', password: 'Wrong-pass-2' })).rejects.toMatchObject({ code: 'LOCKOUT_RISK' })
    // Another process re-enters it through Set credentials: refused, the stored (right) password kept.
    const b = run()
    await expect(b.setCredentials(id, 'admin', 'Wrong-pass-2')).rejects.toMatchObject({ code: 'LOCKOUT_RISK' })
    expect(b.app.secrets.open((await b.repo.credentials(id))!.sealed)).toBe(right.password)
    // A stored wrong password is rejected once by an operation…
    await b.setCredentials(id, 'admin', 'Wrong-pass-3')
    await expect(b.info(id)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(sim().lockout.remaining(REMOTE)).toBe(3)
    // …and then neither the next operation nor re-entering it (which used to clear the mark) sends it.
    const c = run()
    await expect(c.info(id)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    await c.setCredentials(id, right.username, right.password)
    expect((await c.info(id)).serial).toBe(n.serial)
    expect(sim().lockout.remaining(REMOTE)).toBe(5)
    await expect(c.setCredentials(id, 'admin', 'Wrong-pass-3')).rejects.toMatchObject({ code: 'LOCKOUT_RISK', message: expect.stringContaining(n.serial) })
    await expect(run().addByAddress({ address: n.ip, username: 'admin', password: 'Wrong-pass-3' })).rejects.toMatchObject({ code: 'LOCKOUT_RISK' })
    expect(sim().lockout.remaining(REMOTE)).toBe(5)
    // The record says when and by what, for this device.
    const recs = await c.logins.repo.forDevice(id, n.serial)
    expect(recs).toEqual(expect.arrayContaining([expect.objectContaining({ deviceId: id, serial: n.serial, action: 'devices.info', username: 'admin', realm: 'device', scope: 'serial' })]))
    expect(c.app.db.prepare("SELECT outcome FROM audit_log WHERE action = 'devices.setCredentials' ORDER BY seq").pluck().all()).toEqual(['ok' /* the first test's right password */, 'refused', 'ok', 'ok', 'refused'])
    // The workflow port (by address, explicit credentials) honours it as well.
    await expect(c.port.backup({ host: n.ip }, { username: 'admin', password: 'Wrong-pass-3' }, { ticketId })).rejects.toMatchObject({ code: 'LOCKOUT_RISK' })
    expect(await c.port.checkLogin({ host: n.ip }, { username: 'admin', password: 'Wrong-pass-2' }, { ticketId }).catch((e: { code: string }) => e.code)).toBe('LOCKOUT_RISK')
    expect(sim().lockout.remaining(REMOTE)).toBe(5)
  })

  it('2N intercom: a wrong API password is sent once, a wrong web admin password once, in any process', async () => {
    const d = twoN()
    const REMOTE_FAILS = () => d.apiFails.get(REMOTE) ?? 0
    const a = run()
    // A 2N tells its serial without a login: the wrong password is only stored, not sent.
    const added = await a.addByAddress({ address: d.ip, username: 'api', password: 'Wrong-api-1' })
    expect(added.device?.serial).toBe(d.serial)
    expect(REMOTE_FAILS()).toBe(0)
    await expect(a.backup(added.device!.id, ticketId)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(REMOTE_FAILS()).toBe(1)
    // The next CLI run: add by address with the same password is refused before anything is stored or sent.
    const b = run()
    await expect(b.addByAddress({ address: d.ip, username: 'api', password: 'Wrong-api-1' })).rejects.toMatchObject({ code: 'LOCKOUT_RISK' })
    await expect(b.setCredentials(added.device!.id, 'api', 'Wrong-api-1')).rejects.toMatchObject({ code: 'LOCKOUT_RISK' })
    await expect(b.backup(added.device!.id, ticketId)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(REMOTE_FAILS()).toBe(1)
    await b.setCredentials(added.device!.id, d.credentials.username, d.credentials.password)
    expect((await b.backup(added.device!.id, ticketId)).verified).toBe(true)
    expect(REMOTE_FAILS()).toBe(1)

    // The web admin login (workflow checks, set password) is its own account and memory.
    const at = { host: d.ip }
    expect(await run().port.checkLogin(at, { username: 'admin', password: 'Wrong-web-1' }, { ticketId })).toBe(false)
    expect(d.webFails.get(REMOTE)?.count).toBe(1)
    const c = run()
    await expect(c.port.checkLogin(at, { username: 'admin', password: 'Wrong-web-1' }, { ticketId })).rejects.toMatchObject({ code: 'LOCKOUT_RISK', message: expect.stringContaining('web interface') })
    await expect(c.port.setPassword(at, { username: 'admin', password: 'Wrong-web-1' }, 'Another-Pass-9', { ticketId })).rejects.toMatchObject({ code: 'LOCKOUT_RISK' })
    expect(d.webFails.get(REMOTE)?.count).toBe(1)
    expect(d.web.password).not.toBe('Another-Pass-9')
    // The same string as an API password is another account: not refused because of the web rejection.
    await expect(c.setCredentials(added.device!.id, 'admin', 'Wrong-web-1')).resolves.toMatchObject({ credentialUser: 'admin' })
    expect(await c.port.checkLogin(at, { username: 'admin', password: d.web.password }, { ticketId })).toBe(true)
    expect(d.webFails.get(REMOTE)).toBeUndefined()
  })
})
