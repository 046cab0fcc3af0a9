// Images are fuzzed (issue 7) through the QR pipeline's two real entries: decodeQr (what
// `support-console qr decode` runs in its process) and the worker pool (what the console runs
// for photos added to a ticket: DecoderPool, decodeInWorker). Real QR photos in PNG, JPEG and
// HEIC are cut at many points, corrupted, replaced by random bytes behind real magic numbers,
// and patched to claim huge dimensions. Each must give a result (codes, possibly none) or an
// AppError BAD_INPUT with a message, in bounded time; no damaged file may read as another
// code; no worker may crash (the pool keeps the same thread); and a valid photo still decodes
// afterwards, in the same process and the same worker.
import { readFileSync } from 'node:fs'
import QRCode from 'qrcode'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/contract/common'
import { hostileImages, rng, type Rng } from '../../../../shared/testing/fuzz'
import { corruptBody, corruptHeader, cutPoints, heicClaiming, jpegClaiming, magicNoise, pngClaiming, webpClaiming } from '../photos/testing/hostile-images'
import { decodeQr, type DecodeResult } from './decode'
import { DecoderPool, decodeInWorker, shutdownDecoderPool } from './decoder-pool'

const SEED = Number(process.env.FUZZ_SEED ?? 7_2026)
const TEXT = 'NVR2M|SN=2M0123456789|MAC=00:11:22:33:44:55|N=8f3a9c|T=2026-11-22T03:00:00Z'
const HEIC_TEXT = 'HEIC fixture: NVR2M|SN=2M0123456789'
const HEIC = readFileSync(new URL('../photos/fixtures/qr-240.heic', import.meta.url))
/** The decoder's own budget per photo is kept small here: the point is how it fails, not how hard it tries. */
const OPTS = { timeBudgetMs: 30 }

let png: Buffer
let jpeg: Buffer
let webp: Buffer

beforeAll(async () => {
  png = await QRCode.toBuffer(TEXT, { scale: 4, margin: 4, errorCorrectionLevel: 'M' })
  jpeg = await sharp(png).flatten({ background: '#fff' }).jpeg({ quality: 90 }).toBuffer()
  webp = await sharp(png).withExif({ IFD0: { Make: 'Fuzz' } }).webp({ lossless: true }).toBuffer()
})

/** The hostile files, each named so a failure says which one. */
function hostileSet(r: Rng, perKind: number): [string, Buffer][] {
  const out: [string, Buffer][] = []
  for (const [k, f, spread] of [['png', png, 16], ['jpeg', jpeg, 16], ['heic', HEIC, 10]] as const) {
    for (const cut of cutPoints(f.length, spread)) out.push([`${k} cut at ${cut}/${f.length}`, f.subarray(0, cut)])
    for (let i = 0; i < perKind; i++) out.push([`${k} corrupt header #${i}`, corruptHeader(f, r)], [`${k} corrupt body #${i}`, corruptBody(f, r)])
  }
  for (let i = 0; i < perKind; i++) out.push([`magic + noise #${i}`, magicNoise(r)], [`hostileImages #${i}`, Buffer.from(hostileImages(r))])
  out.push(
    ['PNG IHDR 100000 x 100000', pngClaiming(png, 100_000, 100_000)],
    ['JPEG SOF 65000 x 65000', jpegClaiming(jpeg, 65_000, 65_000)],
    ['WebP VP8X 16777216 x 16777216', webpClaiming(webp, 2 ** 24, 2 ** 24)],
    ['HEIC ispe 100000 x 100000', heicClaiming(HEIC, 100_000, 100_000)],
  )
  return out
}

