// A device operation's result and its audit entry are one transaction (OpsCore.run's `commit`):
// a backup row is never stored without the devices.backup entry naming it, nor a ticket link
// without its entry. The lab bench's intercom on loopback (127.0.93.0/24) answers for real.
import type { Database } from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import { verifyAll } from '../audit/integrity'
import { createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { DeviceOps } from './device-ops'

let bench: Bench
let app: App
let ops: DeviceOps
let dir: string

beforeAll(async () => {
  bench = await startBench({ intercoms: 1, nvrs: 0, seed: 'atomic-ops-test', hostBase: '127.0.93.', discovery: false })
  dir = mkdtempSync(join(tmpdir(), 'sc-atomic-'))
  app = new App({ dataDir: dir, host: 'browser', keys: memoryKeyProvider() })
  ops = new DeviceOps(app)
})
afterAll(async () => {
  await bench?.stop()
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Every append of `action` with `outcome` fails as on a full disk: SQLite refuses the INSERT inside the transaction. */
function failAppends(db: Database, action: string, outcome: string): () => void {
  db.exec(`CREATE TRIGGER fail_append BEFORE INSERT ON audit_log WHEN new.action = '${action}' AND new.outcome = '${outcome}' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`)
  return () => db.exec('DROP TRIGGER fail_append')
}
const count = (sql: string) => app.db.prepare(sql).pluck().get() as number

describe('device operations and their audit entries', () => {
  it('stores no backup whose entry cannot be written; stores it with its entry once it can', async () => {
    const call = createDispatcher(app)
    const t = await call('tickets.create', { customerName: 'Lab' }, { transport: 'test' })
    const ticketId = (t as { value: { id: number } }).value.id
    const d = bench.devices.find((x) => x.kind === 'intercom')!
    const added = await ops.addByAddress({ address: d.ip })
    const id = added.device!.id
    await ops.setCredentials(id, d.credentials.username, d.credentials.password)

    const heal = failAppends(app.db, 'devices.backup', 'ok')
    await expect(ops.backup(id, ticketId)).rejects.toThrow(/disk is full/)
    heal()
    // The configuration was downloaded, but without its entry it was not kept.
    expect(count('SELECT count(*) FROM device_backups')).toBe(0)
    expect(app.db.prepare("SELECT outcome, detail FROM audit_log WHERE action = 'devices.backup'").all()).toEqual([{ outcome: 'failed', detail: expect.stringMatching(/^database or disk is full/) }])

    const b = await ops.backup(id, ticketId)
    expect(count('SELECT count(*) FROM device_backups')).toBe(1)
    const detail = app.db.prepare("SELECT detail FROM audit_log WHERE action = 'devices.backup' AND outcome = 'ok'").pluck().get() as string
    expect(detail).toMatch(new RegExp(`^Backup #${b.id}: ${b.size} bytes, SHA-256 ${b.sha256}, verified`))

    // A ticket link likewise: no change of the link without its entry.
    await ops.linkTicket(id, ticketId)
    const unlinked = failAppends(app.db, 'devices.unlinkTicket', 'ok')
    await expect(ops.linkTicket(id, ticketId, true)).rejects.toThrow(/disk is full/)
    unlinked()
    expect((await ops.repo.list({ ticketId })).map((x) => x.id)).toEqual([id])

    expect(verifyAll(app.db)).toMatchObject({ ok: true, records: { problems: [] }, evidence: { problems: [] } })
  })

  it('adds a device by address only with its devices.addByAddress entry, and a workflow step\'s login only with its entry', async () => {
    // A second console on its own data folder: the bench intercom is not in its inventory yet.
    const other = new App({ dataDir: mkdtempSync(join(tmpdir(), 'sc-atomic-add-')), host: 'browser', keys: memoryKeyProvider() })
    try {
      const ops2 = new DeviceOps(other)
      const d = bench.devices.find((x) => x.kind === 'intercom')!
      const devices = () => other.db.prepare('SELECT count(*) FROM devices').pluck().get() as number
      const heal = failAppends(other.db, 'devices.addByAddress', 'ok')
      await expect(ops2.addByAddress({ address: d.ip })).rejects.toThrow(/disk is full/)
      heal()
      expect(devices()).toBe(0)
      const added = await ops2.addByAddress({ address: d.ip })
      expect(devices()).toBe(1)
      expect(other.db.prepare("SELECT outcome, device FROM audit_log WHERE action = 'devices.addByAddress'").all()).toEqual([{ outcome: 'ok', device: added.device!.serial }])

      // The workflow port stores the login a step was given (adoptCreds): never without its entry.
      const t = await other.record(() => other.tickets.tx().create({ externalRef: '', customerName: 'Lab', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' }), (tk) => ({ action: 'ticket.create', outcome: 'ok', ticketId: tk.id }))
      const creds = () => other.db.prepare('SELECT count(*) FROM device_credentials').pluck().get() as number
      const stored = failAppends(other.db, 'devices.setCredentials', 'ok')
      await expect(ops2.port.backup({ host: d.ip }, d.credentials, { ticketId: t.id })).rejects.toThrow(/disk is full/)
      stored()
      expect(creds()).toBe(0)
      await ops2.port.backup({ host: d.ip }, d.credentials, { ticketId: t.id })
      expect(creds()).toBe(1)
      const entry = other.db.prepare("SELECT inputs FROM audit_log WHERE action = 'devices.setCredentials' AND outcome = 'ok'").pluck().all() as string[]
      expect(entry.map((e) => JSON.parse(e) as unknown)).toEqual([expect.objectContaining({ username: d.credentials.username, by: 'devices.adoptCredentials' })])
      expect(JSON.stringify(entry)).not.toContain(d.credentials.password)
      expect(verifyAll(other.db)).toMatchObject({ ok: true, records: { problems: [] } })
    } finally {
      await other.close()
    }
  })

  it('a workflow step by address finds the inventory device at exactly that address, however many addresses contain it', async () => {
    const d = bench.devices.find((x) => x.kind === 'intercom')!
    const call = createDispatcher(app)
    const ticketId = ((await call('tickets.create', { customerName: 'Lab' }, { transport: 'test' })) as { value: { id: number } }).value.id
    await ops.addByAddress({ address: d.ip })
    // 60 devices seen more recently whose addresses contain the intercom's as a substring.
    const later = new Date(Date.now() + 60_000).toISOString()
    const ins = app.db.prepare('INSERT INTO devices (serial, ip, first_seen, last_seen) VALUES (?, ?, ?, ?)')
    for (let i = 0; i < 60; i++) ins.run(`NEAR-${i}`, `${d.ip}9${i}`, later, later)
    const adds = () => count("SELECT count(*) FROM audit_log WHERE action = 'devices.addByAddress'")
    const before = adds()
    expect(await ops.port.identify({ host: d.ip }, { ticketId })).toMatchObject({ serial: d.serial })
    // Found in the inventory: not probed and added again.
    expect(adds()).toBe(before)
  })
})
