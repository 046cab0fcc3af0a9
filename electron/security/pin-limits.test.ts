// Issue 13, findings 3 and 8: PIN limits fell to parallel requests (300 parallel unlocks: 298
// compared, the right one unlocked; 200 wrong approver PINs all compared), two consoles doubled
// the rate, PIN hashes could be attacked offline from a copy of the database, and one agent
// could satisfy the second-agent rule alone by enrolling a made-up approver.
import { createHash, scryptSync } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { createDispatcher } from '../core/api'
import { App } from '../core/app'
import { memoryKeyProvider } from '../infra/secret-box'
import { addApprover, checkApprover } from '../features/nvr-reset/approvers'

const KEY = Buffer.alloc(32, 9)
const ctx = { transport: 'test' as const }
const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})
/** One more process on the folder (the browser host beside the desktop app, a second console). */
const open = (dataDir: string) => {
  const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider(KEY) })
  apps.push(app)
  return { app, call: createDispatcher(app) }
}
type R = { ok: boolean; error?: { code: string; message: string } }

describe('PIN limits hold under parallel calls and across processes', () => {
  it('300 parallel unlocks with wrong PINs and the right one last: 5 compared, still locked', async () => {
    const { app, call } = open(tempDir())
    await call('lock.setPin', { pin: '583920', idleMinutes: 5 }, ctx)
    await call('lock.lock', {}, ctx)
    const pins = Array.from({ length: 299 }, (_, i) => String(100000 + i)).concat('583920')
    const rs = (await Promise.all(pins.map((pin) => call('lock.unlock', { pin }, ctx)))) as R[]
    expect(rs.filter((r) => r.ok)).toEqual([])
    expect(rs.filter((r) => r.error?.code === 'UNAUTHORIZED')).toHaveLength(5) // compared, wrong
    expect(rs.filter((r) => r.error?.code === 'FORBIDDEN' && /Too many wrong PINs/.test(r.error.message))).toHaveLength(295)
    expect(await call('lock.status', {}, ctx)).toMatchObject({ ok: true, value: { locked: true } })
    expect(app.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'lock.unlock' AND outcome = 'refused'").pluck().get()).toBe(5)
  }, 120_000)

  it('two consoles on one folder share the count', async () => {
    const dir = tempDir()
    const a = open(dir)
    await a.call('lock.setPin', { pin: '583920', idleMinutes: 5 }, ctx)
    await a.call('lock.lock', {}, ctx)
    const b = open(dir) // starts locked
    for (let i = 0; i < 3; i++) expect(await a.call('lock.unlock', { pin: `11111${i}` }, ctx)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    for (let i = 0; i < 2; i++) expect(await b.call('lock.unlock', { pin: `22222${i}` }, ctx)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    expect(await b.call('lock.unlock', { pin: '583920' }, ctx)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(await a.call('lock.unlock', { pin: '583920' }, ctx)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
  }, 60_000)

  it('200 parallel wrong approver PINs and the right one: not approved, 5 compared', async () => {
    const { app } = open(tempDir())
    await app.setAgent({ name: 'Eva Agent', email: 'eva@example.com' })
    await addApprover(app, { name: 'Petr Second', email: 'petr@example.com', pin: '482100' })
    const t = await app.tickets.create({ externalRef: 'ZD-13', customerName: 'C', contact: '', deviceSerial: '', deviceModel: '', procedure: 'nvr-password-reset', notes: '' })
    const pins = Array.from({ length: 200 }, (_, i) => String(700000 + i)).concat('482100')
    const rs = await Promise.allSettled(pins.map((pin) => checkApprover(app, t.id, 'petr@example.com', pin)))
    expect(rs.filter((r) => r.status === 'fulfilled')).toEqual([])
    expect(rs.filter((r) => r.status === 'rejected' && /not Petr Second’s PIN/.test(String((r.reason as Error).message)))).toHaveLength(5)
  }, 120_000)

  it('PIN hashes are bound to the data key: the database alone does not confirm a guess; 4 digits are refused', async () => {
    const { app, call } = open(tempDir())
    expect(await call('lock.setPin', { pin: '4821', idleMinutes: 5 }, ctx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    await call('lock.setPin', { pin: '583920', idleMinutes: 5 }, ctx)
    const stored = JSON.parse(app.db.prepare("SELECT value FROM settings WHERE key = 'lock.pin'").pluck().get() as string) as { salt: string; hash: string; v: number }
    expect(stored.v).toBe(2)
    // The offline attack of the finding: scrypt of the right PIN with the stored salt no longer gives the stored hash.
    const plain = scryptSync('583920', Buffer.from(stored.salt, 'base64'), 32, { N: 16384, r: 8, p: 1 }).toString('base64')
    expect(plain).not.toBe(stored.hash)
    expect(createHash('sha256').update('583920').digest('base64')).not.toBe(stored.hash)
  })
})

describe('a second agent for real', () => {
  it('enrolling needs an enrolled approver’s PIN (the first is bootstrapped once); nobody vouches for themselves', async () => {
    const { app, call } = open(tempDir())
    await app.setAgent({ name: 'Eva Agent', email: 'eva@example.com' })
    expect(await call('nvrReset.approvers.add', { name: 'Petr Second', email: 'petr@example.com', pin: '482100' }, ctx)).toMatchObject({ ok: true })
    // The attack: a made-up approver with a PIN the agent chose.
    const alone = (await call('nvrReset.approvers.add', { name: 'Made Up', email: 'nobody@example.com', pin: '111111' }, ctx)) as R
    expect(alone).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/approver already enrolled vouching/) } })
    expect(await call('nvrReset.approvers.add', { name: 'Made Up', email: 'nobody@example.com', pin: '111111', sponsor: { email: 'petr@example.com', pin: '000000' } }, ctx)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', field: 'sponsor.pin' } })
    expect(await call('nvrReset.approvers.add', { name: 'Jana Third', email: 'jana@example.com', pin: '333333', sponsor: { email: 'petr@example.com', pin: '482100' } }, ctx)).toMatchObject({ ok: true })
    // Removing every approver does not reopen the bootstrap.
    await call('nvrReset.approvers.remove', { email: 'petr@example.com' }, ctx)
    await call('nvrReset.approvers.remove', { email: 'jana@example.com' }, ctx)
    expect(await call('nvrReset.approvers.add', { name: 'Made Up', email: 'nobody@example.com', pin: '111111' }, ctx)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    const trail = app.db.prepare("SELECT outcome, detail FROM audit_log WHERE action = 'nvrReset.approver.add' ORDER BY seq").all() as { outcome: string; detail: string }[]
    expect(trail.map((e) => e.outcome)).toEqual(['ok', 'refused', 'refused', 'ok', 'refused'])
    expect(trail[0].detail).toMatch(/first approver of this data folder, enrolled without a sponsor/)
    // The agent at the console cannot approve their own release by enrolling under their own name.
    expect(await call('nvrReset.approvers.add', { name: 'Eva Agent', email: 'eva2@example.com', pin: '555555' }, ctx)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/your own second agent/) } })
  })
})
