// A device operation's result and its audit entry are one transaction (OpsCore.run's `commit`):
// a backup row is never stored without the devices.backup entry naming it, nor a ticket link
// without its entry. The lab bench's intercom on loopback (127.0.93.0/24) answers for real.
import type { Database } from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../lab/bench'
import { verifyAll } from '../audit/integrity'
import { createDispatcher } from '../core/api'
import { App } from '../core/app'
import { memoryKeyProvider } from '../core/secret-box'
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
})
