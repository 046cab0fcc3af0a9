// Operations through the DeviceOps facade against the lab bench on 127.0.61.0/24: reboot of a
// 2N and of an NVR (the device really restarts: its uptime starts again, and the audit trail
// says who did it), the NVR password change (the new password works, the old one is refused),
// and NVR backups, which are opaque encrypted exports: labelled as such, and still required
// by the destructive operations.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import { isOpaqueBackup } from '../../../shared/contract/devices'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { DeviceOps } from './device-ops'
import { IsapiClient, OnvifClient, verifyIsapiExport } from './nvr'

let bench: Bench
let app: App
let ops: DeviceOps
let dir: string
let ticket: number

beforeAll(async () => {
  bench = await startBench({ intercoms: 1, nvrs: 1, seed: 'operations-test', hostBase: '127.0.61.', portMode: 'standard', discovery: false, timing: { rebootMs: 400, applyDelayMs: 300 } })
  dir = mkdtempSync(join(tmpdir(), 'sc-ops-'))
  app = new App({ dataDir: dir, host: 'browser', keys: memoryKeyProvider() })
  ops = new DeviceOps(app)
  ticket = (await app.tickets.create({ externalRef: 'ZD-61', customerName: 'Lab', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' })).id
})
afterAll(async () => {
  await bench?.stop()
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** Polls until `ok()` (bounded: at most `ms`). */
async function until(ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('condition not reached in time')
    await sleep(100)
  }
}
const isapiEp = (ip: string) => ({ host: ip, httpPort: 80, httpsPort: null, timeoutMs: 3000 })
const auditOf = async (id: number, action: string) => (await ops.detail(id)).audit.filter((a) => a.action === action)

describe('reboot through the ops facade', () => {
  it('2N: the device restarts (its own uptime starts again) and the reboot is audited in the ticket', async () => {
    const sim = bench.intercom(0)
    const { device } = await ops.addByAddress({ address: sim.ip, username: sim.credentials.username, password: sim.credentials.password })
    const id = device!.id
    await bench.advance(2 * 3600_000) // it has been up for two hours
    expect((await ops.status(id)).upTimeS).toBeGreaterThanOrEqual(7200)
    const bootBefore = sim.bootAt
    const r = await ops.reboot(id, ticket)
    expect(r.ok).toBe(true)
    await until(() => sim.bootAt !== bootBefore && sim.online)
    const after = await ops.status(id)
    expect(after.upTimeS).toBeLessThan(60)
    const entries = await auditOf(id, 'devices.reboot')
    expect(entries.map((a) => [a.outcome, a.ticketId])).toEqual([['ok', ticket]])
    expect(entries[0].detail).toMatch(/restarting/)
  }, 30_000)

  it('NVR: the device restarts (boot time and WS-Discovery instance change) and the reboot is audited', async () => {
    const sim = bench.nvr(0)
    const { device } = await ops.addByAddress({ address: sim.ip, username: sim.credentials.username, password: sim.credentials.password })
    expect(device?.serial).toBe(sim.serial)
    const id = device!.id
    await bench.advance(3600_000)
    expect(bench.clock.now() - sim.bootAt).toBeGreaterThanOrEqual(3600_000)
    const instance = sim.instanceId
    const r = await ops.reboot(id, ticket)
    expect(r.ok).toBe(true)
    await until(() => sim.instanceId !== instance && sim.online)
    expect(bench.clock.now() - sim.bootAt).toBeLessThan(60_000)
    expect((await ops.info(id)).serial).toBe(sim.serial)
    expect((await auditOf(id, 'devices.reboot')).map((a) => [a.outcome, a.ticketId])).toEqual([['ok', ticket]])
  }, 30_000)
})

describe('NVR backup: opaque, and still required', () => {
  it('refuses to set the password without a backup of the NVR in this ticket', async () => {
    const sim = bench.nvr(0)
    const d = (await ops.repo.findBySerial(sim.serial))!
    await expect(ops.setPassword(d.id, { ticketId: ticket, confirmSerial: sim.serial, newPassword: 'Never-Set-1' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('No verified backup') })
    expect(sim.passwordOf('admin')).toBe(sim.credentials.password)
  })

  it('an ISAPI export is stored as an opaque backup: a non-error export of N bytes from the serial read live, no more', async () => {
    const sim = bench.nvr(0)
    const d = (await ops.repo.findBySerial(sim.serial))!
    const b = await ops.backup(d.id, ticket)
    expect(b).toMatchObject({ verified: true, format: 'isapi-configurationData', serial: sim.serial })
    expect(isOpaqueBackup(b)).toBe(true)
    expect(b.verifyDetail).toBe(`Opaque (encrypted by the device), checked only as a non-error export of ${b.size} bytes from serial ${sim.serial} read live; its content could not be parsed or matched to the serial.`)
    // The audit entry says the same, not "verified by parsing".
    const entry = (await auditOf(d.id, 'devices.backup')).at(-1)!
    expect(entry.detail).toContain(`non-error export of ${b.size} bytes from serial ${sim.serial} read live`)
    // A 2N configuration is parsed and its serial matched: not opaque.
    expect(isOpaqueBackup({ format: '2n-config-xml' })).toBe(false)
  })

  it('an error page or a stub is not a backup (not verified, so it would not unlock anything)', () => {
    expect(verifyIsapiExport(Buffer.from('<?xml version="1.0"?><ResponseStatus><statusCode>4</statusCode></ResponseStatus>'), 'X')).toMatchObject({ ok: false, opaque: true })
    expect(verifyIsapiExport(Buffer.from('<html><body>Login</body></html>'), 'X').ok).toBe(false)
    expect(verifyIsapiExport(Buffer.from('{"statusCode":4}'), 'X').ok).toBe(false)
    expect(verifyIsapiExport(Buffer.alloc(8, 1), 'X').ok).toBe(false)
  })
})

describe('NVR set password', () => {
  it('the new password works (ISAPI and ONVIF, and for the console), the old one is refused', async () => {
    const sim = bench.nvr(0)
    const old = sim.credentials.password
    const next = 'Nvr-NewPass-61'
    const d = (await ops.repo.findBySerial(sim.serial))!
    const r = await ops.setPassword(d.id, { ticketId: ticket, confirmSerial: sim.serial, username: 'admin', newPassword: next })
    expect(r.ok).toBe(true)
    expect(await new IsapiClient(isapiEp(sim.ip), { username: 'admin', password: next }).info()).toMatchObject({ serial: sim.serial })
    expect(await new OnvifClient(new URL(sim.xaddr()), { username: 'admin', password: next }, { timeoutMs: 3000 }).info()).toMatchObject({ serial: sim.serial })
    await expect(new IsapiClient(isapiEp(sim.ip), { username: 'admin', password: old }).info()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    // The console stored the new password (sealed) and keeps working with it.
    expect((await ops.info(d.id)).serial).toBe(sim.serial)
    const entry = (await auditOf(d.id, 'devices.setPassword')).filter((a) => a.outcome === 'ok')
    expect(entry).toHaveLength(1)
    expect(JSON.stringify(await ops.detail(d.id))).not.toContain(next)
  }, 20_000)
})
