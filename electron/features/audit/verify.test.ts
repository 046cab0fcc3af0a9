import BetterSqlite3, { type Database } from 'better-sqlite3'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, cpSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { configure, DB_FILE, openDatabase } from '../../../db/database'
import { migrate } from '../../../db/migrate'
import { AuditRepo, entryHash } from '../../../db/repos/audit'
import { inTx, tempDir } from '../../../db/test/helpers'
import { createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { logFiles } from '../../infra/log'
import { memoryKeyProvider } from '../../infra/secret-box'

// One data folder, one key: the head file is sealed with it (issue 13), as in a real folder.
const KEY = Buffer.alloc(32, 7)
import { HEAD_FILE, readHeadFile } from './head-file'
import { verifyAll } from './integrity'
import { openTrailReadOnly } from './open-trail'
import { verifyChain } from './verify'

let db: Database
function fill(n: number) {
  const repo = new AuditRepo(db)
  for (let i = 1; i <= n; i++) inTx(db, () => repo.tx().append({ agent: 'Ann', action: 'ticket.update', outcome: 'ok', ticketId: (i % 3) + 1, inputs: { i } }, `2026-11-22T04:00:${String(i % 60).padStart(2, '0')}.000Z`))
}
/** What an attacker with a plain SQLite tool does: drop the guards, then edit. */
function tamper(sql: string, ...args: unknown[]) {
  db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;')
  db.prepare(sql).run(...args)
}
const row = (seq: number) => db.prepare('SELECT * FROM audit_log WHERE seq = ?').get(seq) as Record<string, unknown>
const rehash = (r: Record<string, unknown>) =>
  entryHash({ seq: r.seq as number, at: r.at as string, agent: r.agent as string, ticketId: r.ticket_id as number, device: r.device as string, action: r.action as string, inputs: r.inputs as string, outcome: r.outcome as string, detail: r.detail as string, prevHash: r.prev_hash as string })

beforeEach(() => {
  db = new BetterSqlite3(':memory:')
  configure(db)
  migrate(db)
})

describe('verifyChain', () => {
  it('accepts an intact chain and an empty one', () => {
    expect(verifyChain(db)).toMatchObject({ ok: true, entries: 0, head: null })
    fill(50)
    const r = verifyChain(db)
    expect(r).toMatchObject({ ok: true, entries: 50, firstBreak: null })
    expect(r.head?.seq).toBe(50)
    expect(r.head?.hash).toBe(row(50).hash)
  })

  it('reads across pages', () => {
    fill(45_000)
    expect(verifyChain(db)).toMatchObject({ ok: true, entries: 45_000 })
  })

  it('names an altered entry', () => {
    fill(20)
    tamper("UPDATE audit_log SET outcome = 'failed' WHERE seq = 7")
    expect(verifyChain(db).firstBreak).toMatchObject({ seq: 7, kind: 'altered' })
  })

  it('names an altered entry whose hash was recomputed (the next one no longer links)', () => {
    fill(20)
    const r = { ...row(7), detail: 'forged' }
    tamper('UPDATE audit_log SET detail = ?, hash = ? WHERE seq = 7', 'forged', rehash(r))
    const b = verifyChain(db).firstBreak
    expect(b).toMatchObject({ seq: 8, kind: 'relinked' })
    expect(b?.message).toContain('entry 7')
  })

  it('names a deleted entry, and a deletion hidden by renumbering', () => {
    fill(20)
    tamper('DELETE FROM audit_log WHERE seq = 12')
    expect(verifyChain(db).firstBreak).toMatchObject({ seq: 13, kind: 'deleted' })
    tamper('UPDATE audit_log SET seq = seq - 1 WHERE seq > 12')
    expect(verifyChain(db).firstBreak).toMatchObject({ seq: 12, kind: 'deleted' })
  })

  it('names reordered entries', () => {
    fill(20)
    const a = row(5)
    const b = row(9)
    tamper('UPDATE audit_log SET seq = -5 WHERE seq = 5')
    tamper('UPDATE audit_log SET seq = 5 WHERE seq = 9')
    tamper('UPDATE audit_log SET seq = 9 WHERE seq = -5')
    expect(a.hash).not.toBe(b.hash)
    expect(verifyChain(db).firstBreak).toMatchObject({ seq: 5, kind: 'reordered' })
  })

  it('names an inserted entry', () => {
    fill(20)
    // Make room at 10 by shifting the tail up (highest first so seq stays unique).
    for (let s = 20; s >= 10; s--) tamper('UPDATE audit_log SET seq = ? WHERE seq = ?', s + 1, s)
    const forged = { seq: 10, at: '2026-11-22T04:00:00.000Z', agent: 'Mallory', ticketId: 1, device: null, action: 'ticket.update', inputs: '{}', outcome: 'ok', detail: '', prevHash: row(9).hash as string }
    tamper('INSERT INTO audit_log (seq, at, agent, ticket_id, device, action, inputs, outcome, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
      forged.seq, forged.at, forged.agent, forged.ticketId, forged.device, forged.action, forged.inputs, forged.outcome, forged.detail, forged.prevHash, entryHash(forged))
    expect(verifyChain(db).firstBreak).toMatchObject({ seq: 11, kind: 'inserted' })
  })

  it('names an entry appended at the end without the chain', () => {
    fill(5)
    tamper("INSERT INTO audit_log (seq, at, agent, action, outcome, prev_hash, hash) VALUES (6, 'x', 'M', 'a', 'ok', 'abc', 'def')")
    expect(verifyChain(db).firstBreak).toMatchObject({ seq: 6, kind: 'altered' })
  })
})

describe('verifyChainAsync', () => {
  it('gives the sync result on its own read-only connection while the app keeps appending', async () => {
    const { dbAt } = await import('../../../db/test/helpers')
    const { verifyChainAsync } = await import('./verify')
    const main = dbAt()
    const repo = new AuditRepo(main)
    inTx(main, () => { for (let i = 0; i < 50_000; i++) repo.tx().append({ agent: 'A', action: 'x', outcome: 'ok', inputs: { i } }) })
    const ro = new BetterSqlite3(main.name, { readonly: true })
    let appended = 0
    const appender = setInterval(() => {
      inTx(main, () => repo.tx().append({ agent: 'B', action: 'y', outcome: 'ok' }))
      appended++
    }, 1)
    const r = await verifyChainAsync(ro)
    clearInterval(appender)
    // The check read one snapshot: what was there when it started, all of it intact.
    expect(r).toMatchObject({ ok: true, entries: 50_000 })
    expect(appended).toBeGreaterThan(0)
    main.exec('DROP TRIGGER audit_no_update')
    main.prepare("UPDATE audit_log SET agent = 'M' WHERE seq = 777").run()
    expect((await verifyChainAsync(ro)).firstBreak).toMatchObject({ seq: 777, kind: 'altered' })
    ro.close()
  })
})

// ---- the end of the trail (tail truncation) -------------------------------------------------
// What an attacker does with a SQLite tool while the console is closed: drop the trigger and
// delete the newest entries. The rest of the chain still links up; the head file and the
// records whose creating entries are gone must say what is missing.
describe('cutting the newest entries off the trail', () => {
  const ctx = { transport: 'test' as const }
  const ROOT = join(__dirname, '..', '..', '..')
  const dbFile = (dir: string) => join(dir, DB_FILE)

  /** A console that wrote six entries: agent, ticket #1, ticket #2, an edit, ticket #3, evidence #1 on it. */
  async function sixEntries(dataDir = tempDir()) {
    const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider(KEY) })
    const call = createDispatcher(app)
    await call('system.setAgent', { name: 'Eva Agent', email: '' }, ctx)
    await call('tickets.create', { customerName: 'A' }, ctx)
    await call('tickets.create', { customerName: 'B' }, ctx)
    await call('tickets.update', { id: 1, patch: { notes: 'called back' } }, ctx)
    await call('tickets.create', { customerName: 'C' }, ctx)
    await call('evidence.add', { ticketId: 3, kind: 'customer-statement', name: 'statement.txt', dataBase64: Buffer.from('I own this intercom.').toString('base64') }, ctx)
    expect(app.db.prepare('SELECT group_concat(action) FROM (SELECT action FROM audit_log ORDER BY seq)').pluck().get()).toBe('settings.agent,ticket.create,ticket.create,ticket.update,ticket.create,evidence.add')
    return { app, dataDir }
  }
  /** Deletes entries from `fromSeq` on with another connection, as a SQLite tool would. */
  function cut(dataDir: string, fromSeq: number) {
    const t = new BetterSqlite3(dbFile(dataDir))
    t.exec('DROP TRIGGER IF EXISTS audit_no_delete')
    t.prepare('DELETE FROM audit_log WHERE seq >= ?').run(fromSeq)
    t.close()
  }
  function verifyFolder(dataDir: string) {
    const trail = openTrailReadOnly(dataDir)
    try {
      return verifyAll(trail.db, { dataDir })
    } finally {
      trail.close()
    }
  }

  it('names the cut from the head file: the trail ends before the entry it recorded', async () => {
    const { app, dataDir } = await sixEntries()
    await app.close() // writes the final head: entry 6
    expect(readHeadFile(dataDir)).toMatchObject({ state: 'present', head: { seq: 6 } })
    expect(verifyFolder(dataDir)).toMatchObject({ ok: true, entries: 6, headFile: { state: 'ok', seq: 6, lag: 0 } })
    cut(dataDir, 4)
    const r = verifyFolder(dataDir)
    expect(r.ok).toBe(false)
    expect(r.entries).toBe(3)
    expect(r.firstBreak).toMatchObject({ seq: 4, kind: 'truncated' })
    expect(r.firstBreak?.message).toMatch(/^The trail ends at entry 3, but the head file recorded entry 6 .*: entries 4–6 were cut from the end of the trail, or the database was replaced by an older copy\.$/)
    expect(r.headFile).toMatchObject({ state: 'ahead', seq: 6 })
    // The records say what the missing entries had created.
    expect(r.records.problems.map((p) => [p.kind, p.id])).toEqual([['ticket', 3], ['evidence', 1]])
    expect(r.records.problems[0].message).toBe('Ticket #3 exists but the entry that created it (ticket.create) is missing.')
    expect(r.records.problems[1].message).toBe('Evidence #1 exists but entry 6, which recorded its addition (evidence.add), is missing.')
  })

  it('without the head file, names the cut from the records whose creating entries are gone', async () => {
    const { app, dataDir } = await sixEntries()
    await app.close()
    rmSync(join(dataDir, HEAD_FILE))
    cut(dataDir, 5)
    const r = verifyFolder(dataDir)
    expect(r.ok).toBe(false)
    expect(r.headFile.state).toBe('none')
    expect(r.firstBreak).toMatchObject({ seq: 5, kind: 'truncated' })
    expect(r.firstBreak?.message).toBe('Entries are missing from the trail, which now ends at entry 4 (at least entries 5–6 were removed): Ticket #3 exists but the entry that created it (ticket.create) is missing. 1 more record lacks their entries too.')
    // Reported once, as a missing entry, not also as an evidence mismatch.
    expect(r.evidence.problems).toEqual([])
  })

  it('sees a cut of entries that created no record through the head file alone', async () => {
    const { app, dataDir } = await sixEntries()
    await createDispatcher(app)('tickets.setStatus', { id: 3, status: 'waiting' }, ctx) // entry 7 creates nothing
    await app.close()
    cut(dataDir, 7)
    const r = verifyFolder(dataDir)
    expect(r.records.problems).toEqual([])
    expect(r).toMatchObject({ ok: false, firstBreak: { seq: 7, kind: 'truncated' }, headFile: { state: 'ahead', seq: 7 } })
    expect(r.firstBreak?.message).toMatch(/^The trail ends at entry 6, but the head file recorded entry 7 .*: entry 7 was cut from the end of the trail/)
  })

  it('takes a head file that lags behind the database (killed between a commit and its write) as no alarm', async () => {
    const dataDir = tempDir()
    const script = join(tempDir(), 'crash.mts')
    writeFileSync(script, `
      import { App } from ${JSON.stringify(join(ROOT, 'electron/core/app.ts'))}
      import { createDispatcher } from ${JSON.stringify(join(ROOT, 'electron/core/api.ts'))}
      import { memoryKeyProvider } from ${JSON.stringify(join(ROOT, 'electron/infra/secret-box.ts'))}
      const app = new App({ dataDir: process.argv[2], host: 'browser', keys: memoryKeyProvider(Buffer.alloc(32, 7)) })
      const call = createDispatcher(app)
      const ctx = { transport: 'test' as const }
      for (let i = 0; i < 3; i++) await call('tickets.create', { customerName: 'before ' + i }, ctx)
      await app.auditHead.flush() // the head file names entry 3
      for (let i = 0; i < 3; i++) await call('tickets.create', { customerName: 'after ' + i }, ctx)
      // Committed, acknowledged, and the head file's write still pending: the worst instant.
      process.kill(process.pid, 'SIGKILL')
    `)
    // Plain node with tsx's loader, so the kill hits the process that holds the database.
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, dataDir], { cwd: ROOT, encoding: 'utf8' })
    expect(child.signal, child.stderr).toBe('SIGKILL')
    expect(readHeadFile(dataDir)).toMatchObject({ state: 'present', head: { seq: 3 } })
    const r = verifyFolder(dataDir)
    expect(r).toMatchObject({ ok: true, entries: 6, firstBreak: null, headFile: { state: 'ok', seq: 3, lag: 3 }, records: { checked: 6, problems: [] } })
    expect(r.headFile.message).toMatch(/recorded entry 3 .*the 3 newer entries came later/)
    // The next start catches up.
    const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider(KEY) })
    await createDispatcher(app)('tickets.create', { customerName: 'next day' }, ctx)
    await app.close()
    expect(verifyFolder(dataDir)).toMatchObject({ ok: true, entries: 7, headFile: { state: 'ok', seq: 7, lag: 0 } })
  })

  it('never overwrites a head file the trail no longer reaches: the evidence of the cut stays', async () => {
    const { app, dataDir } = await sixEntries()
    await app.close()
    const before = readFileSync(join(dataDir, HEAD_FILE), 'utf8')
    cut(dataDir, 4)
    // The console keeps working on the cut trail (entries 4, 5, 6… again, with other hashes).
    const again = new App({ dataDir, host: 'browser', keys: memoryKeyProvider(KEY) })
    const call = createDispatcher(again)
    for (let i = 0; i < 4; i++) await call('tickets.create', { customerName: `later ${i}` }, ctx)
    await again.auditHead.flush()
    await again.close()
    // The warning is in the console's log (an error line), where support finds it.
    const logged = logFiles(dataDir).map((f) => readFileSync(f, 'utf8')).join('\n')
    expect(logged).toMatch(/"level":"error".*audit-head\.json names entry 6, which this trail does not have unchanged; it is left as it is\. Run \\"support-console audit verify\\"/)
    expect(readFileSync(join(dataDir, HEAD_FILE), 'utf8')).toBe(before)
    const r = verifyFolder(dataDir)
    expect(r.entries).toBe(7)
    expect(r.firstBreak).toMatchObject({ seq: 6, kind: 'rewritten' })
    expect(r.firstBreak?.message).toMatch(/^Entry 6 is not the entry the head file recorded on .*: the trail was rewritten up to it, or cut and written again after the cut\.$/)
  })

  it('passes a fresh data folder and a copy of the whole folder; flags a damaged head file and one of another trail', async () => {
    const fresh = tempDir()
    await new App({ dataDir: fresh, host: 'browser', keys: memoryKeyProvider(KEY) }).close()
    // The console writes the empty trail's head when it creates the folder (so a missing one is an alarm later).
    expect(verifyFolder(fresh)).toMatchObject({ ok: true, entries: 0, headFile: { state: 'ok', seq: 0 }, records: { problems: [] } })

    const { app, dataDir } = await sixEntries()
    await app.close()
    const copy = join(tempDir(), 'restored')
    cpSync(dataDir, copy, { recursive: true })
    expect(verifyFolder(copy)).toMatchObject({ ok: true, entries: 6, headFile: { state: 'ok', seq: 6 } })

    writeFileSync(join(copy, HEAD_FILE), '{"format":"support-console audit head","seq":6,')
    const damaged = verifyFolder(copy)
    expect(damaged).toMatchObject({ ok: false, firstBreak: null, headFile: { state: 'damaged' } })
    expect(damaged.headFile.message).toMatch(/cannot be read .*edited or damaged outside the console/)

    const { app: other, dataDir: otherDir } = await sixEntries()
    await other.close()
    cpSync(join(otherDir, HEAD_FILE), join(copy, HEAD_FILE))
    expect(verifyFolder(copy).firstBreak).toMatchObject({ seq: 6, kind: 'rewritten', message: expect.stringMatching(/for another trail \(its entry 1 differs\)/) })
  })
})

