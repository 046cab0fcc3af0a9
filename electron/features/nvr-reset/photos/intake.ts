// Photo intake: recognise, check limits, read metadata, and decode to upright RGBA pixels.
// Every refusal is an AppError('BAD_INPUT') whose message tells the agent what happened and
// what to ask the customer for, because the agent is the one who has to act on it.
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { AppError } from '../../../../shared/contract/common'
import { readCaptureTime } from './exif'
import { PIXEL_CAPS } from './pixel-budget'
import { heifDimensions, isobmffWellFormed, sniff, type ImageMime } from './sniff'

/** sharp (libvips, a native library) is loaded at the first image, not when the console starts. */
const loadSharp = async () => (await import('sharp')).default

export interface IntakeLimits {
  /** Largest accepted file, bytes. Phone photos are 2-12 MB; 40 MB leaves room for ProRAW-ish JPEGs. */
  maxBytes: number
  /** Largest accepted pixel count (width x height). A 12 MP photo is 12e6; 100 MP covers 108 MP phone sensors. */
  maxPixels: number
}

export const DEFAULT_LIMITS: IntakeLimits = { maxBytes: 40 * 1024 * 1024, maxPixels: PIXEL_CAPS.perImage }

export interface ImageInfo {
  mime: ImageMime
  /** Width and height as displayed, i.e. after the EXIF orientation is applied. */
  width: number
  height: number
  /** EXIF orientation 1..8 as stored in the file (1 when absent). */
  orientation: number
  /** EXIF DateTimeOriginal as ISO 8601 (see capturedAtHasZone), or null. */
  capturedAt: string | null
  capturedAtHasZone: boolean
  /** Hex SHA-256 of the original bytes: recognises the same photo sent twice. */
  sha256: string
  size: number
}

/** Upright RGBA pixels, ready for the QR decoder or for sharp (`{ raw: { width, height, channels: 4 } }`). */
export interface NormalizedImage {
  data: Uint8ClampedArray
  width: number
  height: number
  mime: ImageMime
  orientation: number
}

const ASK = 'Ask the customer for a JPEG or PNG photo of the screen.'
// The next step goes into the message itself: it is what the agent (and the CLI) shows.
const bad = (what: string, next: string | undefined, t: { key: string; values?: Record<string, string | number> }, cause?: unknown) =>
  new AppError('BAD_INPUT', `${what} ${next ?? ASK}`, { cause, key: t.key, values: t.values })

/**
 * The decoder's own words, shortened for the message (found by fuzzing, issue 7): libvips and
 * libheif report every failed seek and retry, one per line, so a damaged file gave messages
 * of a thousand characters of "source: bad seek to 1024\nsource: bad seek to 512…".
 */
