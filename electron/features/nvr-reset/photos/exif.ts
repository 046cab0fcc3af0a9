// EXIF capture time. Kept as the camera wrote it: the reset workflow compares it with the
// device clock and the time the photo arrived, so we must not invent a time zone.

export interface CaptureTime {
  /** ISO 8601; with the offset when the camera recorded one (OffsetTimeOriginal), otherwise local wall time without a zone. */
  capturedAt: string | null
  /** false when the camera gave no offset: the time is the phone's local wall-clock time. */
  capturedAtHasZone: boolean
}

const PICK = ['DateTimeOriginal', 'OffsetTimeOriginal', 'CreateDate', 'OffsetTime']

/** "2025:03:04 05:06:07" (+ optional "+02:00") -> "2025-03-04T05:06:07+02:00". */
export function exifDateToIso(value: unknown, offset: unknown): { iso: string; hasZone: boolean } | null {
  if (typeof value !== 'string') return null
  const m = value.trim().match(/^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/)
  if (!m) return null
  const [, y, mo, d, h, mi, s] = m
  // Cameras write "0000:00:00 00:00:00" when the clock was never set.
  if (Number(y) < 1970 || Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return null
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null
  const base = `${y}-${mo}-${d}T${h}:${mi}:${s}`
  const off = typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? offset.trim() : null
  return { iso: off ? base + off : base, hasZone: off !== null }
}

function fromTags(tags: Record<string, unknown> | undefined | null): CaptureTime | null {
  if (!tags) return null
  const t = exifDateToIso(tags.DateTimeOriginal, tags.OffsetTimeOriginal) ?? exifDateToIso(tags.CreateDate, tags.OffsetTime)
  return t ? { capturedAt: t.iso, capturedAtHasZone: t.hasZone } : null
}

/**
 * Reads the capture time from the file itself, or from the raw EXIF block sharp extracted
 * (WebP, where exifr does not know the container). Never throws: a photo without EXIF is normal.
 */
export async function readCaptureTime(bytes: Uint8Array, rawExif?: Uint8Array): Promise<CaptureTime> {
  const opts = { pick: PICK, reviveValues: false, translateValues: false, silentErrors: true }
  // exifr is loaded at the first photo, not when the console starts.
  const { default: exifr } = await import('exifr')
  try {
    const t = fromTags(await exifr.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), opts))
    if (t) return t
  } catch {
    // Unknown container for exifr: fall through to the raw block.
  }
  if (rawExif && rawExif.length > 8) {
    // sharp gives the APP1 payload, "Exif\0\0" + TIFF; exifr wants the TIFF part.
    const tiff = String.fromCharCode(...rawExif.subarray(0, 4)) === 'Exif' ? rawExif.subarray(6) : rawExif
    try {
      const t = fromTags(await exifr.parse(Buffer.from(tiff.buffer, tiff.byteOffset, tiff.byteLength), opts))
      if (t) return t
    } catch {
      // Corrupt EXIF is not a reason to refuse the photo.
    }
  }
  return { capturedAt: null, capturedAtHasZone: false }
}
