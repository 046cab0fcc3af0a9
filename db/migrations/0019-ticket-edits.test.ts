import { describe, expect, it } from 'vitest'
import { migrate } from '../migrate'
import { TicketsRepo } from '../repos/tickets'
import { dbAt, inTx } from '../test/helpers'

describe('migration 19: the values each ticket edit changed', () => {
  it('keeps every ticket and starts an empty edit history that takes old and new values', async () => {
    const db = dbAt(18)
    const now = '2026-03-01T00:00:00.000Z'
    db.prepare("INSERT INTO tickets (customer_name, notes, created_at, updated_at) VALUES ('Zofia Wójcik', 'note', ?, ?)").run(now, now)
    const before = db.prepare('SELECT * FROM tickets').all()
    migrate(db, 19)
    expect(db.prepare('SELECT * FROM tickets').all()).toEqual(before)
    const repo = new TicketsRepo(db)
    expect(await repo.edits(1)).toEqual([])
    const changes = inTx(db, () => repo.tx().changes(1, { customerName: 'Zofia Wójcik-Nowak', notes: 'note' }))
    expect(changes).toEqual([{ field: 'customerName', from: 'Zofia Wójcik', to: 'Zofia Wójcik-Nowak' }])
    inTx(db, () => repo.tx().recordEdits(1, 7, now, changes))
    expect(await repo.edits(1)).toEqual([{ auditSeq: 7, at: now, field: 'customerName', from: 'Zofia Wójcik', to: 'Zofia Wójcik-Nowak' }])
    expect(() => db.prepare("INSERT INTO ticket_edits (ticket_id, audit_seq, at, field, old_value, new_value) VALUES (1, 8, ?, 'status', 'a', 'b')").run(now)).toThrow(/CHECK/)
  })
})