describe('records against the entries that created them', () => {
  it('names runs, finished steps, backups and reset codes without their entry, and is not fooled by other entries', () => {
    const repo = new AuditRepo(db)
    const entry = (action: string, ticketId: number | null, inputs: Record<string, unknown> = {}, outcome: 'ok' | 'refused' | 'info' = 'ok') => inTx(db, () => repo.tx().append({ agent: 'A', action, outcome, ticketId, inputs }))
    const now = '2026-11-22T04:00:00.000Z'
    for (const id of [1, 2]) {
      db.prepare("INSERT INTO tickets (id, customer_name, created_at, updated_at) VALUES (?, 'C', ?, ?)").run(id, now, now)
      entry('ticket.create', id)
    }
    const run = (ticketId: number, status: string) => Number(db.prepare("INSERT INTO workflow_runs (ticket_id, procedure, procedure_version, status, created_at, updated_at) VALUES (?, 'p', 1, ?, ?, ?)").run(ticketId, status, now, now).lastInsertRowid)
    const visit = (runId: number, stepId: string, visitNo: number, state: string) => Number(db.prepare('INSERT INTO workflow_steps (run_id, step_id, visit, state, started_at) VALUES (?, ?, ?, ?, ?)').run(runId, stepId, visitNo, state, now).lastInsertRowid)
    // Ticket 1: two runs, one start entry; the "serial" step done twice, recorded once, plus a refusal of another step.
    const r1 = run(1, 'abandoned')
    entry('workflow.start', 1)
    const r2 = run(1, 'active')
    visit(r1, 'serial', 1, 'done')
    entry('workflow.step.serial', 1, { outcome: 'ok' })
    const v2 = visit(r1, 'serial', 2, 'done')
    entry('workflow.step.reset', 1, {}, 'refused')
    visit(r1, 'reset', 1, 'current') // not finished: nothing to record yet
    // Ticket 2: a backup with its entry, one without; a reset code without its entry; an entry of ticket 1 does not count for 2.
    db.prepare("INSERT INTO devices (id, serial, first_seen, last_seen) VALUES (1, '54-0562-0293', ?, ?)").run(now, now)
    const backup = () => Number(db.prepare("INSERT INTO device_backups (device_id, ticket_id, taken_at, sha256, size, serial, format, data) VALUES (1, 2, ?, ?, 3, 's', 'conf', x'010203')").run(now, 'a'.repeat(64)).lastInsertRowid)
    backup()
    entry('devices.backup', 2)
    const b2 = backup()
    entry('devices.backup', 1)
    db.prepare("INSERT INTO nvr_reset_codes (id, ticket_id, nonce, provider, code_sealed, code_hint, agent, obtained_at) VALUES (7, 2, 'n', 'manual', 'v1:x', '••12', 'A', ?)").run(now)
    entry('nvrReset.code.issued', 2, { codeId: 6 })
    expect(verifyChain(db).ok).toBe(true)

    const r = verifyAll(db)
    expect(r.records.problems.map((p) => [p.kind, p.id])).toEqual([['workflow-run', r2], ['workflow-step', v2], ['device-backup', b2], ['reset-code', 7]])
    expect(r.records.problems.map((p) => p.message)).toEqual([
      `Workflow run #${r2} of ticket #1 exists but the entry that started it (workflow.start) is missing.`,
      `Step "serial" of workflow run #${r1} (ticket #1) is done but the entry that recorded it (workflow.step.serial) is missing.`,
      `Device backup #${b2} (ticket #2) exists but the entry that recorded it (devices.backup) is missing.`,
      'Reset code #7 of ticket #2 exists but the entry that recorded it (nvrReset.code.issued) is missing.',
    ])
    expect(r).toMatchObject({ ok: false, firstBreak: { kind: 'truncated', seq: r.entries + 1 } })
  })
})

