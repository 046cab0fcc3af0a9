// Issue 13, finding 2 (High): the trail could be shortened or rewritten without `audit verify`
// noticing: a missing head file counted as fine, and the chain was plain SHA-256, so deleting,
// swapping or editing entries and re-hashing (plus rewriting audit-head.json) passed. Now the
// entries and the head are sealed with a key derived from the data key (not in the database),
// and a missing head beside a non-empty trail is an alarm. Each attack is done as a local user
// with a SQLite tool would: another connection, triggers dropped, the head file edited.
import BetterSqlite3 from 'better-sqlite3'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { DB_FILE } from '../../db/database'
import { migrate } from '../../db/migrate'
import { AuditRepo } from '../../db/repos/audit'
import { DevicesRepo } from '../../db/repos/devices'
import { tempDir } from '../../db/test/helpers'
import { HEAD_FILE, readHeadFile } from '../features/audit/head-file'
import { createDispatcher } from '../core/api'
import { App } from '../core/app'
import { backupDetail } from '../features/devices/backup-restore'
import { RejectedLogins } from '../features/devices/rejected-logins'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ctx = { transport: 'test' as const }

/** `support-console audit verify` as an auditor runs it (a child process, the folder's key file readable). */
function verifyCli(dataDir: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [`${ROOT}bin/support-console.mjs`, 'audit', 'verify', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8' })
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr }
}

/** A folder with a console's trail: tickets, a status change last (it creates no row). */
async function folder(): Promise<string> {
  const dir = tempDir('sc-tamper-')
  const app = new App({ dataDir: dir, host: 'browser' }) // key file in the folder, as in browser mode
  const call = createDispatcher(app)
  for (let i = 0; i < 4; i++) await call('tickets.create', { customerName: `Customer ${i}` }, ctx)
  await call('tickets.setStatus', { id: 2, status: 'waiting' }, ctx)
  await app.close()
  return dir
}

/** A SQLite tool on the folder: triggers dropped, `fn` run, every hash of the chain recomputed (SHA-256 as before the seal). */
function tamper(dir: string, fn: (db: BetterSqlite3.Database) => void, o: { rehash?: boolean } = {}): void {
  const db = new BetterSqlite3(join(dir, DB_FILE))
  db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete')
  fn(db)
  if (o.rehash) {
    let prev = '0'.repeat(64)
    const rows = db.prepare('SELECT seq, at, agent, ticket_id, device, action, inputs, outcome, detail FROM audit_log ORDER BY seq').raw(true).all() as unknown[][]
    const upd = db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?')
    for (const r of rows) {
      const hash = createHash('sha256').update(JSON.stringify([...r, prev])).digest('hex')
      upd.run(prev, hash, r[0])
      prev = hash
    }
  }
  db.close()
}

/** The attacker's head file for the trail as it is now: right format, right hashes, no valid seal. */
function forgeHead(dir: string): void {
  const db = new BetterSqlite3(join(dir, DB_FILE), { readonly: true })
  const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string }
  const first = db.prepare('SELECT hash FROM audit_log WHERE seq = 1').pluck().get() as string
  db.close()
  const old = readHeadFile(dir)
  const mac = old.state === 'present' ? old.head.mac : undefined
  writeFileSync(join(dir, HEAD_FILE), JSON.stringify({ format: 'support-console audit head', seq: last.seq, hash: last.hash, first, at: new Date().toISOString(), ...(mac ? { mac } : {}) }))
}

