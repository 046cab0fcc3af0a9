import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { createDispatcher } from './api'
import { App } from './app'
import { memoryKeyProvider } from '../infra/secret-box'

const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})
function setup() {
  const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
  apps.push(app)
  return { app, call: createDispatcher(app) }
}
const ctx = { transport: 'test' as const }

describe('dispatcher', () => {
  it('creates a ticket, fills defaults and audits it with the agent', async () => {
    const { app, call } = setup()
    await call('system.setAgent', { name: 'Eva Agent', email: 'eva@example.com' }, ctx)
    const r = await call('tickets.create', { customerName: '  Jan  ' }, ctx)
    expect(r).toMatchObject({ ok: true, value: { id: 1, customerName: 'Jan', status: 'open', procedure: 'other', externalRef: '' } })
    const trail = await app.auditLog.forTicket(1)
    expect(trail).toHaveLength(1)
    expect(trail[0]).toMatchObject({ action: 'ticket.create', agent: 'Eva Agent <eva@example.com>', outcome: 'ok' })
  })

  it('names the offending field on a validation error', async () => {
    const { call } = setup()
    expect(await call('tickets.create', { customerName: '' }, ctx)).toEqual({ ok: false, error: { code: 'VALIDATION', field: 'customerName', message: 'customerName: Customer name is required', key: 'api.invalidField', values: { field: 'customerName', detail: 'Customer name is required' } } })
    const r = await call('tickets.setStatus', { id: 1, status: 'gone' }, ctx)
    expect(r.ok === false && r.error.field).toBe('status')
    const extra = await call('tickets.get', { id: 1, sql: 'DROP TABLE tickets' }, ctx)
    expect(extra.ok === false && extra.error.message).toMatch(/Unknown field: sql/)
    expect(extra.ok === false && extra.error).toMatchObject({ key: 'api.unknownFields', values: { fields: 'sql' } })
  })

  it('refuses unknown methods and non-object arguments without throwing', async () => {
    const { call } = setup()
    expect(await call('tickets.drop', {}, ctx)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    expect(await call('__proto__', {}, ctx)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } })
    for (const bad of [null, 42, 'x', [], true]) expect(await call('tickets.list', bad, ctx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('changes only the fields an edit names and keeps the rest', async () => {
    const { call } = setup()
    await call('tickets.create', { customerName: 'Jan', externalRef: 'HD-7', contact: 'jan@example.com', deviceSerial: '54-0000-0001', procedure: 'my2n-move', notes: 'first' }, ctx)
    const r = await call('tickets.update', { id: 1, patch: { notes: 'second' } }, ctx)
    expect(r).toMatchObject({ ok: true, value: { notes: 'second', externalRef: 'HD-7', contact: 'jan@example.com', deviceSerial: '54-0000-0001', procedure: 'my2n-move' } })
    const blank = await call('tickets.update', { id: 1, patch: { customerName: '' } }, ctx)
    expect(blank.ok === false && blank.error.field).toBe('patch.customerName')
  })

  it('turns a missing row into NOT_FOUND with a readable message', async () => {
    const { call } = setup()
    expect(await call('tickets.get', { id: 77 }, ctx)).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'Ticket #77 does not exist.', key: 'tickets.noSuch', values: { id: 77 } } })
  })
})
