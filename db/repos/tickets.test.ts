import { beforeEach, describe, expect, it } from 'vitest'
import { dbAt, inTx } from '../test/helpers'
import { ftsQuery, TicketsRepo } from './tickets'

const base = { externalRef: '', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other' as const, notes: '' }

describe('tickets repository', () => {
  let repo: TicketsRepo
  beforeEach(async () => {
    repo = new TicketsRepo(dbAt())
    await repo.create({ ...base, customerName: 'Jan Novák', externalRef: 'ZD-48213', deviceSerial: '54-0123-4567', notes: 'Intercom at the front gate' }, '2026-01-01T10:00:00.000Z')
    await repo.create({ ...base, customerName: 'Acme Security', deviceSerial: '21012345678901234567', procedure: 'nvr-password-reset' }, '2026-01-02T10:00:00.000Z')
    await repo.create({ ...base, customerName: 'Maria Rossi', notes: 'customer travels until Friday' }, '2026-01-03T10:00:00.000Z')
  })

  const search = async (s: string, status: 'all' | 'active' | 'open' | 'waiting' | 'resolved' | 'closed' = 'all') =>
    (await repo.list({ search: s, status, limit: 50, offset: 0 })).items.map((t) => t.customerName)

  it('lists newest first', async () => {
    expect(await search('')).toEqual(['Maria Rossi', 'Acme Security', 'Jan Novák'])
  })

  it('finds by prefix, without diacritics, by helpdesk ID, serial and notes', async () => {
    expect(await search('nova')).toEqual(['Jan Novák'])
    expect(await search('zd-482')).toEqual(['Jan Novák'])
    expect(await search('54-0123')).toEqual(['Jan Novák'])
    expect(await search('210123')).toEqual(['Acme Security'])
    expect(await search('front gate')).toEqual(['Jan Novák'])
    expect(await search('gate rossi')).toEqual([])
  })

  it('finds any piece of three or more characters of a serial, MAC, helpdesk ID, phone or e-mail', async () => {
    await repo.create({ ...base, customerName: 'Petr Dvořák', externalRef: 'ZD-77120', contact: '+420 603 987 654, petr.dvorak@example.cz', deviceSerial: '54-0559-5383' }, '2026-01-04T10:00:00.000Z')
    await repo.create({ ...base, customerName: 'Hikvision owner', deviceSerial: 'DS-7608NI-K2BHEKX0415' }, '2026-01-05T10:00:00.000Z')
    expect(await search('5383')).toEqual(['Petr Dvořák'])
    expect(await search('0559-5383')).toEqual(['Petr Dvořák'])
    expect(await search('05595383')).toEqual(['Petr Dvořák'])
    expect(await search('BHEKX')).toEqual(['Hikvision owner'])
    expect(await search('bhekx')).toEqual(['Hikvision owner'])
    expect(await search('7712')).toEqual(['Petr Dvořák'])
    expect(await search('987 654')).toEqual(['Petr Dvořák'])
    expect(await search('603987')).toEqual(['Petr Dvořák'])
    expect(await search('example.cz')).toEqual(['Petr Dvořák'])
    // Every word must still match: a piece of the serial and a name together.
    expect(await search('5383 dvorak')).toEqual(['Petr Dvořák'])
    expect(await search('5383 rossi')).toEqual([])
    // Two characters are too few for a substring: only word prefixes count there.
    expect(await search('83')).toEqual([])
    // A piece never spans two values (serial end + e-mail start).
    expect(await search('5383petr')).toEqual([])
    // Edits move the index along.
    const [t] = (await repo.list({ search: '5383', status: 'all', limit: 1, offset: 0 })).items
    await repo.update(t.id, { deviceSerial: '54-1111-2222' })
    expect(await search('5383')).toEqual([])
    expect(await search('1111-22')).toEqual(['Petr Dvořák'])
  })

  it('finds a ticket by a piece of the MAC or serial of its NVR reset case or of a linked device', async () => {
    const db = dbAt()
    const r = new TicketsRepo(db)
    const t = inTx(db, () => r.tx().create({ ...base, customerName: 'Case owner' }))
    const other = inTx(db, () => r.tx().create({ ...base, customerName: 'Device owner' }))
    const now = '2026-02-01T00:00:00.000Z'
    db.prepare('INSERT INTO nvr_reset_cases (ticket_id, serial, mac, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(t.id, '2MN8016AB1234', 'A4:14:37:9C:0D:EF', now, now)
    const s = async (q: string) => (await r.list({ search: q, status: 'all', limit: 10, offset: 0 })).items.map((x) => x.customerName)
    expect(await s('9c:0d:ef')).toEqual(['Case owner'])
    expect(await s('9C0DEF')).toEqual(['Case owner'])
    expect(await s('AB123')).toEqual(['Case owner'])
    const dev = db.prepare("INSERT INTO devices (serial, mac, first_seen, last_seen) VALUES ('54-9988-7766', '7C:1E:B3:00:11:22', ?, ?) RETURNING id").pluck().get(now, now)
    db.prepare('INSERT INTO device_tickets (device_id, ticket_id, linked_at) VALUES (?, ?, ?)').run(dev, other.id, now)
    expect(await s('9988')).toEqual(['Device owner'])
    db.prepare("UPDATE devices SET mac = '7C:1E:B3:44:55:66' WHERE id = ?").run(dev)
    expect(await s('445566')).toEqual(['Device owner'])
    expect(await s('001122')).toEqual([])
    db.prepare('DELETE FROM device_tickets WHERE device_id = ?').run(dev)
    expect(await s('9988')).toEqual([])
  })

  it('never turns FTS syntax typed by an agent into a query error', async () => {
    for (const s of ['"', 'a*', 'NOT', 'AND OR', '(', 'x:y', '^', '{}', '""""', 'NEAR(a b)']) {
      await expect(repo.list({ search: s, status: 'all', limit: 5, offset: 0 })).resolves.toBeDefined()
    }
    expect(ftsQuery('  a  "b" ')).toBe('"a"* "b"*')
  })

  it('filters by status and counts them', async () => {
    const [t] = (await repo.list({ search: 'rossi', status: 'all', limit: 1, offset: 0 })).items
    await repo.setStatus(t.id, 'waiting')
    const acme = (await repo.list({ search: 'acme', status: 'all', limit: 1, offset: 0 })).items[0]
    await repo.setStatus(acme.id, 'resolved')
    expect(await search('', 'waiting')).toEqual(['Maria Rossi'])
    expect(await search('', 'active')).toEqual(['Maria Rossi', 'Jan Novák'])
    expect(await repo.counts()).toEqual({ open: 1, waiting: 1, resolved: 1, closed: 0 })
  })

  it('reports the total beyond one page', async () => {
    const page = await repo.list({ search: '', status: 'all', limit: 2, offset: 0 })
    expect(page.items).toHaveLength(2)
    expect(page.total).toBe(3)
  })

  it('says which ticket does not exist', async () => {
    await expect(repo.get(999)).rejects.toThrow('Ticket #999 does not exist.')
    await expect(repo.setStatus(999, 'closed')).rejects.toThrow(/#999/)
  })

  it('pages a very broad search without sorting every match, and says when the total is estimated', async () => {
    const db = dbAt()
    const big = new TicketsRepo(db)
    db.transaction(() => {
      for (let i = 0; i < 2500; i++) {
        const t = inTx(db, () => big.tx().create({ ...base, customerName: `Broad ${i}` }, new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString()))
        if (i % 2) inTx(db, () => big.tx().setStatus(t.id, 'closed', t.updatedAt))
      }
    })()
    const all = await big.list({ search: 'broad', status: 'all', limit: 3, offset: 0 })
    expect(all.items.map((t) => t.customerName)).toEqual(['Broad 2499', 'Broad 2498', 'Broad 2497'])
    expect(all).toMatchObject({ total: 2500, totalExact: true })
    const active = await big.list({ search: 'broad', status: 'active', limit: 2, offset: 0 })
    expect(active.items.map((t) => t.customerName)).toEqual(['Broad 2498', 'Broad 2496'])
    expect(active.totalExact).toBe(false)
    expect(active.total).toBe(1250)
  })
})
