import { describe, expect, it } from 'vitest'
import { AuditRepo } from './audit'
import { AuditQueryRepo } from './audit-query'
import { dbAt, inTx } from '../test/helpers'

function seeded() {
  const db = dbAt()
  const a = new AuditRepo(db)
  const at = (m: number) => new Date(Date.UTC(2026, 10, 22, 3, m)).toISOString()
  inTx(db, () => a.tx().append({ agent: 'Eva <eva@x>', action: 'ticket.create', outcome: 'ok', ticketId: 1 }, at(0)))
  inTx(db, () => a.tx().append({ agent: 'Eva <eva@x>', action: 'evidence.add', outcome: 'ok', ticketId: 1, inputs: { sha256: 'a'.repeat(64) } }, at(5)))
  inTx(db, () => a.tx().append({ agent: 'Jan', action: 'device.reboot', outcome: 'failed', ticketId: 2, device: 'DS-7608NI 1234' }, at(10)))
  inTx(db, () => a.tx().append({ agent: 'Jan', action: 'evidence.purge', outcome: 'ok', ticketId: 2 }, at(20)))
  inTx(db, () => a.tx().append({ agent: 'Jan', action: 'device_x%', outcome: 'info', device: '100%_sure' }, at(30)))
  return new AuditQueryRepo(db)
}
const seqs = (r: { rows: { seq: number }[] }) => r.rows.map((x) => x.seq)

describe('audit queries', () => {
  it('filters by ticket, device, agent, action family, outcome and time, newest first', async () => {
    const q = seeded()
    expect(seqs(await q.page({ limit: 10 }))).toEqual([5, 4, 3, 2, 1])
    expect(seqs(await q.page({ limit: 10, ticketId: 1 }))).toEqual([2, 1])
    expect(seqs(await q.page({ limit: 10, device: '7608' }))).toEqual([3])
    expect(seqs(await q.page({ limit: 10, agent: 'eva' }))).toEqual([2, 1]) // LIKE is case-insensitive for ASCII
    expect(seqs(await q.page({ limit: 10, action: 'evidence.' }))).toEqual([4, 2])
    expect(seqs(await q.page({ limit: 10, action: 'evidence.add' }))).toEqual([2])
    expect(seqs(await q.page({ limit: 10, outcome: 'failed' }))).toEqual([3])
    expect(seqs(await q.page({ limit: 10, from: '2026-11-22T03:05:00Z', to: '2026-11-22T04:10:00+01:00' }))).toEqual([3, 2]) // offsets normalised
    // LIKE wildcards typed by the agent match literally.
    expect(seqs(await q.page({ limit: 10, device: '%' }))).toEqual([5])
    expect(seqs(await q.page({ limit: 10, action: 'device_' }))).toEqual([])
  })

  it('pages with beforeSeq and counts the whole match', async () => {
    const q = seeded()
    const first = await q.page({ limit: 2 })
    expect(first.total).toBe(5)
    expect(seqs(first)).toEqual([5, 4])
    expect(seqs(await q.page({ limit: 2, beforeSeq: 4 }))).toEqual([3, 2])
    expect(await q.facets()).toEqual({ agents: ['Eva <eva@x>', 'Jan'], actions: ['device.reboot', 'device_x%', 'evidence.add', 'evidence.purge', 'ticket.create'] })
  })

  it('reads a ticket\'s entries, their links and the head (a bundle, in one snapshot through tx())', async () => {
    const q = seeded()
    expect((await q.forTicket(2)).map((r) => r.seq)).toEqual([3, 4])
    const head = await q.head()
    expect(head?.seq).toBe(5)
    expect(await q.hashOf(5)).toBe(head?.hash)
    expect(await q.hashOf(99)).toBeUndefined()
    expect((await q.linksAfter(2, 2)).map((l) => l[0])).toEqual([5])
    expect(await q.hasEntry('evidence.purge', 'ok')).toBe(true)
    expect(await q.hasEntry('evidence.purge', 'failed')).toBe(false)
    expect(() => q.tx()).toThrow(/outside a transaction/)
  })
})
