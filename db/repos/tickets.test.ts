import { beforeEach, describe, expect, it } from 'vitest'
import { dbAt } from '../test/helpers'
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
        const t = big.createSync({ ...base, customerName: `Broad ${i}` }, new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString())
        if (i % 2) big.setStatusSync(t.id, 'closed', t.updatedAt)
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
