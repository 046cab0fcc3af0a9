// Issue 13, finding 1 (High): parallel calls used to pass the rejected-password check together
// and all send the wrong password (6 parallel "add by address" gave 5 × UNAUTHORIZED and a
// 600 s lockout of the console's address). Now a lease in the data folder's database lets one
// credentialed attempt per device be in flight, in any process; the next caller sees the
// rejection the first one recorded. The lab NVR counts what reaches it. Also: concurrent
// destructive operations on one device are refused.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../lab/bench'
import { createDispatcher } from '../core/api'
import { App } from '../core/app'
import { DeviceOps } from '../features/devices/device-ops'
import { RejectedLogins } from '../features/devices/rejected-logins'
import { endpointOf, RetrievePasswordClient } from '../features/nvr-reset/nvr-client'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const REMOTE = '127.0.0.1'
let lab: Bench
let dir: string
let app: App

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [`${ROOT}bin/support-console.mjs`, ...args], { cwd: ROOT, env: { ...process.env, ...env } })
    let out = ''
    let err = ''
    c.stdout.on('data', (d) => (out += d))
    c.stderr.on('data', (d) => (err += d))
    c.stdin.end()
    c.on('exit', (code) => resolve({ code: code ?? -1, out, err }))
  })
}

beforeAll(async () => {
  lab = await startBench({ intercoms: 0, nvrs: 2, seed: 'i13-lease', hostBase: '127.0.131.', portMode: 'standard', discovery: false, nvrLockout: { tries: 5 } })
  dir = mkdtempSync(join(tmpdir(), 'sc-lease-'))
  app = new App({ dataDir: dir, host: 'browser' }) // the key file, as the CLI processes use it
})
afterAll(async () => {
  await lab?.stop()
  await app?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

type R = { ok: boolean; error?: { code: string } }
/** A ticket as the UI creates it (with its ticket.create entry). */
const ticket = async (externalRef: string, deviceSerial: string) =>
  ((await createDispatcher(app)('tickets.create', { externalRef, customerName: 'Lab', deviceSerial }, { transport: 'test' })) as { value: { id: number } }).value

describe('one credentialed attempt in flight per device', () => {
  it('6 parallel devices.addByAddress with one wrong password: one login reaches the NVR, no lockout', async () => {
    const call = createDispatcher(app)
    const n = lab.nvr(0)
    expect(n.lockout.remaining(REMOTE)).toBe(5)
    const rs = (await Promise.all(Array.from({ length: 6 }, () => call('devices.addByAddress', { address: n.ip, username: 'admin', password: 'Wrong-pass-6x' }, { transport: 'test' })))) as R[]
    const codes = rs.map((r) => r.error?.code).sort()
    expect(codes).toEqual(['LOCKOUT_RISK', 'LOCKOUT_RISK', 'LOCKOUT_RISK', 'LOCKOUT_RISK', 'LOCKOUT_RISK', 'UNAUTHORIZED'])
    expect(n.lockout.remaining(REMOTE)).toBe(4)
    expect(n.lockout.lockedFor(REMOTE)).toBe(0)
  }, 60_000)

  it('6 parallel devices.status with a stored wrong password: sent once', async () => {
    const call = createDispatcher(app)
    const n = lab.nvr(0)
    const ops = new DeviceOps(app)
    const added = await ops.addByAddress({ address: n.ip, username: n.credentials.username, password: n.credentials.password })
    const id = added.device!.id
    expect(n.lockout.remaining(REMOTE)).toBe(5)
    await ops.setCredentials(id, 'admin', 'Stored-but-wrong-1')
    const rs = (await Promise.all(Array.from({ length: 6 }, () => call('devices.status', { id }, { transport: 'test' })))) as R[]
    expect(rs.every((r) => !r.ok)).toBe(true)
    expect(rs.filter((r) => r.error?.code === 'UNAUTHORIZED').length).toBeGreaterThanOrEqual(1)
    expect(n.lockout.remaining(REMOTE)).toBe(4)
    await ops.setCredentials(id, n.credentials.username, n.credentials.password)
    expect((await ops.status(id)).deviceTime).toMatch(/^\d{4}-/)
  }, 60_000)

  it('4 CLI processes at once with the same wrong password: one login reaches the NVR', async () => {
    const n = lab.nvr(1)
    expect(n.lockout.remaining(REMOTE)).toBe(5)
    // A slow NVR (1 s a reply): the processes' logins overlap, as an agent's retries would.
    await lab.get(n.ip).slow(1000)
    try {
      const rs = await Promise.all(Array.from({ length: 4 }, () => cli(['device', 'info', n.ip, '--user', 'admin', '--password-env', 'NVR_PW', '--data-dir', dir], { NVR_PW: 'Wrong-cli-pass' })))
      expect(rs.every((r) => r.code !== 0)).toBe(true)
      const said = rs.map((r) => r.err).join('\n')
      // Each of the others is refused without sending: by the data folder's console lock while
      // the first runs (one writing command at a time), by the device's login lease while its
      // login is on the wire (a process that got past the lock later, on a loaded machine), or
      // by the rejection it recorded.
      const refusals = [/already rejected this password/g, /Another Support Console \(process \d+/g, /the console did not send a login meanwhile/g]
      expect(refusals.reduce((n, re) => n + (said.match(re)?.length ?? 0), 0), said).toBe(3)
      // What matters to the customer: one login reached the NVR, and it is not locked.
      expect(n.lockout.remaining(REMOTE)).toBe(4)
      expect(n.lockout.lockedFor(REMOTE)).toBe(0)
    } finally {
      await lab.get(n.ip).normal()
    }
  }, 90_000)

  it('6 parallel NVR reset verification logins (loginWorks) with one wrong password: one reaches the NVR', async () => {
    const n = lab.nvr(0)
    const before = n.lockout.remaining(REMOTE)
    const guard = new RejectedLogins(app).guard({ deviceId: null, serial: '', ip: n.ip, kind: 'nvr' }, 'nvrReset.verify')
    const client = new RetrievePasswordClient(endpointOf(n.ip))
    // A slow NVR (300 ms a reply): without the lease all six would be on the wire at once.
    await lab.get(n.ip).slow(300)
    try {
      const rs = await Promise.all(Array.from({ length: 6 }, () => client.loginWorks('admin', 'Wrong-verify-6x', guard)))
      expect(rs).toEqual([false, false, false, false, false, false])
    } finally {
      await lab.get(n.ip).normal()
    }
    expect(n.lockout.remaining(REMOTE)).toBe(before - 1)
    expect(app.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'devices.loginRejected' AND json_extract(inputs, '$.by') = 'nvrReset.verify'").pluck().get()).toBe(1)
    // The right password is still accepted through the same path.
    expect(await client.loginWorks(n.credentials.username, n.credentials.password, guard)).toBe(true)
  }, 60_000)

  it('3 concurrent factory resets of one device: one is sent, the others refused', async () => {
    const n = lab.nvr(1)
    const ops = new DeviceOps(app)
    const t = await ticket('ZD-13', n.serial)
    const id = (await ops.addByAddress({ address: n.ip, username: n.credentials.username, password: n.credentials.password })).device!.id
    await ops.backup(id, t.id)
    const rs = await Promise.allSettled(Array.from({ length: 3 }, () => ops.factoryReset(id, { ticketId: t.id, confirmSerial: n.serial, network: false })))
    expect(rs.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const refused = rs.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as { code: string; message: string })
    expect(refused).toEqual([expect.objectContaining({ code: 'CONFLICT', message: expect.stringMatching(/Another factory reset is running/) }), expect.objectContaining({ code: 'CONFLICT' })])
    expect(app.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'devices.factoryReset' AND outcome = 'ok'").pluck().get()).toBe(1)
  }, 60_000)
})

// Issue 13, finding 6: a backup taken before an earlier factory reset still authorised later ones.
describe('a destructive step needs a backup that proves the present', () => {
  it('a restore is a change too: the backup taken before it no longer authorises a factory reset; a new one does', async () => {
    const n = lab.nvr(0)
    const ops = new DeviceOps(app)
    const t = await ticket('ZD-13r', n.serial)
    const id = (await ops.addByAddress({ address: n.ip, username: n.credentials.username, password: n.credentials.password })).device!.id
    const b = await ops.backup(id, t.id)
    const instance = n.instanceId
    await ops.restore(id, { ticketId: t.id, backupId: b.id, confirmSerial: n.serial })
    // The NVR applies the import and restarts.
    for (const until = Date.now() + 20_000; !(n.instanceId !== instance && n.online) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100))
    const sent = () => app.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'devices.factoryReset' AND outcome = 'ok' AND device = ?").pluck().get(n.serial)
    await expect(ops.factoryReset(id, { ticketId: t.id, confirmSerial: n.serial, network: false })).rejects.toMatchObject({
      code: 'FORBIDDEN', message: expect.stringMatching(/taken before the device's last change \(restore on .*Take a new backup first\. Nothing was done\./),
    })
    // A second restore of the same backup is refused the same way: nothing shows the device as it is now.
    await expect(ops.restore(id, { ticketId: t.id, backupId: b.id, confirmSerial: n.serial })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/last change \(restore on/) })
    expect(sent()).toBe(0)
    await ops.backup(id, t.id)
    const again = n.instanceId
    await ops.restore(id, { ticketId: t.id, backupId: b.id, confirmSerial: n.serial })
    for (const until = Date.now() + 20_000; !(n.instanceId !== again && n.online) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100))
  }, 60_000)

  it('refuses a backup older than the setting, and one taken before the device’s last change', async () => {
    const n = lab.nvr(0)
    const ops = new DeviceOps(app)
    const t = await ticket('ZD-13b', n.serial)
    const id = (await ops.addByAddress({ address: n.ip, username: n.credentials.username, password: n.credentials.password })).device!.id
    const b = await ops.backup(id, t.id)
    app.db.prepare('UPDATE device_backups SET taken_at = ? WHERE id = ?').run(new Date(Date.now() - 2 * 3600_000).toISOString(), b.id)
    await expect(ops.factoryReset(id, { ticketId: t.id, confirmSerial: n.serial, network: false })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/taken 120 minutes ago, more than the 60 minutes allowed/) })
    await ops.backup(id, t.id)
    await ops.factoryReset(id, { ticketId: t.id, confirmSerial: n.serial, network: false })
    // The same (fresh, verified) backup no longer proves the present: the reset came after it.
    await expect(ops.factoryReset(id, { ticketId: t.id, confirmSerial: n.serial, network: false })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/taken before the device's last change \(factoryReset on/) })
    expect(app.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'devices.factoryReset' AND outcome = 'ok' AND device = ?").pluck().get(n.serial)).toBe(1)
  }, 60_000)
})

// Issue 13, finding 2 (not covered before): deleting a backup row or a rejected-login row
// (which silently disabled the protection above) passed `audit verify`.
describe('rows the trail names are checked against it', () => {
  it('a deleted device backup and a deleted rejected-login record are reported', async () => {
    const { verifyAll } = await import('../features/audit/integrity')
    const before = verifyAll(app.db, { key: app.secrets.auditKey() })
    expect(before, JSON.stringify([before.firstBreak, before.records.problems, before.evidence.problems])).toMatchObject({ ok: true, records: { problems: [] } })
    const rejection = app.db.prepare('SELECT id FROM device_rejected_logins ORDER BY id LIMIT 1').pluck().get() as number
    const backup = app.db.prepare('SELECT id FROM device_backups ORDER BY id LIMIT 1').pluck().get() as number
    app.db.prepare('DELETE FROM device_rejected_logins WHERE id = ?').run(rejection)
    app.db.prepare('DELETE FROM device_backups WHERE id = ?').run(backup)
    const r = verifyAll(app.db, { key: app.secrets.auditKey() })
    expect(r.ok).toBe(false)
    expect(r.records.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'rejected-login', id: rejection, message: expect.stringMatching(/gone from the database.*send that password again/) }),
      expect.objectContaining({ kind: 'device-backup', id: backup, message: expect.stringMatching(/Device backup #\d+, recorded by entry \d+ \(devices\.backup\), is gone/) }),
    ]))
  })
})