describe('the audit trail against a local attacker', () => {
  it('an intact folder verifies, seals included', async () => {
    const dir = await folder()
    const r = verifyCli(dir)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/Audit trail OK: 5 entries/)
    expect(r.err).not.toMatch(/not checked/)
  })

  it('deleting the last entry and audit-head.json is an alarm, not "Audit trail OK"', async () => {
    const dir = await folder()
    tamper(dir, (db) => db.prepare('DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)').run())
    rmSync(join(dir, HEAD_FILE))
    const r = verifyCli(dir)
    expect(r.code).toBe(3)
    expect(r.err).toMatch(/head file audit-head\.json is missing although the trail has 4 entries/)
  })

  it('a running console does not write a fresh head after its head file and last entry were removed', async () => {
    const dir = await folder()
    const app = new App({ dataDir: dir, host: 'browser' })
    const call = createDispatcher(app)
    await call('tickets.setStatus', { id: 3, status: 'waiting' }, ctx)
    await app.auditHead.flush()
    tamper(dir, (db) => db.prepare('DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)').run())
    rmSync(join(dir, HEAD_FILE))
    await call('tickets.setStatus', { id: 4, status: 'waiting' }, ctx) // the next change
    await app.auditHead.flush()
    await app.close()
    expect(existsSync(join(dir, HEAD_FILE))).toBe(false)
    expect(verifyCli(dir).code).toBe(3)
  })

  it('editing an entry in the middle and re-hashing the chain and the head file is caught', async () => {
    const dir = await folder()
    tamper(dir, (db) => db.prepare("UPDATE audit_log SET agent = 'someone else' WHERE seq = 2").run(), { rehash: true })
    forgeHead(dir)
    const r = verifyCli(dir)
    expect(r.code).toBe(3)
    expect(r.err).toMatch(/BROKEN at entry 2 \(altered\).*seal does not match/)
  })

  it('deleting an entry in the middle, or swapping two, then re-hashing is caught', async () => {
    const dir = await folder()
    tamper(dir, (db) => {
      db.prepare('DELETE FROM audit_log WHERE seq = 3').run()
      db.prepare('UPDATE audit_log SET seq = seq - 1 WHERE seq > 3').run()
    }, { rehash: true })
    forgeHead(dir)
    expect(verifyCli(dir)).toMatchObject({ code: 3, err: expect.stringMatching(/BROKEN at entry 3 \(altered\)/) })

    const dir2 = await folder()
    tamper(dir2, (db) => {
      db.prepare('UPDATE audit_log SET seq = -1 WHERE seq = 2').run()
      db.prepare('UPDATE audit_log SET seq = 2 WHERE seq = 3').run()
      db.prepare('UPDATE audit_log SET seq = 3 WHERE seq = -1').run()
    }, { rehash: true })
    forgeHead(dir2)
    expect(verifyCli(dir2)).toMatchObject({ code: 3, err: expect.stringMatching(/BROKEN at entry 2 \(altered\)/) })
  })

  it('stripping every seal (to pass as a trail from before the seal) is caught', async () => {
    const dir = await folder()
    tamper(dir, (db) => db.prepare('UPDATE audit_log SET mac = NULL').run())
    expect(verifyCli(dir)).toMatchObject({ code: 3, err: expect.stringMatching(/No entry of the trail carries a seal/) })
  })

  it('a head file rewritten without the key is named as forged', async () => {
    const dir = await folder()
    const h = JSON.parse(readFileSync(join(dir, HEAD_FILE), 'utf8')) as Record<string, unknown>
    writeFileSync(join(dir, HEAD_FILE), JSON.stringify({ ...h, at: '2020-01-01T00:00:00.000Z' }))
    expect(verifyCli(dir)).toMatchObject({ code: 3, err: expect.stringMatching(/was not written by this console: its seal does not match/) })
  })

  it('a trail from before the seal is sealed once at start, with a recorded entry; tampering before it is caught then', async () => {
    const dir = tempDir('sc-legacy-')
    const db = new BetterSqlite3(join(dir, DB_FILE))
    db.pragma('journal_mode = WAL')
    migrate(db, 10)
    const repo = new AuditRepo(db)
    for (let i = 0; i < 3; i++) await repo.append({ agent: 'Old console', action: 'settings.set', outcome: 'ok', inputs: { i } })
    db.close()
    const app = new App({ dataDir: dir, host: 'browser' })
    const rows = app.db.prepare('SELECT seq, action, mac IS NOT NULL AS sealed, inputs FROM audit_log ORDER BY seq').all() as { seq: number; action: string; sealed: number; inputs: string }[]
    await app.close()
    expect(rows.map((r) => [r.seq, r.action, r.sealed])).toEqual([[1, 'settings.set', 0], [2, 'settings.set', 0], [3, 'settings.set', 0], [4, 'audit.chain.keyed', 1]])
    expect(JSON.parse(rows[3].inputs)).toMatchObject({ sealedUpTo: 3, entries: 3 })
    expect(verifyCli(dir).code).toBe(0)
    tamper(dir, (d) => d.prepare("UPDATE audit_log SET agent = 'x' WHERE seq = 1").run(), { rehash: true })
    forgeHead(dir)
    expect(verifyCli(dir)).toMatchObject({ code: 3, err: expect.stringMatching(/BROKEN at entry 4 \(altered\)/) })
  })

  it('audit list opens the database read-only: an older folder is not migrated by it', async () => {
    const dir = tempDir('sc-list-')
    const db = new BetterSqlite3(join(dir, DB_FILE))
    migrate(db, 10)
    db.close()
    const r = spawnSync(process.execPath, [`${ROOT}bin/support-console.mjs`, 'audit', 'list', '--data-dir', dir], { cwd: ROOT, encoding: 'utf8' })
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/needs migrating/)
    const after = new BetterSqlite3(join(dir, DB_FILE), { readonly: true })
    expect(after.pragma('user_version', { simple: true })).toBe(10)
    after.close()
  })
})

