// The NVR reset as one run per ticket on the workflow engine: its steps complete from what the
// agent does in the reset panel (photo decoded, ownership recorded, code released, code
// applied, new password verified), never by a second click; the ticket's status follows.
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { startBench } from '../../../lab/bench'
import type { ResetView } from '../../../shared/contract/nvr-reset'
import type { Ticket } from '../../../shared/contract/tickets'
import type { WorkflowRun } from '../../../shared/contract/workflows'
import { buildServices, createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { exifUtc, phonePhoto } from './testing/phone-photo'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function console_(dataDir = tempDir()) {
  const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider() })
  const services = buildServices(app)
  const dispatch = createDispatcher(app, services)
  const call = async <T>(m: string, i: unknown): Promise<T> => {
    const r = await dispatch(m, i, { transport: 'test' })
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
    return r.value as T
  }
  return { app, services, call, dataDir }
}

describe('NVR reset: one observed run per ticket', () => {
  it('completes each step from the work in the reset panel, with the status following and one view per change', async () => {
    const bench = await startBench({ intercoms: 0, nvrs: 1, portMode: 'ephemeral', discovery: false, seed: 'wf-reset' })
    cleanup.push(() => bench.stop())
    const { app, call } = await console_()
    cleanup.push(() => app.close())
    const events: string[] = []
    app.bus.subscribe((name) => events.push(name))
    await call('system.setAgent', { name: 'Eva Agent', email: '' })
    await call('nvrReset.settings.set', { lab: { url: bench.vendor.url, apiKey: bench.vendor.apiKey } })
    const nvr = bench.nvr(0)
    const t = await call<Ticket>('tickets.create', { customerName: 'Acme', deviceSerial: nvr.serial, procedure: 'nvr-password-reset' })
    // The ticket has its run at once, waiting for the customer's photo: status "waiting".
    expect(t.status).toBe('waiting')
    const runs = async () => (await call<WorkflowRun[]>('workflows.forTicket', { ticketId: t.id })).filter((r) => r.procedure === 'nvr-password-reset')
    const only = async () => {
      const rs = await runs()
      expect(rs).toHaveLength(1)
      return rs[0]
    }
    const state = (r: WorkflowRun, id: string) => r.timeline.filter((e) => e.stepId === id).at(-1)?.state
    let run = await only()
    expect(run.current).toMatchObject({ stepId: 'qr-photo', observed: true })
    expect(run.timeline[0].why).toMatch(/Waiting for the customer’s photo/)
    // A second click is refused: the step completes by itself.
    await expect(call('workflows.completeStep', { runId: run.id, stepId: 'qr-photo', inputs: {} })).rejects.toMatchObject({ code: 'CONFLICT' })
    // "Start" on the card catches the one run up; it never makes a second one.
    expect((await call<WorkflowRun>('workflows.start', { ticketId: t.id, procedure: 'nvr-password-reset' })).id).toBe(run.id)

    nvr.openRetrievePassword()
    const jpg = await phonePhoto((await nvr.screenPng())!, { captured: { local: exifUtc(Date.now()), offset: '+00:00' } })
    events.length = 0
    const added = await call<{ view: ResetView }>('nvrReset.addPhotos', { ticketId: t.id, files: [{ name: 'p.jpg', source: 'drop', dataBase64: jpg.toString('base64') }] })
    expect(added.view.case?.fields?.serial).toBe(nvr.serial)
    // The reply carries the view; no event makes the window fetch it again.
    expect(events).not.toContain('nvrReset.changed')
    run = await only()
    expect(state(run, 'qr-photo')).toBe('done')
    expect(run.current?.stepId).toBe('ownership')
    expect(run.facts.serial).toBe(nvr.serial)
    expect((await call<Ticket>('tickets.get', { id: t.id })).status).toBe('open')

    const label = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#eee' } }).jpeg().toBuffer()
    await call('nvrReset.recordCheck', { ticketId: t.id, kind: 'label-photo', passed: true, note: 'ok', file: { name: 'l.jpg', dataBase64: label.toString('base64') } })
    await call('nvrReset.recordCheck', { ticketId: t.id, kind: 'ownership-document', passed: true, note: 'invoice', file: { name: 'i.jpg', dataBase64: label.toString('base64') } })
    expect((await only()).current?.stepId).toBe('ownership')
    // Changes at once (another window, the card's Start): the run catches up once, no step completes twice.
    await Promise.all([
      call('nvrReset.recordCheck', { ticketId: t.id, kind: 'requester-is-owner', passed: true, note: 'registered owner matches' }),
      call('nvrReset.update', { ticketId: t.id, customerTz: 'Europe/Prague' }),
      call('workflows.start', { ticketId: t.id, procedure: 'nvr-password-reset' }),
      call('nvrReset.update', { ticketId: t.id, customerTz: 'Europe/Prague' }),
    ])
    expect((await only()).current?.stepId).toBe('code')
    const v = await call<ResetView>('nvrReset.requestCode', { ticketId: t.id, provider: 'lab' })
    run = await only()
    expect(run.current?.stepId).toBe('apply')
    // The timeline shows the code only masked.
    expect(JSON.stringify(run)).toContain(v.codes[0].hint)
    await call('nvrReset.apply', { ticketId: t.id, codeId: v.codes[0].id, address: `${nvr.ip}:${nvr.info().httpPort}`, newPassword: 'N3w-Passw0rd!' })
    run = await only()
    expect(run.status).toBe('completed')
    expect(run.timeline.map((e) => `${e.stepId}:${e.state}:${e.outcome}`)).toEqual(['qr-photo:done:decoded', 'ownership:done:verified', 'code:done:released', 'apply:done:bench', 'verify:done:verified'])
    // Every step is audited, by the agent whose work completed it.
    const steps = app.db.prepare("SELECT action, agent FROM audit_log WHERE ticket_id = ? AND action LIKE 'workflow.%' ORDER BY seq").all(t.id) as { action: string; agent: string }[]
    expect(steps.map((s) => s.action)).toEqual(['workflow.start', 'workflow.step.qr-photo', 'workflow.step.ownership', 'workflow.step.code', 'workflow.step.apply', 'workflow.step.verify', 'workflow.complete'])
    expect(new Set(steps.map((s) => s.agent))).toEqual(new Set(['Eva Agent']))
  }, 90_000)

  it('off the bench: the code message counts as applied, the customer’s confirmation verifies; a new QR sends the run back to the photo', async () => {
    const bench = await startBench({ intercoms: 0, nvrs: 1, portMode: 'ephemeral', discovery: false, seed: 'wf-reset-remote' })
    cleanup.push(() => bench.stop())
    const { app, call } = await console_()
    cleanup.push(() => app.close())
    await call('system.setAgent', { name: 'Eva Agent', email: '' })
    await call('nvrReset.settings.set', { lab: { url: bench.vendor.url, apiKey: bench.vendor.apiKey } })
    const nvr = bench.nvr(0)
    const t = await call<Ticket>('tickets.create', { customerName: 'Acme', deviceSerial: nvr.serial, procedure: 'nvr-password-reset' })
    const run = async () => (await call<WorkflowRun[]>('workflows.forTicket', { ticketId: t.id }))[0]
    const photo = async () => {
      nvr.openRetrievePassword()
      const jpg = await phonePhoto((await nvr.screenPng())!, { captured: { local: exifUtc(Date.now()), offset: '+00:00' } })
      await call('nvrReset.addPhotos', { ticketId: t.id, files: [{ name: `p${Date.now()}.jpg`, source: 'drop', dataBase64: jpg.toString('base64') }] })
    }
    await photo()
    const label = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#ddd' } }).jpeg().toBuffer()
    for (const kind of ['label-photo', 'ownership-document'] as const) await call('nvrReset.recordCheck', { ticketId: t.id, kind, passed: true, note: 'ok', file: { name: `${kind}.jpg`, dataBase64: label.toString('base64') } })
    await call('nvrReset.recordCheck', { ticketId: t.id, kind: 'requester-is-owner', passed: true, note: 'owner matches' })
    await call('nvrReset.requestCode', { ticketId: t.id, provider: 'lab' })
    expect((await run()).current?.stepId).toBe('apply')
    // The customer left the screen: back to the photo, ticket waiting on the customer again.
    await call('nvrReset.invalidate', { ticketId: t.id, reason: 'left-screen' })
    expect((await run()).current?.stepId).toBe('qr-photo')
    expect((await call<Ticket>('tickets.get', { id: t.id })).status).toBe('waiting')
    await photo()
    // Ownership stays recorded: the run goes straight on to a code for the new QR.
    expect((await run()).current?.stepId).toBe('code')
    const v = await call<ResetView>('nvrReset.requestCode', { ticketId: t.id, provider: 'lab' })
    await expect(call('nvrReset.confirmVerified', { ticketId: t.id, note: 'phone call' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const m = await call<{ body: string; view: ResetView }>('nvrReset.message', { ticketId: t.id, kind: 'code', lang: 'cs' })
    expect(m.view.codes.find((c) => c.id === v.codes.at(-1)!.id)?.sentAt).toBeTruthy()
    expect((await run()).current?.stepId).toBe('verify')
    await call('nvrReset.confirmVerified', { ticketId: t.id, note: 'customer called back, logged in with the new password' })
    const done = await run()
    expect(done.status).toBe('completed')
    expect(done.timeline.filter((e) => e.stepId === 'apply').map((e) => e.outcome)).toEqual(['new-qr', 'sent'])
  }, 90_000)

  it('an older database: a run on version 1 is superseded by one run that catches up at start-up', async () => {
    const { app, services, call, dataDir } = await console_()
    await call('system.setAgent', { name: 'Eva Agent', email: '' })
    const t = await call<Ticket>('tickets.create', { customerName: 'Old', deviceSerial: 'X', procedure: 'nvr-password-reset' })
    // As version 1 left it: its own run, no v2 run, a decoded QR in the reset case.
    const { engine } = services.workflows
    const v2 = (await engine.forTicket(t.id))[0]
    await engine.abandon(v2.id, 'test: as before version 2')
    app.db.prepare("INSERT INTO workflow_runs (ticket_id, procedure, procedure_version, status, current_step, facts, secrets, created_at, updated_at) VALUES (?, 'nvr-password-reset', 1, 'active', 'qr-photo', '{}', '{}', ?, ?)").run(t.id, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')
    const v1 = app.db.prepare('SELECT max(id) FROM workflow_runs').pluck().get() as number
    app.db.prepare("INSERT INTO workflow_steps (run_id, step_id, visit, state, started_at) VALUES (?, 'qr-photo', 1, 'blocked', '2026-01-01T00:00:00.000Z')").run(v1)
    app.db.prepare("INSERT INTO nvr_reset_cases (ticket_id, payload, format, vendor, serial, nonce, issued_at, received_at, customer_tz, created_at, updated_at) VALUES (?, 'RAW-QR', 'raw', 'unknown', NULL, 'raw:RAW-QR', NULL, ?, 'Europe/Prague', ?, ?)").run(t.id, new Date().toISOString(), new Date().toISOString(), new Date().toISOString())
    await app.close()

    const again = await console_(dataDir)
    cleanup.push(() => again.app.close())
    await again.call('system.setAgent', { name: 'Eva Agent', email: '' })
    let runs: WorkflowRun[] = []
    for (let i = 0; i < 100; i++) {
      runs = await again.call<WorkflowRun[]>('workflows.forTicket', { ticketId: t.id })
      if (runs.some((r) => r.status === 'active' && r.current?.stepId === 'ownership')) break
      await new Promise((r) => setTimeout(r, 50))
    }
    const active = runs.filter((r) => r.status === 'active')
    expect(active).toHaveLength(1)
    expect(active[0].current?.stepId).toBe('ownership')
    expect(runs.find((r) => r.id === v1)?.status).toBe('abandoned')
  }, 30_000)
})
