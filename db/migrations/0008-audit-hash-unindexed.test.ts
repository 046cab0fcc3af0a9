import BetterSqlite3 from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { verifyChain } from '../../electron/features/audit/verify'
import { configure } from '../database'
import { migrate } from '../migrate'
import { AuditRepo } from '../repos/audit'
import { inTx } from '../test/helpers'

describe('migration 8: audit trail without the UNIQUE hash index', () => {
  it('keeps every entry byte for byte, the chain, the indexes and the append-only triggers', () => {
    const db = new BetterSqlite3(':memory:')
    configure(db)
    migrate(db, 7)
    db.prepare("INSERT INTO tickets (customer_name, procedure, created_at, updated_at) VALUES ('Acme', 'my2n-move', 'now', 'now')").run()
    const audit = new AuditRepo(db)
    for (let i = 0; i < 40; i++) inTx(db, () => audit.tx().append({ agent: 'Ann <ann@example.com>', action: i % 3 ? 'ticket.update' : 'device.backup', outcome: 'ok', ticketId: i % 2 ? 1 : null, device: i % 3 ? null : 'DS-7608NI', inputs: { i, password: 'x' }, detail: `step ${i}` }))
    const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all()
    const head = verifyChain(db).head

    migrate(db, 8)
    expect(db.prepare('SELECT * FROM audit_log ORDER BY seq').all()).toEqual(rows)
    expect(verifyChain(db)).toMatchObject({ ok: true, entries: 40, head })
    // The hash is no longer indexed; the query indexes are back.
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log' ORDER BY name").pluck().all()
    expect(indexes).toEqual(['audit_action', 'audit_device', 'audit_ticket'])
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT seq FROM audit_log WHERE ticket_id = 1 ORDER BY seq DESC').all() as { detail: string }[]
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/audit_ticket/)
    // Still append-only at the database level.
    expect(() => db.prepare("UPDATE audit_log SET outcome = 'failed' WHERE seq = 3").run()).toThrow(/append-only/)
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 40').run()).toThrow(/append-only/)
    // New entries continue the same chain.
    const next = inTx(db, () => new AuditRepo(db).tx().append({ agent: 'Ann', action: 'ticket.update', outcome: 'ok', ticketId: 1 }))
    expect(next).toMatchObject({ seq: 41, prevHash: head!.hash })
    expect(verifyChain(db)).toMatchObject({ ok: true, entries: 41 })
  })
})
