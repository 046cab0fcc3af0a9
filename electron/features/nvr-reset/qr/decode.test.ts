import { readFileSync } from 'node:fs'
import QRCode from 'qrcode'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/contract/common'
import { normalizeImage } from '../photos/intake'
import { decodeQr, STRATEGY_NAMES, type Point, type Quad } from './decode'
import { quad, screenPhoto, type Pt } from './testing/synth'
import { zxingRead } from './zxing'

const TEXT = 'NVR2M|SN=2M0123456789|MAC=00:11:22:33:44:55|N=8f3a9c|T=2026-11-22T03:00:00Z'

/** A QR PNG and the corners of its symbol (TL, TR, BR, BL) in that PNG. */
async function qrPng(text: string, scale = 8, margin = 4, opts: QRCode.QRCodeToBufferOptions = {}) {
  const png = await QRCode.toBuffer(text, { scale, margin, errorCorrectionLevel: 'M', ...opts })
  const n = QRCode.create(text, { errorCorrectionLevel: 'M', ...(opts as QRCode.QRCodeOptions) }).modules.size
  const a = margin * scale
  const b = (margin + n) * scale
  const corners: Quad = [
    [a, a],
    [b, a],
    [b, b],
    [a, b],
  ]
  return { png, corners, module: scale, side: (n + 2 * margin) * scale }
}

/** Where point p of a w x h image lands after sharp's rotate(deg) (clockwise, canvas expanded). */
function rotatePoint([x, y]: Point, deg: number, w: number, h: number): Point {
  const t = (deg * Math.PI) / 180
  const c = Math.cos(t)
  const s = Math.sin(t)
  const w2 = Math.abs(w * c) + Math.abs(h * s)
  const h2 = Math.abs(w * s) + Math.abs(h * c)
  const dx = x - w / 2
  const dy = y - h / 2
  return [dx * c - dy * s + w2 / 2, dx * s + dy * c + h2 / 2]
}

function expectCorners(actual: Quad, expected: readonly Point[], tolerance: number) {
  actual.forEach(([x, y], i) => {
    const [ex, ey] = expected[i]
    expect(Math.hypot(x - ex, y - ey), `corner ${i}: got (${x}, ${y}), expected near (${ex.toFixed(1)}, ${ey.toFixed(1)})`).toBeLessThan(tolerance)
  })
}

async function plainReads(bytes: Buffer, text: string): Promise<boolean> {
  const img = await normalizeImage(bytes)
  // Plain zxing-wasm: default options, one call.
  return (await zxingRead(img, {})).some((r) => r.text === text)
}

