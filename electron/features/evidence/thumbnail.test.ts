import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { hostileImages, rng } from '../../../shared/testing/fuzz'
import { makeThumbnail, sniffMime } from './thumbnail'

describe('thumbnails of customer files', () => {
  it('never throw or hang on truncated, mislabelled or decompression-bomb images', async () => {
    const r = rng(99)
    const t0 = Date.now()
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(hostileImages(r))
      const mime = sniffMime(b)
      const thumb = await makeThumbnail(b, mime)
      // A header claiming 2^48 pixels or a stream that ends early has no thumbnail; tiny valid ones may.
      if (thumb) expect(thumb.width * thumb.height).toBeLessThanOrEqual(60_000_000)
    }
    expect(Date.now() - t0).toBeLessThan(15_000)
  })

  it('makes a small JPEG of a real photo, upright, with the photo size', async () => {
    const photo = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#446688' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer()
    const t = await makeThumbnail(photo, sniffMime(photo))
    expect(t).not.toBeNull()
    expect({ w: t!.width, h: t!.height }).toEqual({ w: 2000, h: 3000 }) // orientation 6 = rotated: seen portrait
    const meta = await sharp(t!.thumbnail).metadata()
    expect(meta.format).toBe('jpeg')
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(320)
  })

  it('types files from their bytes, not their names', () => {
    expect(sniffMime(Buffer.from('%PDF-1.7\n'), 'image/jpeg')).toBe('application/pdf')
    expect(sniffMime(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).toBe('image/png')
    expect(sniffMime(Buffer.from('Dear partner, your code…'))).toBe('text/plain')
    expect(sniffMime(Buffer.from([0, 1, 2, 3, 0xff]))).toBe('application/octet-stream')
    expect(sniffMime(Buffer.from([0, 1, 2, 3, 0xff]), 'application/vnd.2n.backup')).toBe('application/vnd.2n.backup')
  })
})
