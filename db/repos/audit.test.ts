import { describe, expect, it } from 'vitest'
import { dbAt } from '../test/helpers'
import { AuditRepo, entryHash, GENESIS, maskSecrets } from './audit'

describe('audit trail', () => {
  it('chains every entry to the one before it', async () => {
    const db = dbAt()
    const audit = new AuditRepo(db)
    const a = await audit.append({ agent: 'Eva', action: 'ticket.create', outcome: 'ok', ticketId: null })
    const b = await audit.append({ agent: 'Eva', action: 'ticket.status', outcome: 'ok', inputs: { to: 'closed' } })
    expect(a.prevHash).toBe(GENESIS)
    expect(b.prevHash).toBe(a.hash)
    const { hash, ...rest } = b
    expect(entryHash(rest)).toBe(hash)
    expect(entryHash({ ...rest, agent: 'Mallory' })).not.toBe(hash)
  })

  it('masks secret-looking inputs at any depth before storing them', async () => {
    const db = dbAt()
    const audit = new AuditRepo(db)
    const e = await audit.append({ agent: 'Eva', action: 'device.setPassword', outcome: 'ok', inputs: { user: 'admin', password: 'Hunter2!', nested: { securityCode: 'aB3xQ9', note: 'fine' } } })
    expect(JSON.parse(e.inputs)).toEqual({ user: 'admin', password: '[masked]', nested: { securityCode: '[masked]', note: 'fine' } })
    const raw = JSON.stringify(db.prepare('SELECT * FROM audit_log').all())
    expect(raw).not.toContain('Hunter2!')
    expect(raw).not.toContain('aB3xQ9')
    expect(maskSecrets({ pin: '1234', apiKey: 'k', x: [{ token: 't' }] })).toEqual({ pin: '[masked]', apiKey: '[masked]', x: [{ token: '[masked]' }] })
  })
})
