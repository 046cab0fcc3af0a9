import { describe, expect, it } from 'vitest'
import { migrate } from '../migrate'
import { HelpdeskRepo } from '../repos/helpdesk'
import { TicketsRepo } from '../repos/tickets'
import { dbAt, inTx } from '../test/helpers'

describe('migration 13: helpdesk links and outbox', () => {
  it('keeps tickets, links one to a helpdesk ticket, queues with unique keys and keeps files byte for byte', async () => {
    const db = dbAt(9)
    const tickets = new TicketsRepo(db)
    const t = inTx(db, () => tickets.tx().create({ externalRef: 'RT#41', customerName: 'Jiří Nováček', contact: '', deviceSerial: '', deviceModel: '', procedure: 'nvr-password-reset', notes: '' }))
    const before = db.prepare('SELECT * FROM tickets').all()
    migrate(db, 13)
    expect(db.prepare('SELECT * FROM tickets').all()).toEqual(before)

    const repo = new HelpdeskRepo(db)
    inTx(db, () => repo.tx().saveProvider({ id: 'rt', baseUrl: 'http://rt.example', username: '', secretSealed: 'v1:abc', updatedAt: 'now' }))
    // Only sealed secrets, only known providers.
    expect(() => inTx(db, () => repo.tx().saveProvider({ id: 'rt', baseUrl: 'http://rt.example', username: '', secretSealed: 'plain-token', updatedAt: 'now' }))).toThrow(/CHECK/)
    expect(() => db.prepare("INSERT INTO helpdesk_providers VALUES ('jira', 'http://x', '', 'v1:x', 'now')").run()).toThrow(/CHECK/)
    inTx(db, () => repo.tx().saveLink({ ticketId: t.id, provider: 'rt', remoteId: '41', subject: 'Reset', requester: { name: 'Jiří Nováček', email: 'j@example.cz', phone: '', organization: '' }, linkedAt: 'now' }))
    expect(await repo.linkByRemote('rt', '41')).toMatchObject({ ticketId: t.id, requester: { name: 'Jiří Nováček' } })
    // One helpdesk ticket, one console ticket.
    const t2 = inTx(db, () => tickets.tx().create({ externalRef: '', customerName: 'B', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' }))
    expect(() => inTx(db, () => repo.tx().saveLink({ ticketId: t2.id, provider: 'rt', remoteId: '41', subject: '', requester: { name: '', email: '', phone: '', organization: '' }, linkedAt: 'now' }))).toThrow(/UNIQUE/)

    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 255, 1])
    const o = inTx(db, () => repo.tx().enqueue({ key: 'sc-0123456789abcdef', ticketId: t.id, provider: 'rt', remoteTicketId: '41', kind: 'note', subject: 's', body: 'b', files: [{ name: 'r.pdf', mime: 'application/pdf', sha256: 'a'.repeat(64), content: pdf }], now: '2026-01-01T00:00:00.000Z' }))
    expect((await repo.files(o.id))[0].content.equals(pdf)).toBe(true)
    expect(() => inTx(db, () => repo.tx().enqueue({ key: 'sc-0123456789abcdef', ticketId: t.id, provider: 'rt', remoteTicketId: '41', kind: 'reply', subject: 's', body: 'b', files: [], now: 'now' }))).toThrow(/UNIQUE/)
    expect((await repo.due('2026-01-01T00:00:01.000Z')).map((x) => x.id)).toEqual([o.id])
    // A 'sending' item (crash mid-send) is due again so it can be checked and finished.
    inTx(db, () => repo.tx().setStatus(o.id, { status: 'sending', nextAt: '2026-01-01T00:00:00.500Z' }))
    expect((await repo.due('2026-01-01T00:00:01.000Z')).map((x) => x.status)).toEqual(['sending'])
    expect(await repo.counts()).toEqual({ pending: 1, failed: 0 })
  })
})
