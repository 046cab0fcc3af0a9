// Images are fuzzed (issue 7) through the real photo intake (inspectImage: what the console
// records about a photo; normalizeImage: the pixels for the QR decoder): real JPEG, PNG, WebP
// and HEIC files cut at many points, with corrupted headers and bodies, random bytes behind
// real magic numbers, and headers patched to claim huge dimensions. Each file must either be
// read correctly or be refused with BAD_INPUT and a message the agent can act on, in bounded
// time; and a valid photo still decodes to the same pixels afterwards (nothing poisoned:
// neither sharp nor the libheif wasm decoder).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { AppError } from '../../../../shared/contract/common'
import { hostileImages, rng } from '../../../../shared/testing/fuzz'
import { corruptBody, corruptHeader, cutPoints, heicClaiming, jpegClaiming, magicNoise, pngClaiming, webpClaiming } from './testing/hostile-images'
import { inspectImage, normalizeImage } from './intake'

const SEED = Number(process.env.FUZZ_SEED ?? 7_2026)
const HEIC = readFileSync(new URL('./fixtures/qr-240.heic', import.meta.url))
/** One decode of a small file is milliseconds (HEIC through wasm: tens); a second means a loop or a bomb. */
const SLOW_MS = 3000

type Kind = 'jpeg' | 'png' | 'webp' | 'heic'
let files: Record<Kind, Buffer>
const reference: Partial<Record<Kind, string>> = {}
const pixelsHash = (d: Uint8ClampedArray) => createHash('sha256').update(d).digest('hex')

// libheif prints parse errors with console.log; on the CLI they landed in `--json` output.
const log = vi.spyOn(console, 'log')
afterAll(() => log.mockRestore())

beforeAll(async () => {
  // A picture with detail (a gradient and text-like bars), so every part of the file matters.
  const w = 96
  const h = 64
  const raw = Buffer.alloc(w * h * 3)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([(x * 255) / w, (y * 255) / h, (x ^ y) & 1 ? 220 : 30], (y * w + x) * 3)
  const img = () => sharp(raw, { raw: { width: w, height: h, channels: 3 } })
  const exif = { IFD0: { Make: 'Fuzz' }, IFD2: { DateTimeOriginal: '2026:11:22 10:11:12', OffsetTimeOriginal: '+01:00' } }
  files = {
    jpeg: await img().withExif(exif).jpeg({ quality: 85 }).toBuffer(),
    png: await img().png().toBuffer(),
    webp: await img().withExif(exif).webp({ quality: 80 }).toBuffer(), // EXIF makes it an extended (VP8X) WebP
    heic: HEIC,
  }
  for (const k of Object.keys(files) as Kind[]) reference[k] = pixelsHash((await normalizeImage(files[k])).data)
}, 30_000)

/** What intake did with one file: read, or refused in words; anything else is a failure. */
async function intake(bytes: Buffer): Promise<{ inspect: 'ok' | AppError; normalize: 'ok' | AppError; pixels: string; problems: string[] }> {
  const problems: string[] = []
  let pixels = ''
  const check = async <T>(what: string, f: () => Promise<T>, valid: (v: T) => string | null): Promise<'ok' | AppError> => {
    const t0 = performance.now()
    let out: 'ok' | AppError = 'ok'
    try {
      const bad = valid(await f())
      if (bad) problems.push(`${what} accepted it: ${bad}`)
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'BAD_INPUT') problems.push(`${what} threw ${(e as Error)?.name} ${(e as AppError)?.code ?? ''}: ${String((e as Error)?.message).slice(0, 200)}`)
      else if (!e.message.trim() || e.message.length > 600) problems.push(`${what}: unreadable message (${e.message.length} characters)`)
      else if (!/Ask the customer|send the photo again/.test(e.message)) problems.push(`${what}: the message does not say what to do next: ${e.message}`)
      if (e instanceof AppError) out = e
    }
    const ms = performance.now() - t0
    if (ms > SLOW_MS) problems.push(`${what} took ${Math.round(ms)} ms`)
    return out
  }
  const inspect = await check('inspectImage', () => inspectImage(bytes), (i) =>
    !(Number.isInteger(i.width) && Number.isInteger(i.height) && i.width > 0 && i.height > 0 && i.width * i.height <= 100_000_000) ? `${i.width} x ${i.height}` : i.size !== bytes.length ? 'wrong size' : null,
  )
  const normalize = await check('normalizeImage', () => normalizeImage(bytes), (n) => {
    pixels = pixelsHash(n.data)
    return !(n.width > 0 && n.height > 0 && n.data.length === n.width * n.height * 4) ? `${n.width} x ${n.height} with ${n.data.length} bytes of pixels` : null
  })
  return { inspect, normalize, pixels, problems }
}

/** The valid files still decode to exactly the same pixels. */
async function notPoisoned(kinds: Kind[]): Promise<string[]> {
  const out: string[] = []
  for (const k of kinds) {
    const h = pixelsHash((await normalizeImage(files[k])).data)
    if (h !== reference[k]) out.push(`${k}: a valid file decodes differently after the hostile ones`)
  }
  return out
}