/** Why this outcome of decoding `name` is not acceptable, or null. */
function judge(name: string, out: { ok: true; v: DecodeResult } | { ok: false; e: unknown }, ms: number, boundMs: number): string | null {
  if (ms > boundMs) return `${name}: ${Math.round(ms)} ms`
  if (!out.ok) {
    const e = out.e
    if (!(e instanceof AppError)) return `${name}: threw ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 200)}`
    if (e.code !== 'BAD_INPUT') return `${name}: ${e.code} "${e.message.slice(0, 200)}" (a crash or a stopped worker, not a refusal)`
    if (!e.message.trim() || e.message.length > 600) return `${name}: unreadable message (${e.message.length} characters)`
    // A size bomb is refused for its size, or (when the lie makes the header inconsistent) as damaged.
    if (/\d+ x \d+$/.test(name) && !/declares \d+ x \d+ pixels|is damaged/.test(e.message)) return `${name}: refused as "${e.message}"`
    return null
  }
  const v = out.v
  if (!(v.width > 0 && v.height > 0 && Array.isArray(v.codes))) return `${name}: malformed result ${JSON.stringify(v).slice(0, 200)}`
  if (/\d+ x \d+$/.test(name)) return `${name}: decoded an image that claims a size beyond the limit`
  for (const c of v.codes) {
    // A damaged copy of our code may still read as our code; it must never read as another one.
    if (c.text !== TEXT && c.text !== HEIC_TEXT) return `${name}: read a code that is not there: ${JSON.stringify(c.text).slice(0, 100)}`
    if (c.position.flat().some((x) => !Number.isFinite(x))) return `${name}: code position ${JSON.stringify(c.position)}`
  }
  return null
}

async function run(f: () => Promise<DecodeResult>) {
  const t0 = performance.now()
  try {
    return { out: { ok: true as const, v: await f() }, ms: performance.now() - t0 }
  } catch (e) {
    return { out: { ok: false as const, e }, ms: performance.now() - t0 }
  }
}

describe('QR decoding of damaged photos', () => {
  it('decodeQr (the CLI entry) reads or refuses every damaged file, and a valid photo still reads afterwards', async () => {
    const failures: string[] = []
    const set = hostileSet(rng(SEED), 16)
    let refused = 0
    for (const [i, [name, b]] of set.entries()) {
      const { out, ms } = await run(() => decodeQr(b, OPTS))
      const bad = judge(name, out, ms, 5000)
      if (bad) failures.push(bad)
      if (!out.ok) refused++
      if (i % 30 === 29) {
        const ok = await decodeQr(png)
        if (ok.codes[0]?.text !== TEXT) failures.push(`after ${name}: the valid QR no longer reads (${JSON.stringify(ok.codes)})`)
      }
    }
    expect(failures, failures.join('\n')).toEqual([])
    expect(set.length).toBeGreaterThan(150)
    expect(refused).toBeGreaterThan(60)
    expect((await decodeQr(png)).codes.map((c) => c.text)).toEqual([TEXT])
    expect((await decodeQr(HEIC)).codes.map((c) => c.text)).toEqual([HEIC_TEXT])
  }, 60_000)

  describe('the worker pool (the console entry)', () => {
    const pool = new DecoderPool({ size: 1, timeoutMs: 10_000 })
    afterAll(async () => {
      await pool.close()
      await shutdownDecoderPool()
    })

    it('refuses damaged files with BAD_INPUT from the same worker thread, which then still reads a valid photo', async () => {
      // Warm up: the worker starts (through tsx) and reads a valid photo.
      expect((await pool.decode(png, OPTS)).codes.map((c) => c.text)).toEqual([TEXT])
      const threads = pool.threadIds
      expect(threads).toHaveLength(1)
      const failures: string[] = []
      const set = hostileSet(rng(SEED + 1), 4)
      for (const [name, b] of set) {
        const { out, ms } = await run(() => pool.decode(b, OPTS))
        const bad = judge(name, out, ms, 5000)
        if (bad) failures.push(bad)
      }
      expect(failures, failures.join('\n')).toEqual([])
      // No worker died or was replaced on the way (a crash or an out-of-memory exit would).
      expect(pool.threadIds).toEqual(threads)
      expect((await pool.decode(png, OPTS)).codes.map((c) => c.text)).toEqual([TEXT])
      expect((await pool.decode(HEIC, OPTS)).codes.map((c) => c.text)).toEqual([HEIC_TEXT])
      // The process-wide pool the console uses answers the same way.
      await expect(decodeInWorker(pngClaiming(png, 100_000, 100_000))).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/declares 100000 x 100000 pixels/) })
      expect((await decodeInWorker(png)).codes.map((c) => c.text)).toEqual([TEXT])
    }, 60_000)
  })
})
