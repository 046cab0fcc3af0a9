// HTTPS pinning of an inventory device (driver.ts pinPolicy): the first certificate is pinned,
// a different one is refused, except once right after the console's own network factory reset
// (the device makes itself a new certificate); the window then closes with that one pin.
import { afterEach, describe, expect, it } from 'vitest'
import { DevicesRepo } from '../../../db/repos/devices'
import { dbAt } from '../../../db/test/helpers'
import { pinPolicy, type PendingNotes } from './driver'

const dbs: ReturnType<typeof dbAt>[] = []
afterEach(() => {
  for (const d of dbs.splice(0)) d.close()
})
const fp = (c: string) => Array.from({ length: 32 }, () => c + c).join(':')

describe('HTTPS pin of an inventory device', () => {
  it('pins the first certificate, refuses another, and takes one new certificate after our own network reset', async () => {
    const db = dbAt()
    dbs.push(db)
    const repo = new DevicesRepo(db)
    const id = (await repo.recordSeen({ serial: '54-0000-0077', ip: '127.0.0.77', kind: 'intercom' }))!
    const notes: PendingNotes = []
    const first = pinPolicy(repo, db, id, notes)!
    expect(first.pinned).toBe('')
    expect(first.decide(fp('a'), '')).toBe(true)
    expect(await repo.pin(id)).toBe(fp('a'))
    expect(pinPolicy(repo, db, id, notes)!.decide(fp('b'), fp('a'))).toBe(false)
    expect(await repo.pin(id)).toBe(fp('a'))

    // The console's own network factory reset opens the window (reset-ops.ts).
    await repo.setCertResetUntil(id, new Date(Date.now() + 60_000).toISOString())
    expect(pinPolicy(repo, db, id, notes)!.decide(fp('b'), fp('a'))).toBe(true)
    expect(await repo.pin(id)).toBe(fp('b'))
    expect(await repo.certResetUntil(id)).toBeNull()
    expect(notes.map((n) => n.note).join('\n')).toMatch(/pinned on first use[\s\S]*after the console's own network factory reset/)
    // One certificate per reset: a third one is refused again.
    expect(pinPolicy(repo, db, id, notes)!.decide(fp('c'), fp('b'))).toBe(false)
    expect(await repo.pin(id)).toBe(fp('b'))
  })

  it('an expired window admits nothing', async () => {
    const db = dbAt()
    dbs.push(db)
    const repo = new DevicesRepo(db)
    const id = (await repo.recordSeen({ serial: '54-0000-0078', ip: '127.0.0.78', kind: 'intercom' }))!
    pinPolicy(repo, db, id, [])!.decide(fp('a'), '')
    await repo.setCertResetUntil(id, new Date(Date.now() - 1000).toISOString())
    expect(pinPolicy(repo, db, id, [])!.decide(fp('b'), fp('a'))).toBe(false)
    expect(await repo.pin(id)).toBe(fp('a'))
  })
})
