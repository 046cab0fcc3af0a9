import { describe, expect, it } from 'vitest'
import { verifyChain } from '../../electron/features/audit/verify'
import { dbAt } from '../test/helpers'
import { AuditRepo, entryHash, GENESIS, isSecretKey, maskSecrets } from './audit'

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

  it('masks secret-bearing key names in every spelling', () => {
    const secret = ['password', 'newPassword', 'old_password', 'admin-pass', 'pass', 'passwd', 'PASSWORD', 'passphrase', 'pin', 'PIN', 'userPin', 'pin_code', 'passcode',
      'securityCode', 'security_code', 'SECURITY_CODE', 'securitycode', 'my2nSecurityCode', 'resetCode', 'unlock-code', 'code', 'secret', 'clientSecret', 'token', 'accessToken',
      'refresh_token', 'apiKey', 'api_key', 'APIKey', 'x-api-key', 'privateKey', 'sealedKey', 'credentials', 'authorization', 'device.password']
    const innocent = ['passive', 'passed', 'passes', 'bypass', 'compass', 'passage', 'pinned', 'spinner', 'shipping', 'opinion', 'pinout', 'codeId', 'codeHint', 'codesFound', 'zipCode',
      'countryCode', 'errorCode', 'statusCode', 'key', 'keyboard', 'monkey', 'keyId', 'tokenizer', 'secretary', 'username', 'serial', 'port', 'protocols', 'model', 'note']
    expect(secret.filter((k) => !isSecretKey(k))).toEqual([])
    expect(innocent.filter((k) => isSecretKey(k))).toEqual([])
  })

  it('keeps innocent inputs readable in the trail while masking the secrets beside them', async () => {
    const db = dbAt()
    const audit = new AuditRepo(db)
    const inputs = { passive: true, passed: 'ownership', pinned: 'yes', shipping: 'DHL', spinner: 'on', compass: 'N', codeId: 7, key: 'retention.personalDays', password: 'Hunter2!', my2n: { securityCode: 'aB3xQ9', pin: '4321' } }
    const e = await audit.append({ agent: 'Eva', action: 'ticket.update', outcome: 'ok', inputs })
    expect(JSON.parse(e.inputs)).toEqual({ ...inputs, password: '[masked]', my2n: { securityCode: '[masked]', pin: '[masked]' } })
    const raw = JSON.stringify(db.prepare('SELECT * FROM audit_log').all())
    for (const s of ['Hunter2!', 'aB3xQ9', '4321']) expect(raw).not.toContain(s)
    expect(raw).toContain('DHL')
  })

  it('commits appends issued together in one transaction, in order, on one unbroken chain; a bad one fails alone', async () => {
    const db = dbAt()
    const audit = new AuditRepo(db)
    await audit.append({ agent: 'Eva', action: 'ticket.create', outcome: 'ok' })
    db.pragma('wal_checkpoint(TRUNCATE)')
    const burst = Array.from({ length: 50 }, (_, i) =>
      audit.append({ agent: 'Eva', action: 'ticket.update', outcome: 'ok', ticketId: i === 20 ? ('not a number' as unknown as number) : i, inputs: { i } }),
    )
    const results = await Promise.allSettled(burst)
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1)
    expect(results[20].status).toBe('rejected')
    const entries = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
    // Issue order is seq order, with no gap where the bad entry was rolled back.
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 49 }, (_, i) => i + 2))
    expect(entries.map((e) => JSON.parse(e.inputs).i)).toEqual(Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 20))
    // Committed by the time each promise resolves: a second connection sees them all.
    const other = new (db.constructor as new (f: string) => typeof db)(db.name)
    expect(other.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(50)
    other.close()
    // One commit wrote each changed page once: far fewer WAL frames than 49 separate commits (≥ 5 pages each).
    const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[]
    expect(log).toBeLessThan(49)
    const report = verifyChain(db)
    expect(report).toMatchObject({ ok: true, entries: 50 })
  })
})
