import QRCode from 'qrcode'
import { describe, expect, it } from 'vitest'
import { normalizeImage } from '../photos/intake'
import { lumaOf, toRgba } from './gray'
import { alignmentCenters, fitGrid, functionPattern, renderSymbol, squareToQuad, type SymbolQuad } from './grid'
import { quad, screenPhoto } from './testing/synth'
import { zxingRead } from './zxing'

const TEXT = 'NVR2M|SN=2M0123456789|MAC=00:11:22:33:44:55|N=8f3a9c|T=2026-11-22T03:00:00Z'

describe('QR function patterns', () => {
  it('places alignment patterns per ISO/IEC 18004 table E.1', () => {
    expect(alignmentCenters(1)).toEqual([])
    expect(alignmentCenters(2)).toEqual([6, 18])
    expect(alignmentCenters(7)).toEqual([6, 22, 38])
    expect(alignmentCenters(32)).toEqual([6, 34, 60, 86, 112, 138])
    expect(alignmentCenters(40)).toEqual([6, 30, 58, 86, 114, 142, 170])
  })

  it('agrees with every function module of a generated symbol', () => {
    for (const version of [1, 3, 7, 14]) {
      const qr = QRCode.create('x', { version, errorCorrectionLevel: 'L' })
      const n = qr.modules.size
      const f = functionPattern(n)
      let known = 0
      for (let i = 0; i < n * n; i++) {
        if (f[i] === 0) continue
        known++
        expect(f[i] < 0, `version ${version}, module ${i % n},${Math.floor(i / n)}`).toBe(qr.modules.data[i] === 1)
      }
      // 3 finders with separators (3 x 64) and the timing patterns at least.
      expect(known).toBeGreaterThanOrEqual(3 * 64 + 2 * (n - 16))
    }
  })
})

describe('fitGrid on a code printed on a wavy surface', () => {
  /** A wavy symbol rendered without noise, and its true modules. */
  async function wavy(amplitude: number, period: number) {
    const corners = quad(400, 300, 360, 6, 0.05)
    const png = await screenPhoto({ text: TEXT, width: 800, height: 600, corners, blur: 0.7, jpegQuality: 0, wave: { amplitude, period } })
    const qr = QRCode.create(TEXT, { errorCorrectionLevel: 'M' })
    return { g: lumaOf(await normalizeImage(png)), corners: corners as SymbolQuad, n: qr.modules.size, truth: qr.modules.data }
  }

  /** Bits read at module centres through the flat perspective transform (what zxing samples). */
  function flatBits(g: ReturnType<typeof lumaOf>, corners: SymbolQuad, n: number): Uint8Array {
    const H = squareToQuad(corners)
    let sum = 0
    for (const v of g.data) sum += v
    const mean = sum / g.data.length
    const bits = new Uint8Array(n * n)
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const u = (c + 0.5) / n
        const v = (r + 0.5) / n
        const w = H[6] * u + H[7] * v + H[8]
        const x = Math.round((H[0] * u + H[1] * v + H[2]) / w)
        const y = Math.round((H[3] * u + H[4] * v + H[5]) / w)
        bits[r * n + c] = g.data[y * g.width + x] < mean ? 1 : 0
      }
    }
    return bits
  }

  const errors = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let e = 0
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) e++
    return e
  }

  it('reads the modules a flat perspective grid gets wrong, and zxing decodes the rendered fit', async () => {
    const { g, corners, n, truth } = await wavy(0.45, 30)
    const flat = flatBits(g, corners, n)
    const read = async (bits: Uint8Array) => (await zxingRead(toRgba(renderSymbol(bits, n)), { formats: ['QRCode'], textMode: 'Plain' })).map((r) => r.text)
    expect(await read(flat), 'the wave should defeat a flat sampling grid').toEqual([])
    const fits = fitGrid(g, corners, n, [10, 6, 4])
    expect(fits.length).toBeGreaterThanOrEqual(3)
    const best = Math.min(...fits.map((f) => errors(f.bits, truth)))
    expect(best).toBeLessThan(errors(flat, truth) / 4)
    const decoded: string[] = []
    for (const f of fits) for (const r of await zxingRead(toRgba(renderSymbol(f.bits, f.n)), { formats: ['QRCode'], textMode: 'Plain' })) decoded.push(r.text)
    expect(decoded).toContain(TEXT)
  })

  it('keeps a flat symbol exactly as it is', async () => {
    const { g, corners, n, truth } = await wavy(0, 30)
    for (const f of fitGrid(g, corners, n, [10, 6, 4])) {
      expect(errors(f.bits, truth)).toBe(0)
      expect(f.patternAgreement).toBe(1)
    }
  })

  it('refuses symbols too small to sample and sizes that are not QR versions', () => {
    const g = { data: new Uint8Array(100 * 100).fill(255), width: 100, height: 100 }
    const tiny: SymbolQuad = [
      [10, 10],
      [30, 10],
      [30, 30],
      [10, 30],
    ]
    expect(fitGrid(g, tiny, 21)).toEqual([])
    expect(fitGrid(g, tiny, 22)).toEqual([])
  })
})
