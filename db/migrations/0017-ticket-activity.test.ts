import { describe, expect, it } from 'vitest'
import { migrate } from '../migrate'
import { AuditRepo } from '../repos/audit'
import { TicketsRepo } from '../repos/tickets'
import { dbAt, inTx } from '../test/helpers'

describe('migration 17: "updated" follows every activity on a ticket', () => {
  it('moves existing tickets to their newest entry, then every entry that names a ticket moves it; the list sorts by it', async () => {
    const db = dbAt(16)
    const tickets = new TicketsRepo(db)
    const a = inTx(db, () => tickets.tx().create({ externalRef: '', customerName: 'Anna', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' }, '2026-01-01T00:00:00.000Z'))
    const b = inTx(db, () => tickets.tx().create({ externalRef: '', customerName: 'Bert', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' }, '2026-01-02T00:00:00.000Z'))
    const audit = new AuditRepo(db)
    inTx(db, () => audit.tx().append({ agent: 'Ann', action: 'evidence.add', outcome: 'ok', ticketId: a.id }, '2026-01-05T00:00:00.000Z'))
    inTx(db, () => audit.tx().append({ agent: 'Ann', action: 'system.setAgent', outcome: 'ok' }, '2026-01-06T00:00:00.000Z'))
    const order = async () => (await tickets.list({ search: '', status: 'all', limit: 10, offset: 0 })).items.map((t) => t.customerName)
    expect(await order()).toEqual(['Bert', 'Anna'])
    migrate(db, 17)
    expect((await tickets.get(a.id)).updatedAt).toBe('2026-01-05T00:00:00.000Z')
    expect((await tickets.get(b.id)).updatedAt).toBe('2026-01-02T00:00:00.000Z')
    expect(await order()).toEqual(['Anna', 'Bert'])
    // New activity on Bert (a workflow step, an NVR reset entry…) moves Bert to the top.
    inTx(db, () => audit.tx().append({ agent: 'Ann', action: 'workflow.step.qr-photo', outcome: 'ok', ticketId: b.id }, '2026-01-07T00:00:00.000Z'))
    expect((await tickets.get(b.id)).updatedAt).toBe('2026-01-07T00:00:00.000Z')
    expect(await order()).toEqual(['Bert', 'Anna'])
    // An entry written with an older time never moves it back.
    inTx(db, () => audit.tx().append({ agent: 'Ann', action: 'ticket.update', outcome: 'ok', ticketId: b.id }, '2026-01-06T12:00:00.000Z'))
    expect((await tickets.get(b.id)).updatedAt).toBe('2026-01-07T00:00:00.000Z')
  })
})
