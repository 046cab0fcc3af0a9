// Synthetic "phone photo of a screen showing a QR code", for tests and the benchmark.
// Rendered by inverse mapping through a homography, sampling the screen's pixel grid
// (the source of moiré when a camera photographs an LCD), with glare, colour cast,
// noise and blur added afterwards. Nothing here is used at run time.
import QRCode from 'qrcode'
import sharp from 'sharp'
import { squareToQuad } from '../grid'

export type Pt = [number, number]

export interface ScreenPhotoOptions {
  text: string
  width: number
  height: number
  /** Where the QR symbol's corners (TL, TR, BR, BL, without quiet zone) land in the photo. */
  corners: [Pt, Pt, Pt, Pt]
  /** Screen pixels per QR module; the LCD grid is visible at this scale. Default 6. */
  screenPxPerModule?: number
  /** Brightness of the gaps between LCD pixels, 0..1 (1 = no grid). Default 1. */
  gridGap?: number
  /** Gaussian blur sigma in photo pixels (defocus). Default 0. */
  blur?: number
  /** Glare: a bright spot of this strength (0..1) centred at `glareAt` (fraction of the image). */
  glare?: number
  glareAt?: Pt
  glareRadius?: number
  /** Standard deviation of additive noise, grey levels. Default 0. */
  noise?: number
  /** Contrast of the screen: dark modules' brightness (0..255). Default 30; light default 225. */
  dark?: number
  light?: number
  /** Tint multipliers for R, G, B (colour cast of a screen photo). */
  tint?: [number, number, number]
  jpegQuality?: number
  /** Seed for the noise (deterministic tests). */
  seed?: number
  ecLevel?: 'L' | 'M' | 'Q' | 'H'
  /**
   * A wavy (not flat) surface, like a code printed on fabric or a bent label: the module grid
   * is displaced by up to `amplitude` modules, sinusoidally with `period` modules, on top of
   * the perspective. Default none.
   */
  wave?: { amplitude: number; period: number; phase?: number }
}

function invert3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m
  const A = e * i - f * h
  const B = -(d * i - f * g)
  const C = d * h - e * g
  const det = a * A + b * B + c * C
  return [A / det, -(b * i - c * h) / det, (b * f - c * e) / det, B / det, (a * i - c * g) / det, -(a * f - c * d) / det, C / det, -(a * h - b * g) / det, (a * e - b * d) / det]
}

function rng(seed: number) {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 4294967296
  }
}

/** Renders the photo; returns JPEG bytes (or PNG when jpegQuality is 0). */
export async function screenPhoto(o: ScreenPhotoOptions): Promise<Buffer> {
  const qr = QRCode.create(o.text, { errorCorrectionLevel: o.ecLevel ?? 'M' })
  const n = qr.modules.size
  const mods = qr.modules.data
  const ppm = o.screenPxPerModule ?? 6
  const gap = o.gridGap ?? 1
  const dark = o.dark ?? 30
  const light = o.light ?? 225
  const quiet = 4
  // Screen coordinates u,v in modules, 0..n is the symbol; the screen extends further (a UI around it).
  const H = invert3(squareToQuad(o.corners))
  const { width: W, height: Hh } = o
  const gray = new Float32Array(W * Hh)
  const SS = 2 // 2x2 supersampling: enough antialiasing to look like a camera, not enough to kill moiré
  for (let y = 0; y < Hh; y++) {
    for (let x = 0; x < W; x++) {
      let acc = 0
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const px = x + (sx + 0.5) / SS
          const py = y + (sy + 0.5) / SS
          const w = H[6] * px + H[7] * py + H[8]
          let u = ((H[0] * px + H[1] * py + H[2]) / w) * n
          let v = ((H[3] * px + H[4] * py + H[5]) / w) * n
          if (o.wave) {
            const k = (2 * Math.PI) / o.wave.period
            const ph = o.wave.phase ?? 0
            const du = o.wave.amplitude * Math.sin(k * v + ph)
            v += o.wave.amplitude * Math.sin(k * u + 2 * ph)
            u += du
          }
          let val: number
          if (u < -quiet - 6 || v < -quiet - 6 || u >= n + quiet + 6 || v >= n + quiet + 6) val = 60 // screen bezel / UI
          else if (u < 0 || v < 0 || u >= n || v >= n) val = light
          else val = mods[Math.floor(v) * n + Math.floor(u)] ? dark : light
          if (gap < 1) {
            // LCD pixel grid: the last 25% of every screen pixel, in both directions, is the dark gap.
            const fu = u * ppm - Math.floor(u * ppm)
            const fv = v * ppm - Math.floor(v * ppm)
            if (fu > 0.75 || fv > 0.75) val *= gap
          }
          acc += val
        }
      }
      gray[y * W + x] = acc / (SS * SS)
    }
  }
  const rand = rng(o.seed ?? 1)
  const tint = o.tint ?? [1, 1, 1]
  const glare = o.glare ?? 0
  const [gx, gy] = [(o.glareAt?.[0] ?? 0.5) * W, (o.glareAt?.[1] ?? 0.4) * Hh]
  const gr = (o.glareRadius ?? 0.25) * Math.max(W, Hh)
  const rgb = Buffer.alloc(W * Hh * 3)
  for (let i = 0, y = 0; y < Hh; y++) {
    for (let x = 0; x < W; x++, i++) {
      let v = gray[i]
      if (glare > 0) {
        const d2 = ((x - gx) ** 2 + (y - gy) ** 2) / (gr * gr)
        const k = glare * Math.exp(-d2)
        v = v * (1 - k) + 255 * k
      }
      if (o.noise) v += (rand() + rand() + rand() - 1.5) * 2 * o.noise
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.max(0, Math.min(255, Math.round(v * tint[c])))
    }
  }
  let img = sharp(rgb, { raw: { width: W, height: Hh, channels: 3 } })
  if (o.blur && o.blur >= 0.3) img = img.blur(o.blur)
  return o.jpegQuality === 0 ? img.png().toBuffer() : img.jpeg({ quality: o.jpegQuality ?? 85 }).toBuffer()
}

/** A rectangle of side `size` centred at (cx, cy), rotated by `deg` and with its top edge shrunk by `keystone` (0..0.5) for perspective. */
export function quad(cx: number, cy: number, size: number, deg = 0, keystone = 0): [Pt, Pt, Pt, Pt] {
  const h = size / 2
  const top = h * (1 - keystone)
  const pts: Pt[] = [
    [-top, -h],
    [top, -h],
    [h, h],
    [-h, h],
  ]
  const t = (deg * Math.PI) / 180
  return pts.map(([x, y]) => [cx + x * Math.cos(t) - y * Math.sin(t), cy + x * Math.sin(t) + y * Math.cos(t)] as Pt) as [Pt, Pt, Pt, Pt]
}
