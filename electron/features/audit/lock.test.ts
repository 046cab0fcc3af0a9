import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { buildServices, createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'

const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})
const ctx = { transport: 'test' as const }
const KEY = Buffer.alloc(32, 3)
function setup(dataDir = tempDir()) {
  // One key per data folder, as in a real one: PIN hashes are bound to it (issue 13).
  const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider(KEY) })
  apps.push(app)
  const services = buildServices(app)
  return { app, services, call: createDispatcher(app, services), dataDir }
}

describe('bench PIN lock', () => {
  it('stores only a scrypt hash, locks on demand, refuses every method but unlock, unlocks with the PIN', async () => {
    const { app, call } = setup()
    expect(await call('lock.lock', {}, ctx)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } }) // no PIN yet
    expect(await call('lock.setPin', { pin: '482913', idleMinutes: 5 }, ctx)).toMatchObject({ ok: true, value: { pinSet: true, locked: false, idleMinutes: 5 } })
    const stored = app.db.prepare("SELECT value FROM settings WHERE key = 'lock.pin'").pluck().get() as string
    expect(stored).not.toContain('482913')
    expect(JSON.parse(stored)).toMatchObject({ salt: expect.any(String), hash: expect.any(String) })

    await call('lock.lock', {}, ctx)
    for (const m of ['tickets.list', 'system.info', 'audit.list', 'evidence.list', 'lock.setPin', 'lock.clearPin']) {
      expect(await call(m, {}, ctx), m).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', field: 'lock' } })
    }
    expect(await call('lock.status', {}, ctx)).toMatchObject({ ok: true, value: { locked: true } })
    expect(await call('lock.unlock', { pin: '000000' }, ctx)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    expect(await call('lock.unlock', { pin: '482913' }, ctx)).toMatchObject({ ok: true, value: { locked: false } })
    expect(await call('tickets.list', {}, ctx)).toMatchObject({ ok: true })
    // Failed and successful unlocks are in the trail, the PIN never is.
    const trail = app.db.prepare("SELECT outcome, inputs, detail FROM audit_log WHERE action LIKE 'lock.%' ORDER BY seq").all() as { outcome: string; inputs: string; detail: string }[]
    expect(trail.map((e) => e.outcome)).toEqual(['ok', 'refused', 'ok'])
    expect(JSON.stringify(trail)).not.toContain('482913')
  })

  it('locks after the idle time and at start, and slows down PIN guessing', async () => {
    const dataDir = tempDir()
    const { app, services, call } = setup(dataDir)
    await call('lock.setPin', { pin: '123456', idleMinutes: 1 }, ctx)
    const now = Date.now()
    expect(await services.lock.gate('tickets.list', now + 30_000)).toBeNull()
    expect(await services.lock.gate('tickets.list', now + 30_000 + 61_000)).toMatchObject({ code: 'UNAUTHORIZED' })
    for (let i = 0; i < 5; i++) await call('lock.unlock', { pin: '999999' }, ctx)
    const blocked = await call('lock.unlock', { pin: '123456' }, ctx)
    expect(blocked).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(!blocked.ok && blocked.error.message).toMatch(/Too many wrong PINs/)
    await app.close()
    // A restart starts locked when a PIN is set, and the wrong PINs still count (they are in the database).
    const again = setup(dataDir)
    expect(await again.call('tickets.list', {}, ctx)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    expect(await again.call('lock.unlock', { pin: '123456' }, ctx)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(await again.services.lock.unlock('123456', Date.now() + 31_000)).toMatchObject({ locked: false })
    expect(await again.call('lock.clearPin', { currentPin: '123456' }, ctx)).toMatchObject({ ok: true, value: { pinSet: false } })
  })

  it('changing the PIN needs the current one', async () => {
    const { call } = setup()
    await call('lock.setPin', { pin: '111111' }, ctx)
    expect(await call('lock.setPin', { pin: '222222' }, ctx)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(await call('lock.setPin', { pin: '222222', currentPin: '111111' }, ctx)).toMatchObject({ ok: true })
    expect(await call('lock.setPin', { pin: '12' }, ctx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    // Four digits are too few (issue 13).
    expect(await call('lock.setPin', { pin: '4444', currentPin: '222222' }, ctx)).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/6 to 12 digits/) } })
  })
})
