import { describe, expect, it } from 'vitest'
import { migrate } from '../migrate'
import { DevicesRepo } from '../repos/devices'
import { dbAt, inTx } from '../test/helpers'

describe('migration 25: the devices by address index', () => {
  it('keeps every device, and finds one by its exact address through the index', () => {
    const db = dbAt(24)
    const ins = db.prepare('INSERT INTO devices (serial, ip, first_seen, last_seen) VALUES (?, ?, ?, ?)')
    // 60 devices whose addresses contain 10.0.0.1 as a substring, seen more recently than the one at exactly 10.0.0.1.
    ins.run('EXACT', '10.0.0.1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')
    for (let i = 0; i < 60; i++) ins.run(`NEAR-${i}`, `10.0.0.1${i}`, '2026-02-01T00:00:00.000Z', `2026-02-01T00:00:${String(i).padStart(2, '0')}.000Z`)
    const before = db.prepare('SELECT * FROM devices ORDER BY id').all()

    migrate(db, 25)
    expect(db.prepare('SELECT * FROM devices ORDER BY id').all()).toEqual(before)
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM devices d WHERE d.ip = ? ORDER BY d.last_seen DESC LIMIT 1").all('10.0.0.1') as { detail: string }[]
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX devices_ip/)
    const repo = new DevicesRepo(db)
    expect(inTx(db, () => repo.tx().findByIp('10.0.0.1'))?.serial).toBe('EXACT')
    expect(inTx(db, () => repo.tx().findByIp('10.0.0.2'))).toBeNull()
  })
})
