import { describe, expect, it } from 'vitest'
import { migrate } from '../migrate'
import { TicketsRepo } from '../repos/tickets'
import { dbAt } from '../test/helpers'

describe('migration 18: substring search over ticket identifiers', () => {
  it('indexes the tickets, reset cases and device links already there, and keeps every ticket', async () => {
    const db = dbAt(17)
    const now = '2026-03-01T00:00:00.000Z'
    const ins = db.prepare("INSERT INTO tickets (external_ref, customer_name, contact, device_serial, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
    const a = ins.pluck().get('ZD-40001', 'Jiří Černý', 'jiri@cerny.cz +420 777 000 111', '54-0559-5383', now, now) as number
    const b = ins.pluck().get('', 'NVR owner', '', '', now, now) as number
    const c = ins.pluck().get('', 'Linked owner', '', '', now, now) as number
    db.prepare('INSERT INTO nvr_reset_cases (ticket_id, serial, mac, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(b, 'J12345BHEKX', 'a4:14:37:9c:0d:ef', now, now)
    const dev = db.prepare("INSERT INTO devices (serial, mac, first_seen, last_seen) VALUES ('54-1212-3434', '', ?, ?) RETURNING id").pluck().get(now, now)
    db.prepare('INSERT INTO device_tickets (device_id, ticket_id, linked_at) VALUES (?, ?, ?)').run(dev, c, now)
    const before = db.prepare('SELECT * FROM tickets ORDER BY id').all()

    migrate(db, 18)
    expect(db.prepare('SELECT * FROM tickets ORDER BY id').all()).toEqual(before)
    const repo = new TicketsRepo(db)
    const s = async (q: string) => (await repo.list({ search: q, status: 'all', limit: 10, offset: 0 })).items.map((t) => t.id)
    expect(await s('5383')).toEqual([a])
    expect(await s('0559-5383')).toEqual([a])
    expect(await s('000 111')).toEqual([a])
    expect(await s('cerny.cz')).toEqual([a])
    expect(await s('4000')).toEqual([a])
    expect(await s('BHEKX')).toEqual([b])
    expect(await s('9c:0d')).toEqual([b])
    expect(await s('3434')).toEqual([c])
    // New rows after the migration are indexed by the triggers.
    const d = ins.pluck().get('', 'Later', '', '54-9999-5383', now, now) as number
    expect((await s('5383')).sort()).toEqual([a, d].sort())
    db.prepare('DELETE FROM tickets WHERE id = ?').run(d)
    expect(await s('5383')).toEqual([a])
  })
})
