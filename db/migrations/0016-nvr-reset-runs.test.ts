import { describe, expect, it } from 'vitest'
import { migrate } from '../migrate'
import { AuditRepo } from '../repos/audit'
import { NvrResetRepo } from '../repos/nvr-reset'
import { dbAt, inTx } from '../test/helpers'

describe('migration 16: a code sent to the customer is recorded on the code', () => {
  it('gives codes already sent the time of their message entry, and leaves the others unsent', () => {
    const db = dbAt(15)
    db.prepare("INSERT INTO tickets (customer_name, procedure, created_at, updated_at) VALUES ('Acme', 'nvr-password-reset', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')").run()
    const repo = new NvrResetRepo(db)
    const code = (nonce: string) => db.prepare("INSERT INTO nvr_reset_codes (ticket_id, nonce, provider, code_sealed, code_hint, agent, obtained_at) VALUES (1, ?, 'lab', 'v1:x', '••gH', 'Ann', 'now') RETURNING id").pluck().get(nonce) as number
    const sent = code('n1')
    const unsent = code('n2')
    const audit = new AuditRepo(db)
    inTx(db, () => audit.tx().append({ agent: 'Ann', action: 'nvrReset.message', outcome: 'info', ticketId: 1, inputs: { kind: 'retake', lang: 'en' } }, '2026-01-02T09:00:00.000Z'))
    inTx(db, () => audit.tx().append({ agent: 'Ann', action: 'nvrReset.message', outcome: 'info', ticketId: 1, inputs: { kind: 'code', lang: 'cs', codeId: sent, codeHint: '••gH' } }, '2026-01-02T10:00:00.000Z'))
    inTx(db, () => audit.tx().append({ agent: 'Ann', action: 'nvrReset.message', outcome: 'info', ticketId: 1, inputs: { kind: 'code', lang: 'en', codeId: sent, codeHint: '••gH' } }, '2026-01-02T11:00:00.000Z'))
    migrate(db, 16)
    expect(inTx(db, () => repo.tx().code(sent))).toMatchObject({ sentAt: '2026-01-02T10:00:00.000Z', codeHint: '••gH', status: 'issued' })
    expect(inTx(db, () => repo.tx().code(unsent))).toMatchObject({ sentAt: null })
    // A later message does not move the first sending.
    inTx(db, () => repo.tx().markSent(sent, '2026-01-03T00:00:00.000Z'))
    inTx(db, () => repo.tx().markSent(unsent, '2026-01-03T00:00:00.000Z'))
    expect(inTx(db, () => repo.tx().code(sent))?.sentAt).toBe('2026-01-02T10:00:00.000Z')
    expect(inTx(db, () => repo.tx().code(unsent))?.sentAt).toBe('2026-01-03T00:00:00.000Z')
  })
})
