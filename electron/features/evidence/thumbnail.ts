// Thumbnails for the evidence list, made on the main side with sharp. Input comes from
// customers (hostile or broken files happen): the pixel limit refuses decompression bombs
// before decoding, and any failure just means "no thumbnail", never a failed import.

export const THUMB_EDGE = 320
const MAX_PIXELS = 60_000_000

/** The type of a file from its first bytes; `declared` is used only when nothing is recognised. */
export function sniffMime(b: Buffer, declared = ''): string {
  const ascii = (s: number, e: number) => b.subarray(s, e).toString('latin1')
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg'
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG') return 'image/png'
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp'
  if (b.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'image/gif'
  if (b.length >= 12 && ascii(4, 8) === 'ftyp' && /^(heic|heix|mif1|msf1)$/.test(ascii(8, 12))) return 'image/heic'
  if (b.length >= 5 && ascii(0, 5) === '%PDF-') return 'application/pdf'
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4) return 'application/zip'
  if (/^[\w.+-]+\/[\w.+-]+$/.test(declared) && !declared.startsWith('image/')) return declared.toLowerCase()
  // Plain text (e-mails, vendor replies pasted as .txt) when it decodes as UTF-8 without controls.
  const head = b.subarray(0, 4096).toString('utf8')
  // eslint-disable-next-line no-control-regex -- control bytes are exactly what marks a binary file
  if (!/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(head)) return 'text/plain'
  return 'application/octet-stream'
}

export interface Thumb {
  thumbnail: Buffer
  width: number
  height: number
}

export async function makeThumbnail(b: Buffer, mime: string): Promise<Thumb | null> {
  if (!/^image\/(jpeg|png|webp|gif)$/.test(mime)) return null
  // sharp (libvips, a native library) is loaded at the first image, not when the console starts.
  const { default: sharp } = await import('sharp')
  try {
    const img = sharp(b, { limitInputPixels: MAX_PIXELS, failOn: 'error', animated: false })
    const meta = await img.metadata()
    if (!meta.width || !meta.height) return null
    const thumbnail = await img.rotate().resize(THUMB_EDGE, THUMB_EDGE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 72 }).toBuffer()
    // EXIF orientation 5–8 swaps the axes: report the size as the photo is seen.
    const swap = (meta.orientation ?? 1) >= 5
    return { thumbnail, width: swap ? meta.height : meta.width, height: swap ? meta.width : meta.height }
  } catch {
    return null
  }
}
