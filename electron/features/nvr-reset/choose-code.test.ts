// The Option 2 intake when a photo holds several QR codes (issue 15): the reset code is taken,
// the others are shown as not reset codes, and a code that is not a reset code is never used
// without the agent choosing it.
import QRCode from 'qrcode'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { startBench, type Bench } from '../../../lab/bench'
import type { ResetView } from '../../../shared/contract/nvr-reset'
import { createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { chooseResetCode, codeKind } from './choose-code'
import { exifUtc, phonePhoto } from './testing/phone-photo'

const APP_QR = 'https://play.google.com/store/apps/details?id=com.twom.guard'
const RESET = `2MSIM1:${Buffer.from(JSON.stringify({ v: 1, serial: '2M0123456789', mac: '00:11:22:33:44:55', model: 'NVR-2M-08', nonce: 'ab12', issuedAt: '2026-11-22T03:00:00Z' })).toString('base64url')}.${Buffer.alloc(32, 7).toString('base64url')}`

describe('chooseResetCode', () => {
  it('takes the reset code wherever it is among the codes, and names the others', () => {
    expect(chooseResetCode([{ text: APP_QR }, { text: RESET }])).toEqual({ chosen: 1, kinds: ['other', 'reset'] })
    expect(chooseResetCode([{ text: 'P2P:ABCDEF0123456789' }, { text: RESET }, { text: 'WIFI:T:WPA;S:x;P:y;;' }])).toEqual({ chosen: 1, kinds: ['unknown', 'reset', 'other'] })
  })

  it('prefers a reset code that reads cleanly over a damaged one', () => {
    expect(chooseResetCode([{ text: '2MSIM1:broken' }, { text: RESET }]).chosen).toBe(1)
    expect(chooseResetCode([{ text: '2MSIM1:broken' }]).chosen).toBe(0)
  })

  it('never chooses a link or other non-reset code, nor one of several unknown codes', () => {
    expect(chooseResetCode([{ text: APP_QR }]).chosen).toBeNull()
    expect(chooseResetCode([{ text: APP_QR }, { text: 'BEGIN:VCARD\nFN:Helpdesk\nEND:VCARD' }]).chosen).toBeNull()
    expect(chooseResetCode([{ text: 'P2P:AAA' }, { text: 'XYZ-123' }]).chosen).toBeNull()
    // One code of a format no parser knows is kept raw for the vendor's own tool, as before.
    expect(chooseResetCode([{ text: APP_QR }, { text: 'VENDOR-RESET:QUJD' }])).toEqual({ chosen: 1, kinds: ['other', 'unknown'] })
    expect(codeKind('  https://example.com/x')).toBe('other')
  })
})

describe('Option 2 intake of a photo with a reset QR beside an app QR', () => {
  const cleanup: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  async function setup() {
    const bench: Bench = await startBench({ intercoms: 0, nvrs: 1, portMode: 'ephemeral', discovery: false, seed: `codes-${Math.random()}` })
    cleanup.push(() => bench.stop())
    const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
    cleanup.push(() => app.close())
    const dispatch = createDispatcher(app)
    const call = async <T,>(m: string, i: unknown): Promise<T> => {
      const r = await dispatch(m, i, { transport: 'test' })
      if (!r.ok) throw new Error(r.error.message)
      return r.value as T
    }
    await call('system.setAgent', { name: 'Eva Agent', email: 'eva@example.com' })
    const nvr = bench.nvr(0)
    const t = await call<{ id: number }>('tickets.create', { customerName: 'Acme', deviceSerial: nvr.serial, procedure: 'nvr-password-reset' })
    const send = (name: string, jpg: Buffer) =>
      call<{ view: ResetView; results: { status: string; message: string }[] }>('nvrReset.addPhotos', { ticketId: t.id, files: [{ name, source: 'drop', dataBase64: jpg.toString('base64') }] })
    return { nvr, send }
  }

  /** The NVR's Retrieve Password screen with an app-download QR to the left of the reset QR (read first). */
  async function twoCodeScreen(screen: Buffer): Promise<Buffer> {
    const app = await QRCode.toBuffer(APP_QR, { scale: 6, margin: 4 })
    const side = (await sharp(app).metadata()).height!
    const { height } = await sharp(screen).metadata()
    return sharp(screen)
      .extend({ left: side + 60, background: '#1d2633' })
      .composite([{ input: app, left: 30, top: Math.round((height! - side) / 2) }])
      .png()
      .toBuffer()
  }

  it('takes the reset code, shows the app code as not a reset code, and says so', async () => {
    const s = await setup()
    s.nvr.openRetrievePassword()
    const screen = (await s.nvr.screenPng())!
    const payload = s.nvr.retrieve.current()!.payload
    const jpg = await phonePhoto(await twoCodeScreen(screen), { captured: { local: exifUtc(Date.now() - 60_000), offset: '+00:00' } })
    const r = await s.send('IMG_0002.jpg', jpg)
    expect(r.results[0].status).toBe('added')
    expect(r.results[0].message).toMatch(/2 QR codes found .*the reset code was taken; the other one is not a reset code and was not used/)
    const photo = r.view.photos[0]
    expect(photo.codes.map((c) => [c.text, c.kind]).sort()).toEqual([[payload, 'reset'], [APP_QR, 'other']].sort())
    expect(r.view.case?.payload).toBe(payload)
    expect(r.view.case?.format).toBe('2msim1')
  }, 90_000)

  it('never adopts an app code alone as the reset payload', async () => {
    const s = await setup()
    const app = await QRCode.toBuffer(APP_QR, { scale: 8, margin: 4 })
    const jpg = await phonePhoto(await sharp(app).extend({ top: 200, bottom: 200, left: 300, right: 300, background: '#1d2633' }).png().toBuffer())
    const r = await s.send('IMG_0003.jpg', jpg)
    expect(r.results[0].message).toMatch(/not a reset code/)
    expect(r.view.photos[0].codes.map((c) => [c.text, c.kind])).toEqual([[APP_QR, 'other']])
    expect(r.view.case?.payload ?? null).toBeNull()
  }, 90_000)
})
