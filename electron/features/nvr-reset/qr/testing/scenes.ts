// Synthetic development material for the QR decoder (issue 15): photos of screens and paper
// rendered from real-looking payloads, with the troubles of customers' pictures (moiré from a
// screen's pixel grid, glare spots, uneven light and shadows, defocus, perspective, curved
// paper, several codes in one picture, small codes in 12 MP photos) and pictures with no code
// at all (screen text, halftone texture) for false reads. Every scene is a pure function of
// its seed; the seed's parity splits them into a tuning half and a held-back half, so that the
// decoder's choices are made on one and reported on the other (scripts/bench/qr.ts).
// Nothing here is used at run time; images are generated, never committed.
import QRCode from 'qrcode'
import sharp from 'sharp'
import { squareToQuad } from '../grid'

export type Pt = [number, number]
export type Quad4 = [Pt, Pt, Pt, Pt]

export const SCENE_KINDS = ['nominal', 'several', 'moire', 'glare', 'brightness', 'blur', 'perspective', 'curved', 'small-12mp', 'paper', 'no-code'] as const
export type SceneKind = (typeof SCENE_KINDS)[number]
export type Split = 'tune' | 'held-back'

export interface SceneCode {
  text: string
  /** Symbol corners (TL, TR, BR, BL, without quiet zone) in the photo, before curvature. */
  quad: Quad4
}

export interface Scene {
  seed: number
  split: Split
  kind: SceneKind
  width: number
  height: number
  codes: SceneCode[]
  /** The picture as the customer would send it (JPEG). */
  render(): Promise<Buffer>
}

export function splitOf(seed: number): Split {
  return seed % 2 === 0 ? 'tune' : 'held-back'
}

export function rng(seed: number) {
  let s = (seed * 2654435761) >>> 0 || 1
  const next = () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 4294967296
  }
  return { next, range: (a: number, b: number) => a + (b - a) * next(), int: (a: number, b: number) => a + Math.floor(next() * (b - a + 1)), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] }
}
type Rng = ReturnType<typeof rng>

const b64url = (s: string) => Buffer.from(s).toString('base64url')
const hexOf = (r: Rng, n: number) => Array.from({ length: n }, () => r.int(0, 15).toString(16)).join('')
const upper = (r: Rng, n: number) => Array.from({ length: n }, () => r.pick('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'.split(''))).join('')

/** A reset payload as the lab NVR shows it (2MSIM1, see nvr-reset/payload.ts), and other vendors' shapes. */
export function resetPayload(r: Rng): string {
  const mac = Array.from({ length: 6 }, () => hexOf(r, 2)).join(':')
  const serial = `2M${upper(r, 4)}${r.int(10000000, 99999999)}`
  const issued = new Date(Date.UTC(2026, r.int(0, 11), r.int(1, 28), r.int(0, 23), r.int(0, 59))).toISOString()
  const kind = r.int(0, 2)
  if (kind === 0) {
    const body = b64url(JSON.stringify({ v: 1, serial, mac, model: r.pick(['NVR-2M-08', 'NVR-2M-16', 'XVR-2M-04']), nonce: hexOf(r, 16), issuedAt: issued }))
    return `2MSIM1:${body}.${Buffer.from(hexOf(r, 64), 'hex').toString('base64url')}`
  }
  if (kind === 1) return `{"sn":"${serial}","mac":"${mac}","rand":"${hexOf(r, 12)}","time":${Math.floor(Date.parse(issued) / 1000)}}`
  return `RST|SN=${serial}|MAC=${mac.toUpperCase()}|N=${hexOf(r, 6)}|T=${issued}`
}

/** What else an NVR screen, a box or a manual shows as a QR code. */
export function otherPayload(r: Rng): string {
  const kind = r.int(0, 5)
  if (kind === 0) return `https://apps.apple.com/app/id${r.int(100000000, 1999999999)}`
  if (kind === 1) return `https://play.google.com/store/apps/details?id=com.${r.pick(['dmss', 'hik', 'xmeye', 'twom'])}.${r.pick(['viewer', 'mobile', 'pro'])}`
  if (kind === 2) return `P2P:${upper(r, 16)}`
  if (kind === 3) return `WIFI:T:WPA;S:NVR-${upper(r, 4)};P:${hexOf(r, 12)};;`
  if (kind === 4) return `https://cloud.example-nvr.com/bind?sn=${upper(r, 15)}&t=${hexOf(r, 10)}`
  return `BEGIN:VCARD\nVERSION:3.0\nFN:Helpdesk ${upper(r, 3)}\nTEL:+420${r.int(600000000, 799999999)}\nEND:VCARD`
}

