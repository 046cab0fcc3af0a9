import { describe, expect, it } from 'vitest'
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
})
