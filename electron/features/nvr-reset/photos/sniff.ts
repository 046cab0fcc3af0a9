// Recognises what a file is from its first bytes (never from its name: customers rename
// files, mail clients add ".bin") and reads image dimensions from headers only, so that
// limits are checked before any pixel is decoded.

export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/heic' | 'image/heif' | 'image/avif'

export type Sniffed =
  | { kind: 'image'; mime: ImageMime }
  | { kind: 'unsupported-image'; name: string }
  | { kind: 'other'; name: string | null }

const ascii = (b: Uint8Array, start: number, end: number) => String.fromCharCode(...b.subarray(start, end))

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis'])
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2'])
const AVIF_BRANDS = new Set(['avif', 'avis'])

/** Brands listed in an ISO-BMFF `ftyp` box (major first, then compatible brands). */
export function ftypBrands(b: Uint8Array): string[] | null {
  if (b.length < 16 || ascii(b, 4, 8) !== 'ftyp') return null
  const size = Math.min(new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0), b.length, 256)
  const brands = [ascii(b, 8, 12)]
  for (let i = 16; i + 4 <= size; i += 4) brands.push(ascii(b, i, i + 4))
  return brands
}

export function sniff(b: Uint8Array): Sniffed {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { kind: 'image', mime: 'image/jpeg' }
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 4) === 'PNG') return { kind: 'image', mime: 'image/png' }
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return { kind: 'image', mime: 'image/webp' }
  const brands = ftypBrands(b)
  if (brands) {
    // The major brand decides; compatible brands break ties for files labelled only "mif1".
    const major = brands[0]
    if (HEIC_BRANDS.has(major)) return { kind: 'image', mime: 'image/heic' }
    if (AVIF_BRANDS.has(major)) return { kind: 'image', mime: 'image/avif' }
    if (HEIF_BRANDS.has(major)) {
      if (brands.some((x) => AVIF_BRANDS.has(x))) return { kind: 'image', mime: 'image/avif' }
      if (brands.some((x) => HEIC_BRANDS.has(x))) return { kind: 'image', mime: 'image/heic' }
      return { kind: 'image', mime: 'image/heif' }
    }
    if (['qt  ', 'isom', 'mp41', 'mp42', 'M4V ', '3gp4', '3gp5'].includes(major)) return { kind: 'other', name: 'a video' }
  }
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return { kind: 'unsupported-image', name: 'a GIF image' }
  if (b.length >= 2 && ascii(b, 0, 2) === 'BM') return { kind: 'unsupported-image', name: 'a BMP image' }
  if (b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*')) return { kind: 'unsupported-image', name: 'a TIFF image' }
  if (b.length >= 5 && ascii(b, 0, 5) === '%PDF-') return { kind: 'other', name: 'a PDF document' }
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4) return { kind: 'other', name: 'a ZIP archive (or an Office document)' }
  if (b.length >= 8 && b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0) return { kind: 'other', name: 'an old Office document' }
  const head = ascii(b, 0, Math.min(b.length, 512)).trimStart().toLowerCase()
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return { kind: 'unsupported-image', name: 'an SVG drawing' }
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return { kind: 'other', name: 'a web page (HTML)' }
  if (/^(received|return-path|from|mime-version|message-id|date|subject|delivered-to):/i.test(head)) return { kind: 'other', name: 'an e-mail message' }
  return { kind: 'other', name: null }
}

/**
 * Width and height of a HEIF/AVIF primary image from its `ispe` property, without decoding.
 * A file can hold several `ispe` boxes (thumbnails, grid tiles); the largest is the one that
 * matters for a pixel-count limit.
 */
export function heifDimensions(b: Uint8Array): { width: number; height: number } | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  let best: { width: number; height: number } | null = null
  // `ispe` lives in the `meta` box near the start; a bounded scan keeps this cheap.
  const end = Math.min(b.length - 16, 1 << 20)
  for (let i = 4; i < end; i++) {
    if (b[i] === 0x69 && b[i + 1] === 0x73 && b[i + 2] === 0x70 && b[i + 3] === 0x65) {
      const width = dv.getUint32(i + 8)
      const height = dv.getUint32(i + 12)
      if (!best || width * height > best.width * best.height) best = { width, height }
    }
  }
  return best
}

const CONTAINERS: Record<string, number> = { meta: 4, iprp: 0, ipco: 0, dinf: 0, iinf: -1, iref: 4, moov: 0, trak: 0 }

/**
 * Whether the ISO-BMFF box tree is well formed: every box at least 8 bytes and inside its
 * parent. exifr loops forever on a zero-sized box, so HEIF files are checked with this
 * before exifr sees them. Size 0 ("to the end of the file") is legal but treated as not
 * safe here; such files just lose their EXIF capture time.
 */
export function isobmffWellFormed(b: Uint8Array): boolean {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  let boxes = 0
  const walk = (start: number, end: number, depth: number): boolean => {
    if (depth > 8) return false
    let p = start
    while (p < end) {
      if (end - p < 8 || ++boxes > 10_000) return false
      let size = dv.getUint32(p)
      let header = 8
      if (size === 1) {
        if (end - p < 16) return false
        const big = dv.getBigUint64(p + 8)
        if (big > BigInt(end - p)) return false
        size = Number(big)
        header = 16
      }
      if (size < header || p + size > end) return false
      const type = ascii(b, p + 4, p + 8)
      const skip = CONTAINERS[type]
      if (skip !== undefined) {
        let childStart = p + header + Math.max(0, skip)
        // iinf: full box header (4) then an entry count of 16 bits (version 0) or 32 bits.
        if (skip === -1) childStart = p + header + 4 + (b[p + header] === 0 ? 2 : 4)
        if (childStart > p + size || !walk(childStart, p + size, depth + 1)) return false
      }
      p += size
    }
    return true
  }
  return walk(0, b.length, 0)
}