function invert3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m
  const A = e * i - f * h
  const B = -(d * i - f * g)
  const C = d * h - e * g
  const det = a * A + b * B + c * C
  return [A / det, -(b * i - c * h) / det, (b * f - c * e) / det, B / det, (a * i - c * g) / det, -(a * f - c * d) / det, C / det, -(a * h - b * g) / det, (a * e - b * d) / det]
}

interface Placed {
  text: string
  mods: Uint8Array
  n: number
  /** Symbol rectangle on the plane (plane units), no rotation: x, y, side. */
  x: number
  y: number
  side: number
}

interface Render {
  width: number
  height: number
  surface: 'screen' | 'paper'
  /** Plane (0..1 x 0..aspect) → photo corners. */
  plane: Quad4
  aspect: number
  codes: Placed[]
  /** Plane units per LCD pixel (moiré); 0 = paper. */
  pitch: number
  gridGap: number
  dark: number
  light: number
  /** Curvature: sinusoidal displacement of the plane, in plane units. */
  wave: { amp: number; period: number; phase: number } | null
  /** Bulge (paper lifting off a table): quadratic displacement, plane units. */
  bulge: number
  glare: { x: number; y: number; r: number; k: number }[]
  /** Linear light gradient across the photo: multiplier at the left/top vs right/bottom. */
  light0: number
  light1: number
  lightAngle: number
  shadow: { x: number; k: number } | null
  texts: { x: number; y: number; w: number; h: number }[]
  halftone: number
  noise: number
  blur: number
  tint: [number, number, number]
  jpeg: number
  seed: number
}

function place(text: string, ec: 'L' | 'M' | 'Q' | 'H', x: number, y: number, side: number): Placed {
  const q = QRCode.create(text, { errorCorrectionLevel: ec })
  return { text, mods: q.modules.data as unknown as Uint8Array, n: q.modules.size, x, y, side }
}

async function render(o: Render): Promise<Buffer> {
  const { width: W, height: H } = o
  const aspect = o.aspect
  // Plane coordinates (s in 0..1, t in 0..aspect) from photo pixels.
  const Hs = invert3(squareToQuad(o.plane))
  const r = rng(o.seed ^ 0x5bd1e995)
  const ss = W * H > 6e6 ? 1 : 2
  const gray = new Float32Array(W * H)
  const cosA = Math.cos(o.lightAngle)
  const sinA = Math.sin(o.lightAngle)
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let acc = 0
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const px = x + (sx + 0.5) / ss
          const py = y + (sy + 0.5) / ss
          const w = Hs[6] * px + Hs[7] * py + Hs[8]
          let s = (Hs[0] * px + Hs[1] * py + Hs[2]) / w
          let t = ((Hs[3] * px + Hs[4] * py + Hs[5]) / w) * aspect
          let val: number
          if (s < 0 || s > 1 || t < 0 || t > aspect) {
            // Around the plane: a dark bezel round a screen, a wooden-ish table under paper.
            val = o.surface === 'screen' ? 35 : 110 + 25 * Math.sin(py * 0.02 + Math.sin(px * 0.003) * 4)
          } else {
            if (o.wave) {
              const k = (2 * Math.PI) / o.wave.period
              s += o.wave.amp * Math.sin(k * t + o.wave.phase)
              t += o.wave.amp * Math.sin(k * s + 2 * o.wave.phase)
            }
            if (o.bulge) {
              const d = (s - 0.5) ** 2
              t += o.bulge * d
            }
            val = o.light
            for (const tx of o.texts) if (s >= tx.x && s < tx.x + tx.w && t >= tx.y && t < tx.y + tx.h && (Math.floor((s - tx.x) * 400) % 3 !== 0)) val = o.dark + 40
            if (o.halftone) val -= o.halftone * (0.5 + 0.5 * Math.sin(s * 900) * Math.sin(t * 900))
            for (const c of o.codes) {
              const u = ((s - c.x) / c.side) * c.n
              const v = ((t - c.y) / c.side) * c.n
              if (u >= 0 && v >= 0 && u < c.n && v < c.n) {
                val = c.mods[Math.floor(v) * c.n + Math.floor(u)] ? o.dark : o.light
                break
              }
            }
            if (o.pitch > 0 && o.gridGap < 1) {
              const fu = s / o.pitch - Math.floor(s / o.pitch)
              const fv = t / o.pitch - Math.floor(t / o.pitch)
              if (fu > 0.75 || fv > 0.75) val *= o.gridGap
            }
          }
          acc += val
        }
      }
      let v = acc / (ss * ss)
      const g = ((x / W - 0.5) * cosA + (y / H - 0.5) * sinA + 0.5)
      v *= o.light0 + (o.light1 - o.light0) * g
      if (o.shadow && x / W > o.shadow.x) v *= 1 - o.shadow.k * Math.min(1, (x / W - o.shadow.x) * 20)
      for (const gl of o.glare) {
        const d2 = ((x - gl.x * W) ** 2 + (y - gl.y * H) ** 2) / (gl.r * gl.r * W * W)
        if (d2 < 9) {
          const k = gl.k * Math.exp(-d2)
          v = v * (1 - k) + 255 * k
        }
      }
      if (o.noise) v += (r.next() + r.next() + r.next() - 1.5) * 2 * o.noise
      gray[y * W + x] = v
    }
  }
  const rgb = Buffer.alloc(W * H * 3)
  for (let i = 0; i < W * H; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.max(0, Math.min(255, Math.round(gray[i] * o.tint[c])))
  let img = sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
  if (o.blur >= 0.3) img = img.blur(o.blur)
  return img.jpeg({ quality: o.jpeg }).toBuffer()
}

