// Decoded pixels are capped and a long intake can be cancelled (issue 13, finding 12): an .eml
// of 40 solid-colour 100-megapixel PNGs (1.3 MB) used to cost 67 s of CPU.
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { buildServices, createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { pngChunk } from './photos/testing/hostile-images'
import { addPhotos } from './photos'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})
const ctx = { transport: 'test' as const }

async function setup() {
  const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
  cleanup.push(() => app.close())
  const r = await createDispatcher(app)('tickets.create', { customerName: 'Acme', procedure: 'nvr-password-reset' }, ctx)
  if (!r.ok) throw new Error(r.error.message)
  // The reset's dependencies as the root builds them (the dispatcher builds its own the same way).
  return { app, reset: buildServices(app).reset, ticketId: (r.value as { id: number }).id }
}

/** `n` distinct PNGs of one solid colour: the same pixels, a different text chunk (so a different SHA-256). */
async function solidPngs(side: number, n: number): Promise<Buffer[]> {
  // Level 9 for the huge ones: a 100 MP PNG of ~300 KB, as in the finding (the .eml stays under its size limit).
  const png = await sharp({ create: { width: side, height: side, channels: 3, background: '#f4f4f4' } }).png({ compressionLevel: side >= 8000 ? 9 : 1 }).toBuffer()
  const iend = png.length - 12
  return Array.from({ length: n }, (_, i) => Buffer.concat([png.subarray(0, iend), pngChunk('tEXt', Buffer.from(`Comment\0copy ${i}`, 'latin1')), png.subarray(iend)]))
}

function eml(pngs: Buffer[]): Buffer {
  const parts = pngs.map((p, i) => [`--b`, `Content-Type: image/png; name="screen-${i + 1}.png"`, 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="screen-${i + 1}.png"`, '', p.toString('base64').replace(/.{76}/g, '$&\r\n'), ''].join('\r\n'))
  return Buffer.from(['From: customer@example.com', 'Subject: photos', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=b', '', ...parts, '--b--', ''].join('\r\n'))
}

const evidenceCount = (app: App) => app.db.prepare('SELECT count(*) FROM evidence').pluck().get() as number

describe('pixel caps of the photo intake', () => {
  it('an .eml of 40 huge PNGs decodes what fits its budget and reports the rest as skipped, fast', async () => {
    const { app, reset, ticketId } = await setup()
    const mail = eml(await solidPngs(10_000, 40)) // 40 x 100 megapixels
    const t0 = performance.now()
    const results = await addPhotos(reset, ticketId, [{ name: 'photos.eml', source: 'eml', data: mail }])
    const ms = performance.now() - t0
    expect(mail.length).toBeLessThan(20e6)
    expect(results, results[0].message).toHaveLength(40)
    expect(results[0]).toMatchObject({ name: 'photos.eml › screen-1.png', status: 'added' })
    const rest = results.slice(1)
    expect(rest.every((r) => r.status === 'skipped' && r.key === 'photos.emlPixelCap' && r.photoId === null)).toBe(true)
    expect(rest[0].message).toMatch(/^Skipped, not decoded: this 100-megapixel photo would take the e-mail past its 120 megapixels of photos \(20 left\)\. Ask the customer for a normal phone photo/)
    expect(rest[0].values).toEqual({ mp: 100, cap: 120, left: 20 })
    expect(evidenceCount(app)).toBe(1)
    // One decode instead of forty (67 s of CPU before the cap).
    expect(ms).toBeLessThan(30_000)
    const audit = app.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'nvrReset.photo' AND outcome = 'refused' AND inputs LIKE '%eml-pixel-cap%'").pluck().get()
    expect(audit).toBe(39)
  }, 120_000)

  it('the per-call budget spans the files of one drop; the per-image cap refuses on the header alone', async () => {
    const { reset, ticketId } = await setup()
    const [a, b, c] = await solidPngs(2000, 3) // 4 MP each
    const results = await addPhotos(reset, ticketId, [a, b, c].map((data, i) => ({ name: `p${i}.png`, source: 'drop' as const, data })), { caps: { perCall: 9e6, perImage: 5e6 } })
    expect(results.map((r) => r.status)).toEqual(['added', 'added', 'skipped'])
    expect(results[2]).toMatchObject({ key: 'photos.callPixelCap', values: { mp: 4, cap: 9, left: 1 } })
    const big = (await solidPngs(3000, 1))[0] // 9 MP > 5 MP per image
    const [r] = await addPhotos(reset, ticketId, [{ name: 'big.png', source: 'drop', data: big }], { caps: { perImage: 5e6 } })
    expect(r).toMatchObject({ status: 'refused', key: 'photos.tooManyPixels', values: { width: 3000, height: 3000, mp: 9, cap: 5 } })
  }, 60_000)
})

describe('cancelling a long intake', () => {
  it('nvrReset.cancelIntake stops the decode at once: nothing after it is decoded or stored, what was stored stays', async () => {
    const { app, reset, ticketId } = await setup()
    const call = createDispatcher(app)
    const mail = eml(await solidPngs(6000, 8)) // 36 MP each: seconds per decode
    const small = (await solidPngs(500, 1))[0]
    await addPhotos(reset, ticketId, [{ name: 'first.png', source: 'drop', data: small }])
    const started = call('nvrReset.addPhotos', { ticketId, files: [{ name: 'photos.eml', source: 'eml', dataBase64: mail.toString('base64') }] }, ctx)
    // Once the first big photo is being decoded (its header was read and the budget taken)…
    await new Promise((r) => setTimeout(r, 400))
    const t0 = performance.now()
    expect(await call('nvrReset.cancelIntake', { ticketId }, ctx)).toEqual({ ok: true, value: { cancelled: 1 } })
    const r = await started
    expect(performance.now() - t0).toBeLessThan(3000)
    expect(r.ok).toBe(true)
    const results = (r as { value: { results: { status: string; key?: string; message: string }[] } }).value.results
    expect(results).toHaveLength(8)
    const firstCancelled = results.findIndex((x) => x.status === 'cancelled')
    expect(firstCancelled).toBeGreaterThanOrEqual(0)
    expect(results.slice(firstCancelled).every((x) => x.status === 'cancelled' && x.key === 'photos.cancelled')).toBe(true)
    expect(results[firstCancelled].message).toMatch(/^Not taken in: the agent cancelled the intake/)
    const added = results.filter((x) => x.status === 'added').length
    expect(evidenceCount(app)).toBe(1 + added)
    // Nothing is left running: a cancel now finds nothing.
    expect(await call('nvrReset.cancelIntake', { ticketId }, ctx)).toEqual({ ok: true, value: { cancelled: 0 } })
  }, 120_000)

  it('an aborted signal before the start takes nothing in', async () => {
    const { app, reset, ticketId } = await setup()
    const [p] = await solidPngs(500, 1)
    const results = await addPhotos(reset, ticketId, [{ name: 'a.png', source: 'drop', data: p }], { signal: AbortSignal.abort() })
    expect(results).toEqual([expect.objectContaining({ status: 'cancelled', photoId: null })])
    expect(evidenceCount(app)).toBe(0)
  })
})
