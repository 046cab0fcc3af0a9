import { describe, expect, it } from 'vitest'
import { migrate } from '../migrate'
import { TicketsRepo } from '../repos/tickets'
import { dbAt, inTx } from '../test/helpers'

describe('migration 22: the customer-message language of each ticket', () => {
  it('keeps every ticket as it was, with no language chosen, and takes only en, cs or de', () => {
    const db = dbAt(19)
    const now = '2026-03-01T00:00:00.000Z'
    db.prepare("INSERT INTO tickets (customer_name, external_ref, notes, created_at, updated_at) VALUES ('Jiří Černý', 'ZD-1', 'note', ?, ?)").run(now, now)
    db.prepare("INSERT INTO tickets (customer_name, status, created_at, updated_at) VALUES ('Anna Weber', 'waiting', ?, ?)").run(now, now)
    const before = db.prepare('SELECT * FROM tickets ORDER BY id').all() as Record<string, unknown>[]
    migrate(db, 22)
    const after = db.prepare('SELECT * FROM tickets ORDER BY id').all() as Record<string, unknown>[]
    expect(after).toEqual(before.map((r) => ({ ...r, customer_lang: null })))

    const repo = new TicketsRepo(db)
    expect(inTx(db, () => repo.tx().get(2)).customerLang).toBeNull()
    expect(inTx(db, () => repo.tx().setCustomerLang(2, 'de'))).toMatchObject({ id: 2, customerName: 'Anna Weber', customerLang: 'de', updatedAt: now })
    expect(inTx(db, () => repo.tx().get(1)).customerLang).toBeNull()
    expect(inTx(db, () => repo.tx().setCustomerLang(2, null)).customerLang).toBeNull()
    expect(() => db.prepare("UPDATE tickets SET customer_lang = 'fr' WHERE id = 1").run()).toThrow(/CHECK/)
    // Still found by the search (the column is outside the full-text index).
    expect(db.prepare("SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH 'weber'").pluck().all()).toEqual([2])
  })
})
