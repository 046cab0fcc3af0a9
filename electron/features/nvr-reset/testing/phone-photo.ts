// Test helper: turns the simulated NVR's screen PNG into what a customer's phone sends — the
// screen seen at an angle (shear + rotation, a stand-in for perspective), a bezel and room
// around it, moiré stripes, a glare spot, slight blur, and a low-quality JPEG with an EXIF
// capture time. Deterministic for a given input.
import sharp from 'sharp'

export interface PhoneOptions {
  /** EXIF DateTimeOriginal ("YYYY:MM:DD HH:MM:SS", phone local time) and optional offset. */
  captured?: { local: string; offset?: string }
  quality?: number
  blur?: number
  angle?: number
}

export async function phonePhoto(screenPng: Buffer, o: PhoneOptions = {}): Promise<Buffer> {
  const meta = await sharp(screenPng).metadata()
  const w = meta.width!
  const h = meta.height!
  // Moiré: fine diagonal stripes beating against the screen's pixel grid, plus a glare spot.
  const stripes = Array.from({ length: Math.ceil((w + h) / 5) }, (_, i) => `<line x1="${i * 5 - h}" y1="0" x2="${i * 5}" y2="${h}" stroke="rgb(120,160,255)" stroke-opacity="0.16" stroke-width="2"/>`).join('')
  const overlay = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
    <defs><radialGradient id="g" cx="0.72" cy="0.3" r="0.28"><stop offset="0" stop-color="#fff" stop-opacity="0.55"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>
    ${stripes}<rect width="${w}" height="${h}" fill="url(#g)"/></svg>`)
  const screen = await sharp(screenPng).composite([{ input: overlay }]).png().toBuffer()
  // The screen at an angle: shear, then a small rotation; the phone's room around it.
  const tilted = await sharp(screen)
    .extend({ top: 40, bottom: 40, left: 40, right: 40, background: { r: 25, g: 25, b: 28 } })
    .affine([[1, 0.12], [0.04, 0.93]], { background: { r: 70, g: 64, b: 58 }, interpolator: 'bilinear' })
    .rotate(o.angle ?? 7, { background: { r: 70, g: 64, b: 58 } })
    .blur(o.blur ?? 1.1)
    .modulate({ brightness: 0.92, saturation: 0.8 })
    .png()
    .toBuffer()
  let img = sharp(tilted).jpeg({ quality: o.quality ?? 38, chromaSubsampling: '4:2:0' })
  if (o.captured) {
    img = img.withExif({ IFD0: { Make: 'PhoneCo', Model: 'Phone 12' }, IFD2: { DateTimeOriginal: o.captured.local, ...(o.captured.offset ? { OffsetTimeOriginal: o.captured.offset } : {}) } } as never)
  }
  return img.toBuffer()
}

/** "YYYY:MM:DD HH:MM:SS" of an instant in UTC (EXIF wall time for a phone set to UTC). */
export const exifUtc = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, ':')
