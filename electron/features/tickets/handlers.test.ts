import { afterEach, describe, expect, it } from 'vitest'
import type { TicketEdit } from '../../../shared/contract/tickets'
import { tempDir } from '../../../db/test/helpers'
import { createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'

const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})
const ctx = { transport: 'test' as const }
async function setup() {
  const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
  apps.push(app)
  const call = createDispatcher(app)
  await call('system.setAgent', { name: 'Eva Dvořáková' }, ctx)
  const fields = { customerName: 'Jiří Černý', externalRef: 'ZD-1', contact: 'jiri@example.cz', deviceSerial: '54-0559-5383', deviceModel: 'IP Verso', procedure: 'my2n-move' as const, notes: 'first call' }
  await call('tickets.create', fields, ctx)
  return { app, call, fields }
}
// The per-field seals of the values after the change (ticketState, for `audit verify`) are checked in electron/security/audit-tamper.test.ts.
const entries = (app: App) => app.db.prepare("SELECT inputs FROM audit_log WHERE action = 'ticket.update' ORDER BY seq").pluck().all().map((s) => {
  const { ticketState, ...rest } = JSON.parse(s as string) as { ticketState?: Record<string, string> }
  expect(Object.keys(ticketState ?? {})).toHaveLength(8)
  return rest
})

describe('ticket edits', () => {
  it('audits only the fields that changed, with old and new values; personal values stay out of the trail', async () => {
    const { app, call, fields } = await setup()
    // The edit dialog sends every field; one changed.
    await call('tickets.update', { id: 1, patch: { ...fields, deviceSerial: '54-0559-5384' } }, ctx)
    expect(entries(app)).toEqual([{ fields: ['deviceSerial'], changes: { deviceSerial: { from: '54-0559-5383', to: '54-0559-5384' } } }])
    await call('tickets.update', { id: 1, patch: { ...fields, deviceSerial: '54-0559-5384', customerName: 'Jiří Černý ml.', notes: 'called back' } }, ctx)
    const last = entries(app)[1]
    expect(last).toEqual({ fields: ['customerName', 'notes'] })
    expect(JSON.stringify(last)).not.toContain('Černý')
    const r = await call('tickets.edits', { id: 1 }, ctx)
    const edits = { ok: r.ok, value: (r.ok ? r.value : []) as TicketEdit[] }
    expect(edits.ok && edits.value.map(({ field, from, to }) => ({ field, from, to }))).toEqual([
      { field: 'customerName', from: 'Jiří Černý', to: 'Jiří Černý ml.' },
      { field: 'notes', from: 'first call', to: 'called back' },
      { field: 'deviceSerial', from: '54-0559-5383', to: '54-0559-5384' },
    ])
    const seqs = app.db.prepare("SELECT seq FROM audit_log WHERE action = 'ticket.update' ORDER BY seq DESC").pluck().all()
    expect(edits.ok && [...new Set(edits.value.map((e) => e.auditSeq))]).toEqual(seqs)
  })

  it('writes nothing for an edit that changes nothing', async () => {
    const { app, call, fields } = await setup()
    const before = app.db.prepare('SELECT count(*) FROM audit_log').pluck().get()
    const r = await call('tickets.update', { id: 1, patch: { ...fields, notes: '  first call ' } }, ctx)
    expect(r.ok).toBe(true)
    expect(app.db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(before)
    expect(await call('tickets.edits', { id: 9 }, ctx)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })

  it('tells open ticket pages after the commit that the ticket has new audit entries', async () => {
    const { app, call } = await setup()
    const seen: { seq: number; ticketId: number | null; committed: number }[] = []
    app.bus.subscribe((name, p) => {
      if (name !== 'audit.appended') return
      const e = p as { seq: number; ticketId: number | null }
      // Read in the listener: the entry must already be committed and readable.
      seen.push({ ...e, committed: app.db.prepare('SELECT count(*) FROM audit_log WHERE seq = ?').pluck().get(e.seq) as number })
    })
    await call('tickets.update', { id: 1, patch: { notes: 'x' } }, ctx)
    await call('tickets.setStatus', { id: 1, status: 'waiting' }, ctx)
    await new Promise((r) => setImmediate(r))
    const last = app.db.prepare('SELECT max(seq) FROM audit_log').pluck().get()
    expect(seen.at(-1)).toEqual({ seq: last, ticketId: 1, committed: 1 })
    expect(seen.every((e) => e.committed === 1)).toBe(true)
  })
})

describe('customer-message language of a ticket', () => {
  const langEntries = (app: App) => app.db.prepare("SELECT inputs FROM audit_log WHERE action = 'ticket.customerLang' ORDER BY seq").pluck().all().map((s) => JSON.parse(s as string))
  it('is stored with the ticket (null until chosen) and every change is audited with the old and new value', async () => {
    const { app, call } = await setup()
    expect(await call('tickets.get', { id: 1 }, ctx)).toMatchObject({ ok: true, value: { customerLang: null } })
    expect(await call('tickets.setCustomerLang', { id: 1, lang: 'de' }, ctx)).toMatchObject({ ok: true, value: { id: 1, customerLang: 'de' } })
    expect(await call('tickets.setCustomerLang', { id: 1, lang: 'de' }, ctx)).toMatchObject({ ok: true })
    expect(await call('tickets.setCustomerLang', { id: 1, lang: 'cs' }, ctx)).toMatchObject({ ok: true })
    expect(await call('tickets.setCustomerLang', { id: 1, lang: null }, ctx)).toMatchObject({ ok: true, value: { customerLang: null } })
    // Each entry also seals the ticket's values after it (ticketState), so `audit verify` sees SQL edits.
    expect(langEntries(app)).toEqual([{ from: null, to: 'de' }, { from: 'de', to: 'cs' }, { from: 'cs', to: null }].map((e) => ({ ...e, ticketState: expect.any(Object) })))
    expect(await call('tickets.setCustomerLang', { id: 1, lang: 'fr' }, ctx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect(await call('tickets.setCustomerLang', { id: 9, lang: 'cs' }, ctx)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(langEntries(app)).toHaveLength(3)
  })
})
