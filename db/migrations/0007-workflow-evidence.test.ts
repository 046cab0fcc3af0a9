import BetterSqlite3 from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { configure } from '../database'
import { migrate } from '../migrate'

describe('migration 7: workflow attachments in the evidence vault', () => {
  it('keeps existing attachments (still pointing at their file) and lets new ones name their evidence row', () => {
    const db = new BetterSqlite3(':memory:')
    configure(db)
    migrate(db, 6)
    db.prepare("INSERT INTO tickets (customer_name, procedure, created_at, updated_at) VALUES ('Acme', 'my2n-move', 'now', 'now')").run()
    db.prepare("INSERT INTO workflow_runs (ticket_id, procedure, procedure_version, status, current_step, created_at, updated_at) VALUES (1, 'my2n-move', 1, 'active', 'reset', 'n', 'n')").run()
    db.prepare("INSERT INTO workflow_steps (run_id, step_id, visit, state, started_at) VALUES (1, 'backup-upload', 1, 'done', 'n')").run()
    db.prepare(`INSERT INTO workflow_files (run_id, step_row, kind, name, size, sha256, stored_as, protected, verified, detail, created_at)
      VALUES (1, 1, 'backup', 'backup.xml', 3, ?, 'workflows/run-1/abc.bin', 0, 1, '2N IP Verso', '2026-11-01T10:00:00Z')`).run('a'.repeat(64))
    migrate(db, 7)
    expect(db.prepare('SELECT name, stored_as, verified, evidence_id FROM workflow_files').get()).toEqual({ name: 'backup.xml', stored_as: 'workflows/run-1/abc.bin', verified: 1, evidence_id: null })
    db.prepare("INSERT INTO audit_log (seq, at, agent, action, outcome, prev_hash, hash) VALUES (1, 'now', 'Ann', 'evidence.add', 'ok', 'g', 'h')").run()
    db.prepare(`INSERT INTO evidence (ticket_id, kind, source, name, mime, size, sha256, added_at, agent, personal, content, audit_seq)
      VALUES (1, 'config-backup', 'workflow:my2n-move:backup-upload', 'backup.xml', 'text/xml', 3, ?, 'now', 'Ann', 0, x'3c613e', 1)`).run('a'.repeat(64))
    db.prepare('UPDATE workflow_files SET evidence_id = 1, stored_as = \'\' WHERE id = 1').run()
    expect(db.prepare('SELECT e.kind FROM workflow_files f JOIN evidence e ON e.id = f.evidence_id').pluck().get()).toBe('config-backup')
    // The link must name an existing evidence row.
    expect(() => db.prepare('UPDATE workflow_files SET evidence_id = 99 WHERE id = 1').run()).toThrow(/FOREIGN KEY/)
  })
})