// Issue 13: the rows themselves against the entries that created and changed them. A ticket's
// values are sealed field by field in its last change's entry; a backup's hash, size, mark and
// time are in its devices.backup entry; a rejected password is named by its entry.
describe('rows edited with a SQL tool, against the entries that wrote them', () => {
  /** A folder after a normal day: tickets edited and moved, a device backup, a rejected password. */
  async function day(): Promise<string> {
    const dir = tempDir('sc-rows-')
    const app = new App({ dataDir: dir, host: 'browser' })
    const call = createDispatcher(app)
    for (let i = 0; i < 3; i++) await call('tickets.create', { customerName: `Customer ${i}`, notes: 'first call' }, ctx)
    await call('tickets.update', { id: 1, patch: { customerName: 'Customer One s.r.o.', notes: 'called back', deviceSerial: '21-0001' } }, ctx)
    await call('tickets.setStatus', { id: 1, status: 'waiting' }, ctx)
    await call('tickets.update', { id: 1, patch: { notes: 'called back twice' } }, ctx)
    await call('tickets.setStatus', { id: 2, status: 'resolved' }, ctx)
    const repo = new DevicesRepo(app.db)
    const deviceId = (await repo.recordSeen({ serial: 'NVR-ROWS-1', ip: '127.0.0.77', kind: 'nvr' }))!
    const data = Buffer.from('<config>lab</config>')
    for (let i = 0; i < 2; i++) {
      await app.record(
        () => repo.tx().addBackup({ deviceId, ticketId: 1, sha256: createHash('sha256').update(data).digest('hex'), size: data.length, serial: 'NVR-ROWS-1', firmware: '', format: 'isapi-config', verified: i === 0, verifyDetail: 'parsed', secretSealed: null, data }),
        (b) => ({ action: 'devices.backup', outcome: 'ok', ticketId: 1, device: 'NVR-ROWS-1', inputs: { deviceId }, detail: backupDetail(b) }),
      )
    }
    new RejectedLogins(app).record({ deviceId, serial: 'NVR-ROWS-1', ip: '127.0.0.77', kind: 'nvr' }, 'device', { username: 'admin', password: 'Wrong-1' }, 'devices.info')
    await app.close()
    return dir
  }

  it('a normal sequence of edits verifies clean', async () => {
    const dir = await day()
    const r = verifyCli(dir)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/Audit trail OK/)
  })

  it.each([
    ['the customer name', "UPDATE tickets SET customer_name = 'Someone Else' WHERE id = 1", /Ticket #1: its customer name does not match the values recorded by its last change \(entry \d+, ticket\.update\)/],
    ['the notes', "UPDATE tickets SET notes = '' WHERE id = 1", /Ticket #1: its notes do not match/],
    ['the status', "UPDATE tickets SET status = 'closed' WHERE id = 2", /Ticket #2: its status does not match the values recorded by its last change \(entry \d+, ticket\.status\)/],
    ['the status and serial of a never-edited one', "UPDATE tickets SET status = 'closed', device_serial = 'X' WHERE id = 3", /Ticket #3: its device serial, status do not match the values recorded by its last change \(entry \d+, ticket\.create\)/],
  ])('editing %s of a ticket is reported', async (_what, sql, message) => {
    const dir = await day()
    tamper(dir, (db) => db.exec(sql))
    const r = verifyCli(dir)
    expect(r.code).toBe(3)
    expect(r.err).toMatch(message)
  })

  it('deleting a device backup, or making one look verified or fresh, is reported', async () => {
    const dir = await day()
    tamper(dir, (db) => db.exec('DELETE FROM device_backups WHERE id = 1'))
    expect(verifyCli(dir)).toMatchObject({ code: 3, err: expect.stringMatching(/Device backup #1, recorded by entry \d+ \(devices\.backup\), is gone from the database/) })

    const dir2 = await day()
    tamper(dir2, (db) => db.exec(`UPDATE device_backups SET verified = 1, taken_at = '${new Date(Date.now() + 3600_000).toISOString()}' WHERE id = 2`))
    expect(verifyCli(dir2)).toMatchObject({ code: 3, err: expect.stringMatching(/Device backup #2: its "verified" mark \(the entry recorded it NOT verified\), its time .* differ from what entry \d+ \(devices\.backup\) recorded/) })

    const dir3 = await day()
    const other = Buffer.from('<config>other</config>')
    tamper(dir3, (db) => db.prepare('UPDATE device_backups SET data = ?, size = ?, sha256 = ? WHERE id = 1').run(other, other.length, createHash('sha256').update(other).digest('hex')))
    expect(verifyCli(dir3)).toMatchObject({ code: 3, err: expect.stringMatching(/Device backup #1: its SHA-256, its size differ/) })
  })

  it('deleting the record of a rejected password is reported', async () => {
    const dir = await day()
    tamper(dir, (db) => db.exec('DELETE FROM device_rejected_logins'))
    expect(verifyCli(dir)).toMatchObject({ code: 3, err: expect.stringMatching(/The record of a password the device rejected \(#1, entry \d+\) is gone from the database/) })
  })
})
