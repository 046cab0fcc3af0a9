import BetterSqlite3 from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { configure } from '../database'
import { migrate } from '../migrate'

describe('migration 5: evidence', () => {
  it('adds the vault to a database with tickets and audit entries, keeping them', () => {
    const db = new BetterSqlite3(':memory:')
    configure(db)
    migrate(db, 4)
    db.prepare("INSERT INTO tickets (customer_name, created_at, updated_at) VALUES ('Acme', 'now', 'now')").run()
    db.prepare("INSERT INTO audit_log (seq, at, agent, action, outcome, prev_hash, hash) VALUES (1, 'now', 'Ann', 'ticket.create', 'ok', 'g', 'h')").run()
    migrate(db, 5)
    expect(db.prepare('SELECT customer_name FROM tickets').pluck().get()).toBe('Acme')
    expect(db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(1)
    const add = db.prepare(`INSERT INTO evidence (ticket_id, kind, source, name, mime, size, sha256, added_at, agent, personal, content, audit_seq)
      VALUES (?, 'label-photo', 'upload', 'label.jpg', 'image/jpeg', 3, ?, 'now', 'Ann', 1, x'010203', 1)`)
    add.run(1, 'a'.repeat(64))
    expect(() => add.run(99, 'a'.repeat(64))).toThrow(/FOREIGN KEY/)
    expect(() => add.run(1, 'short')).toThrow(/CHECK/)
    // Identity and hash are fixed, content can only be dropped, rows never deleted.
    expect(() => db.prepare("UPDATE evidence SET sha256 = ? WHERE id = 1").run('b'.repeat(64))).toThrow(/never change/)
    expect(() => db.prepare("UPDATE evidence SET content = x'09' WHERE id = 1").run()).toThrow(/only be purged/)
    expect(() => db.prepare('DELETE FROM evidence').run()).toThrow(/kept/)
    db.prepare("UPDATE evidence SET content = NULL, thumbnail = NULL, purged_at = 'later' WHERE id = 1").run()
    expect(db.prepare('SELECT sha256 FROM evidence WHERE id = 1').pluck().get()).toBe('a'.repeat(64))
  })
})
