import BetterSqlite3, { type Database } from 'better-sqlite3'
import { beforeEach, describe, expect, it } from 'vitest'
import { appliedVersions, migrate, schemaVersion } from './migrate'
import type { Migration } from './migrations/index'

let db: Database
const made = (db: Database) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 't%' ORDER BY name").pluck().all()
const m = (version: number): Migration => ({ version, name: `m${version}`, up: (d) => d.exec(`CREATE TABLE t${version} (x INTEGER) STRICT`) })

beforeEach(() => {
  db = new BetterSqlite3(':memory:')
})

describe('migrate', () => {
  it('applies a lower version that landed after a higher one, in version order', () => {
    expect(migrate(db, undefined, [m(1), m(2), m(5)])).toBe(5)
    expect(made(db)).toEqual(['t1', 't2', 't5'])
    db.prepare('INSERT INTO t5 VALUES (42)').run()
    // A later build knows 3 and 4 too, appended to the list after 5.
    const order: number[] = []
    const tracked = (v: number): Migration => ({ ...m(v), up: (d) => (order.push(v), m(v).up(d)) })
    expect(migrate(db, undefined, [m(1), m(2), m(5), tracked(4), tracked(3)])).toBe(5)
    expect(order).toEqual([3, 4])
    expect(made(db)).toEqual(['t1', 't2', 't3', 't4', 't5'])
    expect(db.prepare('SELECT x FROM t5').pluck().get()).toBe(42)
    expect([...appliedVersions(db)].sort()).toEqual([1, 2, 3, 4, 5])
    // Idempotent.
    expect(migrate(db, undefined, [m(1), m(2), m(3), m(4), m(5)])).toBe(5)
  })

  it('treats a database from before the ledger as having 1..user_version', () => {
    m(1).up(db)
    m(2).up(db)
    db.pragma('user_version = 2')
    expect(migrate(db, undefined, [m(1), m(2), m(3)])).toBe(3)
    expect(made(db)).toEqual(['t1', 't2', 't3'])
    expect(db.prepare("SELECT applied_at FROM schema_migrations WHERE version = 1").pluck().get()).toBe('before-ledger')
  })

  it('stops at a target and refuses a newer database', () => {
    expect(migrate(db, 2, [m(1), m(2), m(5)])).toBe(2)
    expect(made(db)).toEqual(['t1', 't2'])
    db.pragma('user_version = 9')
    expect(() => migrate(db, undefined, [m(1), m(2)])).toThrow(/newer Support Console/)
    expect(schemaVersion(db)).toBe(9)
  })

  it('rolls back a failing migration whole', () => {
    const bad: Migration = { version: 3, name: 'bad', up: (d) => (d.exec('CREATE TABLE t3 (x INTEGER) STRICT'), d.exec('SYNTAX ERROR')) }
    migrate(db, undefined, [m(1), m(2)])
    expect(() => migrate(db, undefined, [m(1), m(2), bad])).toThrow()
    expect(made(db)).toEqual(['t1', 't2'])
    expect(schemaVersion(db)).toBe(2)
    expect(appliedVersions(db).has(3)).toBe(false)
  })
})
