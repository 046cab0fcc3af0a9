import { describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from '../migrate'
import { AuditRepo } from '../repos/audit'
import { dbAt, inTx } from '../test/helpers'

describe('migration 11: a seal column on the audit trail', () => {
  it('keeps every entry unchanged (unsealed) and seals the entries written after it', () => {
    const db = dbAt(10)
    const old = new AuditRepo(db)
    for (let i = 0; i < 3; i++) inTx(db, () => old.tx().append({ agent: 'A', action: 'ticket.create', outcome: 'ok', ticketId: null, inputs: { i } }))
    const before = db.prepare('SELECT * FROM audit_log ORDER BY seq').all()
    migrate(db, 11)
    expect(schemaVersion(db)).toBe(11)
    expect(db.prepare('SELECT seq, at, agent, ticket_id, device, action, inputs, outcome, detail, prev_hash, hash FROM audit_log ORDER BY seq').all()).toEqual(before)
    expect(db.prepare('SELECT count(*) FROM audit_log WHERE mac IS NULL').pluck().get()).toBe(3)
    const sealed = new AuditRepo(db, { seal: (h) => `${h.slice(0, 32)}${'f'.repeat(32)}` })
    const e = inTx(db, () => sealed.tx().append({ agent: 'A', action: 'x', outcome: 'ok' }))
    expect(db.prepare('SELECT mac FROM audit_log WHERE seq = ?').pluck().get(e.seq)).toBe(`${e.hash.slice(0, 32)}${'f'.repeat(32)}`)
    // Still append-only.
    expect(() => db.prepare('UPDATE audit_log SET mac = NULL').run()).toThrow(/append-only/)
  })
})