describe('opening the trail to verify it', () => {
  const stamp = (f: string) => ({ mtimeMs: statSync(f).mtimeMs, sha256: createHash('sha256').update(readFileSync(f)).digest('hex') })

  it('refuses a database that needs a migration, saying so, and leaves it as it was', () => {
    const dir = tempDir()
    openDatabase(dir, { targetVersion: 7 }).close()
    const before = stamp(join(dir, DB_FILE))
    expect(() => openTrailReadOnly(dir)).toThrow(/needs migrating before this console can verify it \(missing: 8 audit-hash-unindexed[,)].*Verify opens it read-only and does not migrate it\./)
    expect(stamp(join(dir, DB_FILE))).toEqual(before)
    const check = new BetterSqlite3(join(dir, DB_FILE), { readonly: true })
    expect(check.pragma('user_version', { simple: true })).toBe(7)
    check.close()
    expect(() => openTrailReadOnly(tempDir())).toThrow(/There is no Support Console database in .* nothing to verify/)
  })

  it('reads a folder it may not write without changing the database file', async () => {
    const dataDir = tempDir()
    const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider(KEY) })
    await createDispatcher(app)('tickets.create', { customerName: 'Read-only' }, { transport: 'test' })
    await app.close()
    const file = join(dataDir, DB_FILE)
    const before = stamp(file)
    chmodSync(file, 0o444)
    chmodSync(dataDir, 0o555)
    try {
      const trail = openTrailReadOnly(dataDir)
      expect(trail.db.readonly).toBe(true)
      expect(verifyAll(trail.db, { dataDir })).toMatchObject({ ok: true, entries: 1, headFile: { state: 'ok', seq: 1 } })
      expect(() => trail.db.exec('CREATE TABLE x (a)')).toThrow(/readonly/)
      trail.close()
    } finally {
      chmodSync(dataDir, 0o755)
      chmodSync(file, 0o644)
    }
    expect(stamp(file)).toEqual(before)
  })
})