describe('decodeQr on generated codes', () => {
  it('reads a clean PNG and locates its corners', async () => {
    const q = await qrPng(TEXT)
    const r = await decodeQr(q.png)
    expect(r.codes).toHaveLength(1)
    expect(r.codes[0].text).toBe(TEXT)
    expect(r.codes[0].format).toBe('QRCode')
    expect(r.attempts).toBe(1)
    expect([r.width, r.height]).toEqual([q.side, q.side])
    expectCorners(r.codes[0].position, q.corners, q.module * 1.5)
  })

  it('reads a low-quality JPEG', async () => {
    const q = await qrPng(TEXT, 4)
    const jpg = await sharp(q.png).jpeg({ quality: 12 }).toBuffer()
    const r = await decodeQr(jpg)
    expect(r.codes.map((c) => c.text)).toEqual([TEXT])
    expectCorners(r.codes[0].position, q.corners, q.module * 1.5)
  })

  for (const deg of [90, 180, 37]) {
    it(`reads a code rotated by ${deg}° and reports corners in the rotated image`, async () => {
      const q = await qrPng(TEXT, 6)
      const rotated = await sharp(q.png).rotate(deg, { background: '#ffffff' }).png().toBuffer()
      const r = await decodeQr(rotated)
      expect(r.codes.map((c) => c.text)).toEqual([TEXT])
      // The symbol's own top-left corner follows the rotation, so the corner order is preserved.
      expectCorners(r.codes[0].position, q.corners.map((p) => rotatePoint(p, deg, q.side, q.side)), q.module * 2)
    })
  }

  it('applies EXIF orientation: corners refer to the upright photo', async () => {
    const q = await qrPng(TEXT, 6)
    // Stored turned 90° counter-clockwise, tagged "rotate 90° clockwise to display" (6): upright = the original.
    const jpg = await sharp(q.png).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toBuffer()
    const r = await decodeQr(jpg)
    expect(r.codes.map((c) => c.text)).toEqual([TEXT])
    expectCorners(r.codes[0].position, q.corners, q.module * 1.5)
  })

  it('keeps non-ASCII payloads exact (UTF-8 and Shift_JIS Kanji mode)', async () => {
    const utf8 = 'Příliš žluťoučký kůň – heslo: Ábč'
    expect((await decodeQr((await qrPng(utf8, 6)).png)).codes.map((c) => c.text)).toEqual([utf8])
    const toSJIS = (await import('qrcode/helper/to-sjis.js')).default as QRCode.QRCodeToSJISFunc
    const kanji = '点検用コード'
    const segments: QRCode.QRCodeSegment[] = [{ data: kanji, mode: 'kanji' }]
    const png: Buffer = await QRCode.toBuffer(segments, { toSJISFunc: toSJIS, scale: 6 })
    expect((await decodeQr(png)).codes.map((c) => c.text)).toEqual([kanji])
    // Control characters survive (zxing's default text mode would rewrite them as <GS> etc.).
    const ctrl = 'A\u001dB\u0001C'
    expect((await decodeQr((await qrPng(ctrl, 6)).png)).codes[0].text).toBe(ctrl)
  })

  it('reads a light-on-dark code (dark-themed NVR screens)', async () => {
    const q = await qrPng(TEXT, 6)
    const negative = await sharp(q.png).negate({ alpha: false }).png().toBuffer()
    const r = await decodeQr(negative)
    expect(r.codes.map((c) => c.text)).toEqual([TEXT])
    expectCorners(r.codes[0].position, q.corners, q.module * 1.5)
  })

  it('reads a HEIC photo (libheif path)', async () => {
    const heic = readFileSync(new URL('../photos/fixtures/qr-240.heic', import.meta.url))
    const r = await decodeQr(heic)
    expect(r.codes.map((c) => c.text)).toEqual(['HEIC fixture: NVR2M|SN=2M0123456789'])
  })

  it('returns no codes and no error for a photo without a code', async () => {
    const noise = Buffer.alloc(640 * 480 * 3)
    let s = 7
    for (let i = 0; i < noise.length; i++) noise[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24
    const jpg = await sharp(noise, { raw: { width: 640, height: 480, channels: 3 } }).blur(2).jpeg().toBuffer()
    const r = await decodeQr(jpg, { timeBudgetMs: 800 })
    expect(r.codes).toEqual([])
    expect(r.strategy).toBeNull()
    expect(r.attempts).toBeGreaterThan(3)
  })

  it('throws BAD_INPUT for files it cannot read', async () => {
    await expect(decodeQr(Buffer.from('%PDF-1.4'))).rejects.toBeInstanceOf(AppError)
    await expect(decodeQr(Buffer.alloc(0))).rejects.toThrow(/empty/)
  })

  it('maps positions back from scaled and rotated variants', async () => {
    const q = await qrPng(TEXT, 10)
    for (const strategy of ['half', 'rot45', 'up2', 'jitter(5,1,1.1)']) {
      expect(STRATEGY_NAMES).toContain(strategy)
      const img = await normalizeImage(q.png)
      // Force one variant; for the jitter one, pretend a checksum failure was seen.
      const r = await decodeQr(img, { strategies: [strategy], forceStrategies: true })
      expect(r.strategy, strategy).toBe(strategy)
      expectCorners(r.codes[0].position, q.corners, q.module * 1.5)
    }
  })
})

describe('decodeQr on large photos', () => {
  /** A QR PNG pasted at (left, top) into a grey w x h JPEG. */
  async function bigPhoto(w: number, h: number, scale: number, left: number, top: number) {
    const q = await qrPng(TEXT, scale)
    const jpg = await sharp({ create: { width: w, height: h, channels: 3, background: '#9a9a9a' } })
      .composite([{ input: q.png, left, top }])
      .jpeg({ quality: 90 })
      .toBuffer()
    return { jpg, corners: q.corners.map(([x, y]) => [x + left, y + top] as Point), module: q.module }
  }

  it('decodes a downscaled copy first and maps corners back to full resolution', async () => {
    const b = await bigPhoto(4000, 3000, 12, 2100, 900)
    const r = await decodeQr(b.jpg)
    expect([r.width, r.height]).toEqual([4000, 3000])
    expect(r.strategy).toBe('work')
    expect(r.codes.map((c) => c.text)).toEqual([TEXT])
    expectCorners(r.codes[0].position, b.corners, b.module * 1.5)
  })

  it('falls back to full resolution for a code too small for the downscaled copy', async () => {
    const b = await bigPhoto(4000, 3000, 2, 300, 2500)
    const r = await decodeQr(b.jpg)
    expect(r.codes.map((c) => c.text)).toEqual([TEXT])
    expect(r.strategy).toBe('full-large')
    expectCorners(r.codes[0].position, b.corners, b.module * 2)
    // The full-resolution pass (plain zxing's view) runs even when the budget is spent.
    const hurried = await decodeQr(b.jpg, { timeBudgetMs: 0 })
    expect(hurried.codes.map((c) => c.text)).toEqual([TEXT])
    expect(hurried.steps.map((s) => s.strategy)).toEqual(['work', 'full-large'])
  })
})

/** Degraded screen photos that a single plain zxing call misses (asserted) and the pipeline reads. */
describe('decodeQr on simulated phone photos of a screen', () => {
  // Tilted 20°, top edge 20% shorter (perspective), unless a case says otherwise.
  const cases: { name: string; size: number; deg?: number; keystone?: number; seed?: number; opts: Partial<Parameters<typeof screenPhoto>[0]> }[] = [
    { name: 'moiré from the LCD pixel grid (small code)', size: 220, opts: { gridGap: 0.1 } },
    { name: 'moiré with glare', size: 420, opts: { gridGap: 0.1, glare: 0.95 } },
    { name: 'glare on a low-contrast screen', size: 420, opts: { glare: 0.95, dark: 90, light: 150 } },
    { name: 'sensor noise over the pixel grid', size: 420, opts: { gridGap: 0.1, noise: 30 } },
    { name: 'defocus blur with strong perspective', size: 420, deg: -25, keystone: 0.3, seed: 3, opts: { blur: 3 } },
    { name: 'defocus blur, perspective and noise on a small code', size: 300, deg: -25, keystone: 0.3, seed: 3, opts: { blur: 2.5, noise: 15 } },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const corners = quad(500, 400, c.size, c.deg ?? 20, c.keystone ?? 0.2)
      const jpg = await screenPhoto({ text: TEXT, width: 1000, height: 800, corners, screenPxPerModule: 4.7, glareAt: [0.5, 0.45], glareRadius: 0.12, seed: c.seed ?? 7, ...c.opts })
      expect(await plainReads(jpg, TEXT)).toBe(false)
      const r = await decodeQr(jpg)
      expect(r.codes.map((x) => x.text)).toEqual([TEXT])
      expect(r.attempts).toBeGreaterThan(1)
      const module = c.size / QRCode.create(TEXT, { errorCorrectionLevel: 'M' }).modules.size
      expectCorners(r.codes[0].position, corners as Pt[], module * 2.5)
    })
  }
})

