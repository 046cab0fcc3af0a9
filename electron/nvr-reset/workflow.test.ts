// The NVR reset as a guided procedure on the workflow engine: each step completes only when
// the reset's recorded state says so.
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { startBench } from '../../lab/bench'
import type { ResetView } from '../../shared/contract/nvr-reset'
import type { WorkflowReply, WorkflowRun } from '../../shared/contract/workflows'
import { createDispatcher } from '../core/api'
import { App } from '../core/app'
import { memoryKeyProvider } from '../core/secret-box'
import { exifUtc, phonePhoto } from './testing/phone-photo'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

describe('NVR reset procedure on the workflow engine', () => {
  it('walks the timeline only as far as the reset really is', async () => {
    const bench = await startBench({ intercoms: 0, nvrs: 1, portMode: 'ephemeral', discovery: false, seed: 'wf-reset' })
    cleanup.push(() => bench.stop())
    const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
    cleanup.push(() => app.close())
    const dispatch = createDispatcher(app)
    const call = async <T>(m: string, i: unknown): Promise<T> => {
      const r = await dispatch(m, i, { transport: 'test' })
      if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
      return r.value as T
    }
    await call('system.setAgent', { name: 'Eva Agent', email: '' })
    await call('nvrReset.settings.set', { lab: { url: bench.vendor.url, apiKey: bench.vendor.apiKey } })
    const nvr = bench.nvr(0)
    const t = await call<{ id: number }>('tickets.create', { customerName: 'Acme', deviceSerial: nvr.serial, procedure: 'nvr-password-reset' })
    const procs = await call<{ id: string; ticketProcedure: string }[]>('workflows.procedures', {})
    expect(procs.find((p) => p.ticketProcedure === 'nvr-password-reset')?.id).toBe('nvr-password-reset')
    const run = await call<WorkflowRun>('workflows.start', { ticketId: t.id, procedure: 'nvr-password-reset' })
    const complete = (stepId: string, outcome?: string) => call<WorkflowReply>('workflows.completeStep', { runId: run.id, stepId, inputs: {}, outcome })
    const state = (r: WorkflowReply, id: string) => r.run.timeline.filter((e) => e.stepId === id).at(-1)?.state

    // No photo yet: the step stays blocked with the reason.
    const early = await complete('qr-photo')
    expect(state(early, 'qr-photo')).toBe('blocked')
    expect(JSON.stringify(early.run.timeline)).toMatch(/No QR yet/)

    nvr.openRetrievePassword()
    const jpg = await phonePhoto((await nvr.screenPng())!, { captured: { local: exifUtc(Date.now()), offset: '+00:00' } })
    await call('nvrReset.addPhotos', { ticketId: t.id, files: [{ name: 'p.jpg', source: 'drop', dataBase64: jpg.toString('base64') }] })
    const decoded = await complete('qr-photo')
    expect(state(decoded, 'qr-photo')).toBe('done')
    expect(decoded.run.facts.serial).toBe(nvr.serial)
    expect(decoded.run.current?.stepId).toBe('ownership')
    expect(state(await complete('ownership'), 'ownership')).toBe('blocked')

    const label = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#eee' } }).jpeg().toBuffer()
    await call('nvrReset.recordCheck', { ticketId: t.id, kind: 'label-photo', passed: true, note: 'ok', file: { name: 'l.jpg', dataBase64: label.toString('base64') } })
    await call('nvrReset.recordCheck', { ticketId: t.id, kind: 'ownership-document', passed: true, note: 'invoice', file: { name: 'i.jpg', dataBase64: label.toString('base64') } })
    await call('nvrReset.recordCheck', { ticketId: t.id, kind: 'requester-is-owner', passed: true, note: 'registered owner matches' })
    expect((await complete('ownership')).run.current?.stepId).toBe('code')
    const v = await call<ResetView>('nvrReset.requestCode', { ticketId: t.id, provider: 'lab' })
    const coded = await complete('code')
    expect(coded.run.current?.stepId).toBe('send')
    // The timeline shows the code only masked.
    expect(JSON.stringify(coded.run)).toContain(v.codes[0].hint)
    await complete('send', 'bench')
    expect(state(await complete('verify'), 'verify')).toBe('blocked')
    await call('nvrReset.apply', { ticketId: t.id, codeId: v.codes[0].id, address: `${nvr.ip}:${nvr.info().httpPort}`, newPassword: 'N3w-Passw0rd!' })
    const done = await complete('verify')
    expect(done.run.status).toBe('completed')
  }, 60_000)
})