describe('photo intake of damaged images', () => {
  it('truncated JPEG, PNG, WebP and HEIC files, cut at many points, are refused as incomplete or damaged', async () => {
    const failures: string[] = []
    const accepted: string[] = []
    let n = 0
    for (const k of ['jpeg', 'png', 'webp', 'heic'] as Kind[]) {
      const f = files[k]
      for (const cut of cutPoints(f.length, k === 'heic' ? 24 : 40)) {
        n++
        const r = await intake(f.subarray(0, cut))
        failures.push(...r.problems.map((p) => `${k} cut at ${cut}/${f.length}: ${p}`))
        // Decoding proves a photo is whole (nvr-reset/photos.ts relies on it): a cut-off file must
        // not decode, unless all its pixels were there (a PNG cut inside its IEND trailer).
        if (r.normalize === 'ok' && r.pixels !== reference[k]) accepted.push(`${k} cut at ${cut}/${f.length}`)
      }
      failures.push(...(await notPoisoned([k])))
    }
    expect(failures, failures.join('\n')).toEqual([])
    expect(accepted, `cut-off files decoded as if whole: ${accepted.join(', ')}`).toEqual([])
    expect(n).toBeGreaterThan(120)
    // Nothing was printed by the decoders (the CLI's stdout carries JSON lines only).
    expect(log.mock.calls.map((c) => String(c[0]))).toEqual([])
  }, 60_000)

  it('headers claiming huge dimensions are refused from the header, before any decoding', async () => {
    const failures: string[] = []
    const bombs: [string, Buffer][] = [
      ['PNG IHDR 100000 x 100000', pngClaiming(files.png, 100_000, 100_000)],
      ['PNG IHDR 2^31-1 x 2^31-1', pngClaiming(files.png, 2 ** 31 - 1, 2 ** 31 - 1)],
      ['PNG IHDR 1 x 200000000', pngClaiming(files.png, 1, 200_000_000)],
      ['JPEG SOF 65000 x 65000', jpegClaiming(files.jpeg, 65_000, 65_000)],
      ['JPEG SOF 65535 x 65535', jpegClaiming(files.jpeg, 65_535, 65_535)],
      ['WebP VP8X canvas 16777216 x 16777216', webpClaiming(files.webp, 2 ** 24, 2 ** 24)],
      ['WebP VP8X canvas 20000 x 20000', webpClaiming(files.webp, 20_000, 20_000)],
      ['HEIC ispe 100000 x 100000', heicClaiming(files.heic, 100_000, 100_000)],
      ['HEIC ispe 4294967295 x 4294967295', heicClaiming(files.heic, 2 ** 32 - 1, 2 ** 32 - 1)],
    ]
    for (const [name, b] of bombs) {
      const t0 = performance.now()
      const r = await intake(b)
      const ms = performance.now() - t0
      failures.push(...r.problems.map((p) => `${name}: ${p}`))
      for (const [what, out] of [['inspectImage', r.inspect], ['normalizeImage', r.normalize]] as const) {
        if (out === 'ok') failures.push(`${name}: ${what} accepted it`)
        else if (!/declares \d+ x \d+ pixels|damaged|no size/.test(out.message)) failures.push(`${name}: ${what} said "${out.message}"`)
      }
      if (ms > 1500) failures.push(`${name}: ${Math.round(ms)} ms (was it decoded?)`)
    }
    failures.push(...(await notPoisoned(['png', 'jpeg', 'webp', 'heic'])))
    expect(failures, failures.join('\n')).toEqual([])
  }, 30_000)

  it('corrupted headers and bodies, and random bytes behind real magic numbers, are read or refused in words', async () => {
    const failures: string[] = []
    const r = rng(SEED)
    let refused = 0
    let read = 0
    const N = Number(process.env.FUZZ_IMAGES ?? 120)
    for (const k of ['jpeg', 'png', 'webp', 'heic'] as Kind[]) {
      for (let i = 0; i < (k === 'heic' ? N / 3 : N); i++) {
        const mode = i % 3
        const b = mode === 0 ? corruptHeader(files[k], r) : mode === 1 ? corruptBody(files[k], r) : magicNoise(r)
        const out = await intake(b)
        failures.push(...out.problems.map((p) => `${k} ${['header', 'body', 'magic+noise'][mode]} #${i} (seed ${SEED}): ${p}`))
        if (out.normalize === 'ok') read++
        else refused++
      }
      failures.push(...(await notPoisoned([k])))
    }
    // The shared generator's hostile files too (the ones thumbnails are tested with).
    for (let i = 0; i < 60; i++) {
      const out = await intake(Buffer.from(hostileImages(r)))
      failures.push(...out.problems.map((p) => `hostileImages #${i} (seed ${SEED}): ${p}`))
      if (out.normalize === 'ok') read++
      else refused++
    }
    failures.push(...(await notPoisoned(['jpeg', 'png', 'webp', 'heic'])))
    expect(failures, failures.join('\n')).toEqual([])
    expect(log.mock.calls.map((c) => String(c[0]))).toEqual([])
    // Both outcomes happen: damage in pixel data can still decode (JPEG is forgiving), damage in headers is refused.
    expect(refused).toBeGreaterThan(50)
    expect(read).toBeGreaterThan(5)
  }, 60_000)
})