describe('decodeQr on a code that is not flat', () => {
  it('reads a code printed on a wavy surface by refitting its module grid', async () => {
    // A sticker on fabric: zxing locates the symbol but its flat sampling grid misreads it.
    const corners = quad(420, 300, 320, 8, 0.05)
    const jpg = await screenPhoto({ text: TEXT, width: 800, height: 600, corners, screenPxPerModule: 5, gridGap: 0.6, noise: 5, blur: 0.8, seed: 1, wave: { amplitude: 0.5, period: 36, phase: 1 }, jpegQuality: 90 })
    expect(await plainReads(jpg, TEXT)).toBe(false)
    const img = await normalizeImage(jpg)
    const located = (await zxingRead(img, { formats: ['QRCode'], returnErrors: true })).filter((r) => !r.isValid)
    expect(located.length, 'zxing should locate the symbol and fail error correction').toBeGreaterThan(0)
    const r = await decodeQr(jpg)
    expect(r.codes.map((x) => x.text)).toEqual([TEXT])
    expect(r.strategy).toMatch(/^regrid/)
    const module = 320 / QRCode.create(TEXT, { errorCorrectionLevel: 'M' }).modules.size
    expectCorners(r.codes[0].position, corners as Pt[], module * 2.5)
  })
})

describe('decodeQr finds every code in the photo', () => {
  const APP = 'https://play.google.com/store/apps/details?id=com.twom.guard'

  it('merges a large code read on the working copy with a small one only full resolution reads', async () => {
    // The NVR screen photographed from afar: the reset code large, an app code small in a corner.
    const big = await qrPng(TEXT, 12)
    const small = await qrPng(APP, 2)
    const jpg = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#9a9a9a' } })
      .composite([{ input: big.png, left: 2100, top: 900 }, { input: small.png, left: 300, top: 2500 }])
      .jpeg({ quality: 90 })
      .toBuffer()
    const r = await decodeQr(jpg)
    expect(r.codes.map((c) => c.text).sort()).toEqual([APP, TEXT].sort())
    expect(r.strategies.length).toBeGreaterThan(1)
    const at = (t: string) => r.codes.find((c) => c.text === t)!.position
    expectCorners(at(TEXT), big.corners.map(([x, y]) => [x + 2100, y + 900]), big.module * 1.5)
    expectCorners(at(APP), small.corners.map(([x, y]) => [x + 300, y + 2500]), small.module * 2)
  })

  it('reports a code once however many variants read it, and two copies of a code as two', async () => {
    const q = await qrPng(TEXT, 6)
    const two = await sharp({ create: { width: q.side * 2 + 40, height: q.side, channels: 3, background: '#ffffff' } })
      .composite([{ input: q.png, left: 0, top: 0 }, { input: q.png, left: q.side + 40, top: 0 }])
      .png()
      .toBuffer()
    const r = await decodeQr(two)
    expect(r.codes.map((c) => c.text)).toEqual([TEXT, TEXT])
    const xs = r.codes.map((c) => c.position[0][0]).sort((a, b) => a - b)
    expect(xs[1] - xs[0]).toBeGreaterThan(q.side / 2)
    // A photo forced through several variants that all read the same code: one code.
    const one = await decodeQr(await normalizeImage(q.png), { strategies: ['full', 'global', 'blur1', 'stretch'], forceStrategies: true })
    expect(one.attempts).toBe(4)
    expect(one.codes).toHaveLength(1)
  })
})
