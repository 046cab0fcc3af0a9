import BetterSqlite3, { type Database } from 'better-sqlite3'
import { beforeEach, describe, expect, it } from 'vitest'
import { configure } from '../../db/database'
import { migrate } from '../../db/migrate'
import { AuditRepo, entryHash } from '../../db/repos/audit'
import { verifyChain } from './verify'

let db: Database
function fill(n: number) {
  const repo = new AuditRepo(db)
  for (let i = 1; i <= n; i++) repo.appendSync({ agent: 'Ann', action: 'ticket.update', outcome: 'ok', ticketId: (i % 3) + 1, inputs: { i } }, `2026-11-22T04:00:${String(i % 60).padStart(2, '0')}.000Z`)
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
    const { dbAt } = await import('../../db/test/helpers')
    const { verifyChainAsync } = await import('./verify')
    const main = dbAt()
    const repo = new AuditRepo(main)
    for (let i = 0; i < 50_000; i++) repo.appendSync({ agent: 'A', action: 'x', outcome: 'ok', inputs: { i } })
    const ro = new BetterSqlite3(main.name, { readonly: true })
    let appended = 0
    const appender = setInterval(() => {
      repo.appendSync({ agent: 'B', action: 'y', outcome: 'ok' })
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
