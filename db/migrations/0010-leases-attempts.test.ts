import { describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from '../migrate'
import { LeasesRepo } from '../repos/devices-leases'
import { dbAt, inTx } from '../test/helpers'

describe('migration 10: leases and PIN attempts shared by processes', () => {
  it('keeps the data, and a lease is held by one holder until released, expired or its process is gone', () => {
    const db = dbAt(9)
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('agent', '{\"name\":\"A\"}', 'now')").run()
    migrate(db, 10)
    expect(schemaVersion(db)).toBe(10)
    expect(db.prepare("SELECT value FROM settings WHERE key = 'agent'").pluck().get()).toBe('{"name":"A"}')
    const r = new LeasesRepo(db)
    const a = inTx(db, () => r.tx().tryAcquire('login:10.0.0.1', 'test', 10_000))
    expect(a).toHaveProperty('token')
    expect(inTx(db, () => r.tx().tryAcquire('login:10.0.0.1', 'test', 10_000))).toMatchObject({ holder: { pid: process.pid, purpose: 'test' } })
    inTx(db, () => r.tx().release('login:10.0.0.1', (a as { token: string }).token))
    expect(inTx(db, () => r.tx().tryAcquire('login:10.0.0.1', 'test', 10_000))).toHaveProperty('token')
    // A dead process's lease is free at once; an expired one too.
    db.prepare("INSERT INTO leases (key, token, pid, purpose, acquired_at, expires_at) VALUES ('login:10.0.0.2', 'x', 2147483646, 'gone', 'now', ?)").run(Date.now() + 60_000)
    expect(inTx(db, () => r.tx().tryAcquire('login:10.0.0.2', 'test', 10_000))).toHaveProperty('token')
    db.prepare("INSERT INTO leases (key, token, pid, purpose, acquired_at, expires_at) VALUES ('login:10.0.0.3', 'y', 1, 'old', 'now', 0)").run()
    expect(inTx(db, () => r.tx().tryAcquire('login:10.0.0.3', 'test', 10_000))).toHaveProperty('token')
    expect(() => db.prepare("INSERT INTO attempts (scope, at, outcome) VALUES ('unlock', 1, 'maybe')").run()).toThrow(/CHECK/)
  })
})
