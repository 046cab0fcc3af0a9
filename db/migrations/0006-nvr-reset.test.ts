import BetterSqlite3 from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { configure } from '../database'
import { migrate } from '../migrate'
import { NvrResetRepo } from '../repos/nvr-reset'
import { inTx } from '../test/helpers'

describe('migration 6: nvr reset', () => {
  it('adds the reset tables to a database with tickets, audit entries and evidence, keeping them', async () => {
    const db = new BetterSqlite3(':memory:')
    configure(db)
    migrate(db, 5)
    db.prepare("INSERT INTO tickets (customer_name, procedure, created_at, updated_at) VALUES ('Acme', 'nvr-password-reset', 'now', 'now')").run()
    db.prepare("INSERT INTO audit_log (seq, at, agent, action, outcome, prev_hash, hash) VALUES (1, 'now', 'Ann', 'evidence.add', 'ok', 'g', 'h')").run()
    db.prepare(`INSERT INTO evidence (ticket_id, kind, source, name, mime, size, sha256, added_at, agent, personal, content, audit_seq)
      VALUES (1, 'qr-photo', 'qr-intake:drop', 'IMG.jpg', 'image/jpeg', 3, ?, 'now', 'Ann', 1, x'ffd8ff', 1)`).run('a'.repeat(64))
    migrate(db, 6)
    expect(db.prepare('SELECT customer_name FROM tickets').pluck().get()).toBe('Acme')
    expect(db.prepare('SELECT count(*) FROM evidence').pluck().get()).toBe(1)

    const repo = new NvrResetRepo(db)
    const photo = inTx(db, () => repo.tx().insertPhoto({ ticketId: 1, evidenceId: 1, sha256: 'a'.repeat(64), size: 3, mime: 'image/jpeg', width: 10, height: 10, fileName: 'IMG.jpg', source: 'drop', receivedAt: 'r', capturedAt: '2026-11-22T09:00:00', capturedHasZone: false }))
    expect(photo).toMatchObject({ decodeStatus: 'pending', codes: [], capturedHasZone: false })
    // The same photo twice on one ticket is one row.
    expect(() => inTx(db, () => repo.tx().insertPhoto({ ...photo, fileName: 'copy.jpg' }))).toThrow(/UNIQUE/)
    expect(await repo.photoBySha(1, 'a'.repeat(64))).toMatchObject({ id: photo.id })
    // Photos need their evidence row and ticket.
    expect(() => inTx(db, () => repo.tx().insertPhoto({ ...photo, sha256: 'b'.repeat(64), evidenceId: 99 }))).toThrow(/FOREIGN KEY/)

    const c = inTx(db, () => repo.tx().upsertCase(1, { payload: '2MSIM1:x.y', nonce: 'n1', customerTz: 'Europe/Prague', wrongCodes: 2 }))
    expect(c).toMatchObject({ ticketId: 1, nonce: 'n1', wrongCodes: 2, invalidated: null })
    expect(() => inTx(db, () => repo.tx().upsertCase(1, { invalidated: 'bored' as never }))).toThrow(/CHECK/)

    // Codes are stored only sealed.
    expect(() => inTx(db, () => repo.tx().addCode({ ticketId: 1, nonce: 'n1', provider: 'lab', codeSealed: 'plainCode', codeHint: '••de', reference: null, expiresAt: null, agent: 'Ann', obtainedAt: 'now' }))).toThrow(/CHECK/)
    const code = inTx(db, () => repo.tx().addCode({ ticketId: 1, nonce: 'n1', provider: 'lab', codeSealed: 'v1:abc', codeHint: '••de', reference: null, expiresAt: null, agent: 'Ann', obtainedAt: 'now' }))
    inTx(db, () => repo.tx().voidOpenCodes(1, 'screen left'))
    expect(inTx(db, () => repo.tx().code(code.id))).toMatchObject({ status: 'void', statusDetail: 'screen left' })

    inTx(db, () => repo.tx().addCheck({ ticketId: 1, kind: 'label-photo', passed: true, evidenceId: 1, note: '', agent: 'Ann', at: '1' }))
    inTx(db, () => repo.tx().addCheck({ ticketId: 1, kind: 'label-photo', passed: false, evidenceId: null, note: 'blurred', agent: 'Bob', at: '2' }))
    expect(await repo.latestChecks(1)).toEqual([expect.objectContaining({ kind: 'label-photo', passed: false, agent: 'Bob' })])
  })
})
