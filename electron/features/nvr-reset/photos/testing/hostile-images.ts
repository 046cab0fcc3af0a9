// Hostile image files for the photo and QR fuzz tests (issue 7), made from real files: cut at
// many points, headers corrupted, random bytes behind real magic numbers, and headers patched
// to claim huge dimensions (with valid checksums, so only the size is a lie).
import { crc32 } from 'node:zlib'
import { int, pick, type Rng } from '../../../../../shared/testing/fuzz'

/** Where to cut a file of `len` bytes: every early byte of the header, spread points, and the last bytes. */
export function cutPoints(len: number, spread = 24): number[] {
  const early = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 24, 28, 32, 40, 48, 64, 96, 128]
  const even = Array.from({ length: spread }, (_, i) => Math.floor(((i + 1) * len) / (spread + 1)))
  const late = [len - 64, len - 16, len - 8, len - 4, len - 2, len - 1]
  return [...new Set([...early, ...even, ...late])].filter((n) => n > 0 && n < len).sort((a, b) => a - b)
}

/** A copy with `n` random bytes of the first `span` bytes changed (the header, where parsers decide sizes). */
export function corruptHeader(b: Buffer, r: Rng, span = 64): Buffer {
  const c = Buffer.from(b)
  for (let i = int(r, 1, 6); i > 0; i--) c[int(r, 0, Math.min(span, c.length) - 1)] = pick(r, [0x00, 0xff, 0x7f, 0x80, int(r, 0, 255), int(r, 0, 255)])
  return c
}

/** A copy with bytes changed anywhere (the pixel data and the metadata). */
export function corruptBody(b: Buffer, r: Rng): Buffer {
  const c = Buffer.from(b)
  for (let i = int(r, 1, 20); i > 0; i--) c[int(r, 0, c.length - 1)] = int(r, 0, 255)
  return c
}

const MAGIC: Buffer[] = [
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x10, 0x45, 0x78, 0x69, 0x66, 0, 0]), // APP1 "Exif"
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('RIFF\x00\x10\x00\x00WEBPVP8 ', 'latin1'),
  Buffer.from('RIFF\x00\x10\x00\x00WEBPVP8L', 'latin1'),
  Buffer.from('RIFF\x00\x10\x00\x00WEBPVP8X', 'latin1'),
  Buffer.from('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic', 'latin1'),
  Buffer.from('\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf', 'latin1'),
]

/** Random bytes behind the magic number of a format the console accepts. */
export function magicNoise(r: Rng): Buffer {
  const tail = Buffer.from(Array.from({ length: int(r, 0, 2000) }, () => int(r, 0, 255)))
  return Buffer.concat([pick(r, MAGIC), tail])
}

/** One PNG chunk: length, type, data and its CRC. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}

/** A real PNG whose IHDR (checksum recomputed) claims w x h. */
export function pngClaiming(png: Buffer, w: number, h: number): Buffer {
  const ihdr = Buffer.from(png.subarray(16, 29))
  ihdr.writeUInt32BE(w >>> 0, 0)
  ihdr.writeUInt32BE(h >>> 0, 4)
  return Buffer.concat([png.subarray(0, 8), pngChunk('IHDR', ihdr), png.subarray(33)])
}

/** A real baseline JPEG whose SOF0 claims w x h (up to 65535 each). */
export function jpegClaiming(jpeg: Buffer, w: number, h: number): Buffer {
  const c = Buffer.from(jpeg)
  for (let i = 2; i + 9 < c.length; ) {
    if (c[i] !== 0xff) break
    const marker = c[i + 1]
    const len = c.readUInt16BE(i + 2)
    if (marker >= 0xc0 && marker <= 0xc2) {
      c.writeUInt16BE(h, i + 5)
      c.writeUInt16BE(w, i + 7)
      return c
    }
    i += 2 + len
  }
  throw new Error('no SOF marker in the JPEG')
}

/** A real extended WebP (VP8X) whose canvas claims w x h (up to 2^24 each). */
export function webpClaiming(webp: Buffer, w: number, h: number): Buffer {
  if (webp.toString('latin1', 12, 16) !== 'VP8X') throw new Error('not a VP8X WebP')
  const c = Buffer.from(webp)
  c.writeUIntLE(w - 1, 24, 3)
  c.writeUIntLE(h - 1, 27, 3)
  return c
}

/** A real HEIC whose every `ispe` property claims w x h. */
export function heicClaiming(heic: Buffer, w: number, h: number): Buffer {
  const c = Buffer.from(heic)
  let found = 0
  for (let i = c.indexOf('ispe'); i >= 0; i = c.indexOf('ispe', i + 4)) {
    c.writeUInt32BE(w >>> 0, i + 8)
    c.writeUInt32BE(h >>> 0, i + 12)
    found++
  }
  if (!found) throw new Error('no ispe box in the HEIC')
  return c
}