function decoderDetail(e: unknown): string {
  const line = String((e as Error)?.message ?? e).split('\n')[0].trim()
  return line.length > 160 ? `${line.slice(0, 159)}…` : line
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`
const mp = (n: number) => `${(n / 1e6).toFixed(1)} megapixels`
// The same sizes as numbers, for the translated texts (shown the agent's way: 1,5 in Czech).
const megabytes = (n: number) => Number((n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0))
const megapixels = (n: number) => Number((n / 1e6).toFixed(1))

function limitsOf(opts?: Partial<IntakeLimits>): IntakeLimits {
  return { ...DEFAULT_LIMITS, ...opts }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

interface Header {
  mime: ImageMime
  /** Stored (not yet oriented) dimensions. */
  width: number
  height: number
  orientation: number
  exif?: Uint8Array
}

/**
 * Identifies the file and reads its dimensions from the header only. Size and pixel limits are
 * enforced here, before anything is decoded: a 100 KB PNG can declare 50000 x 50000 pixels and
 * would need 10 GB of memory to decode.
 */
async function readHeader(bytes: Uint8Array, limits: IntakeLimits): Promise<Header> {
  if (bytes.length === 0) throw bad('The file is empty (0 bytes); the photo did not arrive.', 'Ask the customer to send the photo again.', { key: 'photos.empty' })
  if (bytes.length > limits.maxBytes) {
    throw bad(
      `The file is ${mb(bytes.length)}, more than the ${mb(limits.maxBytes)} accepted for a photo.`,
      'Ask the customer for a normal phone photo (JPEG) of the screen, not a video or a scan.',
      { key: 'photos.tooBig', values: { size: megabytes(bytes.length), max: megabytes(limits.maxBytes) } },
    )
  }
  const kind = sniff(bytes)
  if (kind.kind === 'other') {
    throw bad(kind.name ? `This file is ${kind.name}, not a photo.` : 'This file is not a photo (its content is not JPEG, PNG, WebP or HEIC).', undefined, { key: kind.name ? 'photos.notPhotoKind' : 'photos.notPhoto', values: { kind: kind.name ?? '' } })
  }
  if (kind.kind === 'unsupported-image') throw bad(`This file is ${kind.name}; the console accepts JPEG, PNG, WebP and HEIC photos.`, undefined, { key: 'photos.unsupported', values: { kind: kind.name } })
  const mime = kind.mime
  let width = 0
  let height = 0
  let orientation = 1
  let exif: Uint8Array | undefined
  const sharp = await loadSharp()
  try {
    // metadata() parses headers only; limitInputPixels is off here so that we can report the size ourselves.
    const m = await sharp(asBuffer(bytes), { limitInputPixels: false }).metadata()
    width = m.width ?? 0
    height = m.height ?? 0
    orientation = m.orientation ?? 1
    exif = m.exif
  } catch (e) {
    // sharp's prebuilt libvips has no HEVC decoder; the container is still readable by hand.
    if (mime === 'image/heic' || mime === 'image/heif') {
      const d = heifDimensions(bytes)
      if (d) ({ width, height } = d)
    }
    if (!width || !height) throw bad(`The ${mime.slice(6).toUpperCase()} file is damaged and cannot be read (${decoderDetail(e)}).`, 'Ask the customer to send the photo again, as an attachment rather than inline.', { key: 'photos.damaged', values: { format: mime.slice(6).toUpperCase(), detail: decoderDetail(e) } }, e)
  }
  if (!width || !height) throw bad('The image header gives no size; the file is damaged.', 'Ask the customer to send the photo again.', { key: 'photos.noSize' })
  if (width * height > limits.maxPixels) {
    throw bad(
      `The image declares ${width} x ${height} pixels (${mp(width * height)}), more than the ${mp(limits.maxPixels)} accepted; it was refused without decoding it (it may be a decompression bomb).`,
      'Ask the customer for an ordinary phone photo of the screen.',
      { key: 'photos.tooManyPixels', values: { width, height, mp: megapixels(width * height), cap: megapixels(limits.maxPixels) } },
    )
  }
  return { mime, width, height, orientation, exif }
}

export async function inspectImage(bytes: Uint8Array, opts?: Partial<IntakeLimits>): Promise<ImageInfo> {
  const h = await readHeader(bytes, limitsOf(opts))
  const swap = h.orientation >= 5 && h.orientation <= 8
  // exifr hangs on some malformed HEIF box trees; those files are read without EXIF.
  const heif = h.mime === 'image/heic' || h.mime === 'image/heif' || h.mime === 'image/avif'
  const t = heif && !isobmffWellFormed(bytes) ? { capturedAt: null, capturedAtHasZone: false } : await readCaptureTime(bytes, h.exif)
  return {
    mime: h.mime,
    width: swap ? h.height : h.width,
    height: swap ? h.width : h.height,
    orientation: h.orientation,
    capturedAt: t.capturedAt,
    capturedAtHasZone: t.capturedAtHasZone,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.length,
  }
}

function describeDecodeError(mime: ImageMime, e: unknown): AppError {
  const msg = (e as Error)?.message ?? String(e)
  if (/premature end|truncat|unexpected end|short read|not enough data|incomplete|read error|end of (file|stream)/i.test(msg)) {
    return bad(`The ${mime.slice(6).toUpperCase()} file is incomplete (it was cut off during transfer).`, 'Ask the customer to send the photo again, as an attachment rather than inline.', { key: 'photos.incomplete', values: { format: mime.slice(6).toUpperCase() } }, e)
  }
  return bad(`The ${mime.slice(6).toUpperCase()} file is damaged and cannot be decoded (${decoderDetail(e)}).`, 'Ask the customer to send the photo again.', { key: 'photos.undecodable', values: { format: mime.slice(6).toUpperCase(), detail: decoderDetail(e) } }, e)
}

type HeicDecode = (o: { buffer: Uint8Array }) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>
let heicDecode: HeicDecode | undefined

// libheif's JS glue reports a file it cannot parse with console.log ("Could not parse HEIF
// file", why; "Decoding image failed", …): on the CLI those lines landed on stdout among
// `qr decode --json`'s JSON lines (found by fuzzing, issue 7). While a HEIC decodes, exactly
// those messages are held back and their reason goes into the error instead, which is also
// more telling than heic-decode's own "HEIF image not found" (a cut-off file then reads as
// incomplete).
const LIBHEIF_NOISE = /^(Could not (parse HEIF file|create HEIF context|get image data for id)|Decoding image failed|Error loading image ids|No images found)$/
/** "Decoding image failed", handle, { message } → "Decoding image failed: message". */
const heifWords = (args: unknown[]) =>
  [args[0], ...args.slice(1).map((a) => (a && typeof a === 'object' ? (a as { message?: unknown }).message : a))].filter((x) => typeof x === 'string' || typeof x === 'number').join(': ')
let heifDecodes = 0
let realLog: typeof console.log | undefined
let heifNoise: string[] = []

async function withLibheifQuiet<T>(f: () => Promise<T>): Promise<T> {
  if (heifDecodes === 0) {
    realLog = console.log
    heifNoise = []
    console.log = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && LIBHEIF_NOISE.test(args[0])) heifNoise.push(heifWords(args))
      else realLog!(...args)
    }
  }
  heifDecodes++
  const from = heifNoise.length
  try {
    return await f()
  } catch (e) {
    const why = heifNoise.slice(from).at(-1)
    throw why ? new Error(why, { cause: e }) : e
  } finally {
    if (--heifDecodes === 0) console.log = realLog!
  }
}

/** libheif compiled to wasm: slow (seconds for 12 MP) but the only HEVC decoder we can ship offline. */
async function decodeHeic(bytes: Uint8Array): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  heicDecode ??= createRequire(import.meta.url)('heic-decode') as HeicDecode
  // libheif applies the HEIF rotation/mirror properties (irot/imir) itself; EXIF orientation
  // inside HEIC is informational only, per the HEIF spec.
  const r = await withLibheifQuiet(() => heicDecode!({ buffer: bytes }))
  return { data: r.data, width: r.width, height: r.height }
}

/** Decodes to upright RGBA. Limits are checked on the header first (see readHeader). */
export async function normalizeImage(bytes: Uint8Array, opts?: Partial<IntakeLimits>): Promise<NormalizedImage> {
  const limits = limitsOf(opts)
  const h = await readHeader(bytes, limits)
  if (h.mime === 'image/heic' || h.mime === 'image/heif') {
    try {
      const r = await decodeHeic(bytes)
      return { ...r, mime: h.mime, orientation: 1 }
    } catch (e) {
      throw describeDecodeError(h.mime, e)
    }
  }
  const sharp = await loadSharp()
  try {
    // failOn 'truncated': refuse cut-off files, but accept the minor warnings many phone JPEGs carry.
    const { data, info } = await sharp(asBuffer(bytes), { limitInputPixels: limits.maxPixels, failOn: 'truncated' })
      .autoOrient()
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
    return {
      data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
      mime: h.mime,
      orientation: h.orientation,
    }
  } catch (e) {
    throw describeDecodeError(h.mime, e)
  }
}
