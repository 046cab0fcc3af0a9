import BetterSqlite3 from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DB_FILE, openDatabase } from './database'
import { migrate, schemaVersion } from './migrate'
import { latestVersion, migrations } from './migrations/index'
import { TicketsRepo } from './repos/tickets'
import { dbAt, tempDir } from './test/helpers'

describe('migrations', () => {
  it('have distinct positive numbers (features land in any order; migrate applies gaps later)', () => {
    const v = migrations.map((m) => m.version)
    expect(new Set(v).size).toBe(v.length)
    expect(v.every((n) => Number.isInteger(n) && n > 0)).toBe(true)
  })

  it('0001 creates tickets whose full-text index follows inserts, updates and deletes', async () => {
    const db = dbAt(1)
    const repo = new TicketsRepo(db)
    const t = await repo.create({ externalRef: 'ZD-1', customerName: 'Jan Novák', contact: '', deviceSerial: '54-1234-5678', deviceModel: 'IP Verso', procedure: 'my2n-move', notes: 'gate intercom' })
    expect((await repo.list({ search: 'novak', status: 'all', limit: 10, offset: 0 })).items.map((x) => x.id)).toEqual([t.id])
    await repo.update(t.id, { customerName: 'Petra Svobodová' })
    expect((await repo.list({ search: 'novak', status: 'all', limit: 10, offset: 0 })).total).toBe(0)
    expect((await repo.list({ search: 'svobodova', status: 'all', limit: 10, offset: 0 })).total).toBe(1)
    db.prepare('DELETE FROM tickets WHERE id = ?').run(t.id)
    expect((await repo.list({ search: 'svobodova', status: 'all', limit: 10, offset: 0 })).total).toBe(0)
    expect(db.prepare("INSERT INTO tickets_fts(tickets_fts) VALUES ('integrity-check')").run().changes).toBeGreaterThanOrEqual(0)
  })

  it('0002 keeps existing tickets and adds settings and the append-only audit trail', async () => {
    const db = dbAt(1)
    const repo = new TicketsRepo(db)
    const before = await repo.create({ externalRef: 'ZD-2', customerName: 'Acme', contact: 'a@b.c', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' })
    migrate(db, 2)
    expect(schemaVersion(db)).toBe(2)
    expect(await repo.get(before.id)).toEqual(before)
    expect((await repo.list({ search: 'acme', status: 'all', limit: 5, offset: 0 })).total).toBe(1)
    db.prepare(`INSERT INTO audit_log (seq, at, agent, action, outcome, prev_hash, hash) VALUES (1, 'x', 'a', 'b', 'ok', 'p', 'h')`).run()
    expect(() => db.prepare('UPDATE audit_log SET agent = ?').run('mallory')).toThrow(/append-only/)
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/)
  })

  it('runs each migration once: reopening a migrated folder changes nothing', async () => {
    const dir = tempDir()
    const db = openDatabase(dir)
    const repo = new TicketsRepo(db)
    await repo.create({ externalRef: '', customerName: 'Kept', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' })
    db.close()
    const again = openDatabase(dir)
    expect(schemaVersion(again)).toBe(latestVersion())
    expect((await new TicketsRepo(again).list({ search: '', status: 'all', limit: 5, offset: 0 })).items[0].customerName).toBe('Kept')
    expect(again.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(again.pragma('foreign_keys', { simple: true })).toBe(1)
    again.close()
  })

  it('refuses a database written by a newer console, and leaves it untouched', () => {
    const dir = tempDir()
    openDatabase(dir).close()
    const raw = new BetterSqlite3(join(dir, DB_FILE))
    raw.pragma(`user_version = ${latestVersion() + 5}`)
    raw.close()
    expect(() => openDatabase(dir)).toThrow(/newer Support Console/)
    const check = new BetterSqlite3(join(dir, DB_FILE))
    expect(check.pragma('user_version', { simple: true })).toBe(latestVersion() + 5)
    check.close()
  })

  it('a failing migration leaves the database at the last whole version', () => {
    const db = dbAt(1)
    const broken = [...migrations.slice(0, 1), { version: 2, name: 'broken', up: (d: BetterSqlite3.Database) => { d.exec('CREATE TABLE half (x)'); throw new Error('boom') } }]
    expect(() => migrate(db, 2, broken)).toThrow('boom')
    expect(schemaVersion(db)).toBe(1)
    expect(db.prepare("SELECT count(*) n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 })
  })
})