/** Maps plane (s, t) through the plane's corners (t in 0..aspect). */
function planeToPhoto(plane: Quad4, aspect: number, s: number, t: number): Pt {
  const Hm = squareToQuad(plane)
  const v = t / aspect
  const w = Hm[6] * s + Hm[7] * v + Hm[8]
  return [(Hm[0] * s + Hm[1] * v + Hm[2]) / w, (Hm[3] * s + Hm[4] * v + Hm[5]) / w]
}

/** Scene number `seed` (any positive integer): kind, payloads and troubles all follow from it. */
export function scene(seed: number): Scene {
  const r = rng(seed)
  const kind = SCENE_KINDS[seed % SCENE_KINDS.length]
  const big = kind === 'small-12mp' || r.next() < 0.25
  const [W, H] = big ? [4032, 3024] : r.pick([[1600, 1200], [1280, 960], [2048, 1536]] as const)
  const surface: 'screen' | 'paper' = kind === 'paper' || (kind === 'curved' && r.next() < 0.7) ? 'paper' : kind === 'moire' ? 'screen' : r.next() < 0.6 ? 'screen' : 'paper'
  const aspect = 0.62
  // The plane fills 45-90 % of the photo's width (10-25 % for small codes in 12 MP photos), tilted and in perspective.
  const fill = kind === 'small-12mp' ? r.range(0.18, 0.3) : r.range(0.45, 0.85)
  const pw = W * fill
  const ph = pw * aspect
  const cx = W / 2 + r.range(-0.15, 0.15) * (W - pw)
  const cy = H / 2 + r.range(-0.15, 0.15) * Math.max(0, H - ph)
  const rot = ((kind === 'perspective' ? r.range(-35, 35) : r.range(-12, 12)) * Math.PI) / 180
  const key = kind === 'perspective' ? r.range(0.15, 0.35) : r.range(0, 0.08)
  const skew = kind === 'perspective' ? r.range(-0.15, 0.15) : 0
  const base: Pt[] = [
    [-pw / 2 * (1 - key) + skew * pw, -ph / 2],
    [pw / 2 * (1 - key) + skew * pw, -ph / 2],
    [pw / 2, ph / 2],
    [-pw / 2, ph / 2],
  ]
  const plane = base.map(([x, y]) => [cx + x * Math.cos(rot) - y * Math.sin(rot), cy + x * Math.sin(rot) + y * Math.cos(rot)] as Pt) as Quad4
  // Codes on the plane: one, or two to four (a reset code beside app / cloud codes).
  const count = kind === 'no-code' ? 0 : kind === 'several' ? r.int(2, 4) : r.next() < 0.3 ? 2 : 1
  const codes: Placed[] = []
  const side = count <= 1 ? r.range(0.28, 0.45) : Math.min(0.8 / count, r.range(0.18, 0.3))
  for (let i = 0; i < count; i++) {
    const text = i === 0 && r.next() < 0.8 ? resetPayload(r) : otherPayload(r)
    const gap = (1 - count * side) / (count + 1)
    const x = count <= 1 ? r.range(0.08, 0.92 - side) : gap + i * (side + gap)
    const y = r.range(0.05, Math.max(0.06, aspect - side - 0.05))
    codes.push(place(text, r.pick(['L', 'M', 'M', 'Q', 'H'] as const), x, y, side))
  }
  const o: Render = {
    width: W, height: H, surface, plane, aspect, codes,
    pitch: surface === 'screen' ? codes.reduce((a, c) => Math.min(a, c.side / c.n), 0.02) / r.range(3.2, 6.5) : 0,
    gridGap: surface === 'screen' ? (kind === 'moire' ? r.range(0.05, 0.3) : r.range(0.3, 1)) : 1,
    dark: surface === 'screen' ? r.range(15, 60) : r.range(20, 50),
    light: surface === 'screen' ? r.range(170, 235) : r.range(200, 245),
    wave: kind === 'curved' ? { amp: r.range(0.002, 0.007), period: r.range(0.2, 0.45), phase: r.range(0, 6) } : null,
    bulge: kind === 'curved' ? r.pick([-1, 1]) * r.range(0.1, 0.35) : 0,
    glare: kind === 'glare' ? Array.from({ length: r.int(1, 3) }, () => ({ x: r.range(0.3, 0.7), y: r.range(0.3, 0.7), r: r.range(0.03, 0.1), k: r.range(0.8, 0.98) })) : r.next() < 0.2 ? [{ x: r.next(), y: r.next(), r: 0.08, k: 0.5 }] : [],
    light0: kind === 'brightness' ? r.range(0.15, 0.45) : r.range(0.85, 1),
    light1: kind === 'brightness' ? r.range(0.9, 1.3) : r.range(0.95, 1.1),
    lightAngle: r.range(0, 2 * Math.PI),
    shadow: kind === 'brightness' && r.next() < 0.5 ? { x: r.range(0.35, 0.65), k: r.range(0.3, 0.6) } : null,
    texts: Array.from({ length: r.int(2, 8) }, () => ({ x: r.range(0.02, 0.7), y: r.range(0.02, aspect - 0.05), w: r.range(0.1, 0.28), h: r.range(0.015, 0.03) })).filter((tx) => !codes.some((c) => tx.x < c.x + c.side + 0.03 && tx.x + tx.w > c.x - 0.03 && tx.y < c.y + c.side + 0.03 && tx.y + tx.h > c.y - 0.03)),
    halftone: surface === 'paper' && r.next() < 0.3 ? r.range(5, 25) : 0,
    noise: r.range(2, kind === 'nominal' ? 5 : 16),
    blur: kind === 'blur' ? r.range(1.5, big ? 6 : 3.5) : r.range(0, 1),
    tint: [r.range(0.92, 1.05), 1, r.range(0.9, 1.1)],
    jpeg: r.int(70, 92),
    seed,
  }
  return {
    seed, split: splitOf(seed), kind, width: W, height: H,
    codes: codes.map((c) => ({
      text: c.text,
      quad: [planeToPhoto(plane, aspect, c.x, c.y), planeToPhoto(plane, aspect, c.x + c.side, c.y), planeToPhoto(plane, aspect, c.x + c.side, c.y + c.side), planeToPhoto(plane, aspect, c.x, c.y + c.side)],
    })),
    render: () => render(o),
  }
}

/** The scenes of one split: the first `n` seeds (from 1) whose parity gives that split. */
export function scenes(split: Split, n: number, from = 1): Scene[] {
  const out: Scene[] = []
  for (let seed = from; out.length < n; seed++) if (splitOf(seed) === split) out.push(scene(seed))
  return out
}
