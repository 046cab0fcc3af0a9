import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/contract/common'
import { inspectImage, normalizeImage } from './intake'
import { isobmffWellFormed, sniff } from './sniff'
import { pngChunk } from './testing/hostile-images'

const solid = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#808080' } })

/** Left half red, right half blue: shows where the image's left edge ends up after orientation. */
async function halves(w: number, h: number) {
  const left = await sharp({ create: { width: w / 2, height: h, channels: 3, background: '#ff0000' } }).png().toBuffer()
  return sharp({ create: { width: w, height: h, channels: 3, background: '#0000ff' } }).composite([{ input: left, left: 0, top: 0 }])
}

async function badInput(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(AppError)
  expect((e as AppError).code).toBe('BAD_INPUT')
  return e as AppError
}

const chunk = pngChunk

/** A valid PNG of a few hundred bytes whose header declares w x h pixels. */
function bombPng(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 0 // greyscale
  // The first rows of zeros compress to almost nothing; a full bomb would be 2.5 GB of them.
  const idat = deflateSync(Buffer.alloc((w + 1) * 4), { level: 9 })
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))])
}

describe('inspectImage', () => {
  it('reports type, size, dimensions and SHA-256 of a PNG', async () => {
    const png = await solid(320, 200).png().toBuffer()
    const info = await inspectImage(png)
    expect(info).toMatchObject({ mime: 'image/png', width: 320, height: 200, orientation: 1, capturedAt: null, size: png.length })
    expect(info.sha256).toBe(createHash('sha256').update(png).digest('hex'))
  })

  it('applies EXIF orientation to the dimensions and keeps the capture time with its offset', async () => {
    const jpg = await solid(400, 100)
      .withExif({ IFD0: { Make: 'Test' }, IFD2: { DateTimeOriginal: '2025:03:04 05:06:07', OffsetTimeOriginal: '+02:00' } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer()
    const info = await inspectImage(jpg)
    expect(info).toMatchObject({ mime: 'image/jpeg', width: 100, height: 400, orientation: 6, capturedAt: '2025-03-04T05:06:07+02:00', capturedAtHasZone: true })
  })

  it('keeps a capture time without offset as local wall time, and reads EXIF from WebP', async () => {
    const webp = await solid(64, 48).withExif({ IFD0: { Make: 'Test' }, IFD2: { DateTimeOriginal: '2024:12:31 23:59:58' } }).webp().toBuffer()
    const info = await inspectImage(webp)
    expect(info).toMatchObject({ mime: 'image/webp', width: 64, height: 48, capturedAt: '2024-12-31T23:59:58', capturedAtHasZone: false })
  })

  it('refuses a decompression bomb from its header, before decoding', async () => {
    const bomb = bombPng(50000, 50000)
    expect(bomb.length).toBeLessThan(2000)
    const t = performance.now()
    const e = await badInput(normalizeImage(bomb))
    expect(e.message).toMatch(/50000 x 50000/)
    expect(e.message).toMatch(/decompression bomb/)
    expect(performance.now() - t).toBeLessThan(1000)
    await badInput(inspectImage(bomb))
  })

  it('honours a custom pixel limit', async () => {
    const png = await solid(300, 300).png().toBuffer()
    await expect(inspectImage(png, { maxPixels: 80_000 })).rejects.toThrow(/0\.1 megapixels accepted/)
    await expect(inspectImage(png, { maxPixels: 90_000 })).resolves.toMatchObject({ width: 300 })
  })

  it('refuses an oversized file without looking at it', async () => {
    const jpg = await solid(100, 100).jpeg().toBuffer()
    const e = await badInput(inspectImage(jpg, { maxBytes: jpg.length - 1 }))
    expect(e.message).toMatch(/more than the/)
    const huge = Buffer.alloc(40 * 1024 * 1024 + 1)
    huge.set([0xff, 0xd8, 0xff, 0xe0])
    expect((await badInput(inspectImage(huge))).message).toMatch(/40 MB accepted/)
  })

  it('explains non-images, empty and truncated files', async () => {
    expect((await badInput(inspectImage(Buffer.from('%PDF-1.7\n1 0 obj\n')))).message).toBe('This file is a PDF document, not a photo. Ask the customer for a JPEG or PNG photo of the screen.')
    expect((await badInput(inspectImage(Buffer.from('hello world, just text')))).message).toMatch(/not a photo/)
    expect((await badInput(inspectImage(Buffer.alloc(0)))).message).toMatch(/empty/)
    const gif = await solid(10, 10).gif().toBuffer()
    expect((await badInput(inspectImage(gif))).message).toMatch(/GIF.*accepts JPEG, PNG, WebP and HEIC/)
    const jpg = await solid(600, 400).jpeg({ quality: 90 }).toBuffer()
    const cut = jpg.subarray(0, Math.floor(jpg.length * 0.6))
    expect((await badInput(normalizeImage(cut))).message).toMatch(/incomplete.*send the photo again/)
  })
})

describe('normalizeImage', () => {
  it('decodes JPEG, PNG and WebP to RGBA of the right size', async () => {
    for (const fmt of ['jpeg', 'png', 'webp'] as const) {
      const buf = await solid(90, 30)[fmt]().toBuffer()
      const n = await normalizeImage(buf)
      expect([n.width, n.height, n.data.length, n.mime]).toEqual([90, 30, 90 * 30 * 4, `image/${fmt}`])
    }
  })

  it('turns the pixels upright according to EXIF orientation', async () => {
    // Orientation 6 means "rotate 90° clockwise to display": the stored left edge ends on top.
    const jpg = await (await halves(200, 100)).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer()
    const n = await normalizeImage(jpg)
    expect([n.width, n.height]).toEqual([100, 200])
    const at = (x: number, y: number) => Array.from(n.data.subarray((y * n.width + x) * 4, (y * n.width + x) * 4 + 3))
    expect(at(50, 20)[0]).toBeGreaterThan(200) // red on top
    expect(at(50, 180)[2]).toBeGreaterThan(200) // blue at the bottom
  })

  it('decodes HEIF-family files: AVIF through sharp', async () => {
    // sharp's prebuilt encodes AVIF (HEIF container, AV1) but not HEVC, so a real HEIC cannot be made here.
    const avif = await solid(64, 32).avif().toBuffer()
    expect(sniff(avif)).toEqual({ kind: 'image', mime: 'image/avif' })
    expect(isobmffWellFormed(avif)).toBe(true)
    const n = await normalizeImage(avif)
    expect([n.width, n.height, n.mime]).toEqual([64, 32, 'image/avif'])
  })

  it('decodes a real HEIC (HEVC) photo with libheif and keeps its EXIF capture time', async () => {
    // Generated once with heif-enc (see fixtures/README.md): sharp's prebuilt cannot encode or decode HEVC.
    const heic = readFileSync(new URL('./fixtures/qr-240.heic', import.meta.url))
    const info = await inspectImage(heic)
    expect(info).toMatchObject({ mime: 'image/heic', width: 240, height: 240, capturedAt: '2026-11-21T14:05:09+01:00' })
    const n = await normalizeImage(heic)
    expect([n.width, n.height, n.data.length]).toEqual([240, 240, 240 * 240 * 4])
    // The quiet zone (4 of 37 modules, ~26 px) is white; the finder pattern's outer ring just inside it is black.
    expect(n.data[0]).toBeGreaterThan(200)
    const finder = (29 * 240 + 29) * 4
    expect(n.data[finder]).toBeLessThan(60)
  })

  it('sends HEIC files to the libheif decoder and reports a damaged one clearly', async () => {
    // A HEIC-branded container with no image inside: proves the heic-decode path runs (sharp's
    // prebuilt cannot read HEVC), and that its failure becomes a BAD_INPUT for the agent.
    const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1')])
    const ispe = Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from('ispe', 'latin1'), Buffer.alloc(4), Buffer.from([0, 0, 0x0f, 0xc0, 0, 0, 0x0b, 0xd0])])
    const heic = Buffer.concat([ftyp, ispe, Buffer.alloc(64)])
    expect(sniff(heic)).toEqual({ kind: 'image', mime: 'image/heic' })
    // Its trailing zero-sized box would make exifr loop forever: it must be detected, not parsed.
    expect(isobmffWellFormed(heic)).toBe(false)
    const info = await inspectImage(heic)
    expect([info.mime, info.width, info.height]).toEqual(['image/heic', 4032, 3024])
    expect((await badInput(normalizeImage(heic))).message).toMatch(/HEIC file is damaged/)
    // The pixel limit applies to HEIC headers too.
    await badInput(inspectImage(heic, { maxPixels: 12_000_000 }))
  })
})
