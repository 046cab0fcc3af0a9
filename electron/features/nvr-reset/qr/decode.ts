// QR decoding of customers' photos. A single zxing call reads clean images; phone photos of a
// screen need more (moiré, glare, blur, tilt), so we try a sequence of preprocessing variants,
// cheapest and most often useful first. A photo can hold several codes (an NVR's Retrieve
// Password screen often shows an app-download or cloud-binding code beside the reset code),
// so the codes of every variant tried are merged (same payload at the same place = one code)
// and the search goes on while the photo may hold more than was found: until the
// full-resolution pass has run and every symbol zxing located has been decoded or refitted,
// within the time budget. The order and the stopping rule were chosen on the tuning split of
// the synthetic scenes (testing/scenes.ts; scripts/bench/qr.ts --tune), not on ../shared/qr-corpus.
import { normalizeImage, type IntakeLimits, type NormalizedImage } from '../photos/intake'
import { fitGrid, renderSymbol, squareToQuad } from './grid'
import { adaptiveThreshold, blur, clahe, cropGray, grayFit, median, resize, resizeXY, rotate, stretch, toRgba, unrotatePoint, type Gray } from './gray'
import { zxingRead, type Pixels, type ReaderOptions, type ReadResult } from './zxing'

export type Point = [number, number]
export type Quad = [Point, Point, Point, Point]

export interface QrCode {
  /** The payload as text (zxing "Plain" mode: bytes transcoded per ECI or the guessed character set, control characters kept). */
  text: string
  /** Raw payload bytes, hex: for vendor formats that are binary. */
  bytesHex: string
  /** Corners top-left, top-right, bottom-right, bottom-left of the symbol, in pixels of the upright image (EXIF orientation applied). */
  position: Quad
  format: string
}

export interface DecodeResult {
  codes: QrCode[]
  /** Wall time of the decode, including image decoding when bytes were given. */
  ms: number
  /** Number of zxing calls made. */
  attempts: number
  /** Name of the first variant that found a code, or null. */
  strategy: string | null
  /** Every variant that contributed a code not found before, in order. */
  strategies: string[]
  /** Each zxing call: variant, codes new to it, time since the start (diagnostics and tuning). */
  steps: { strategy: string; newCodes: number; ms: number }[]
  /** Size of the upright image the positions refer to. */
  width: number
  height: number
}

export interface DecodeOptions {
  /**
   * Start no further variant once this thread has spent this much CPU time on the call (a
   * running zxing call is not interrupted). CPU time, not wall time: the same photo gets the
   * same answer however loaded the machine is; the worker pool's job timeout bounds the wall
   * time. Default DEFAULT_BUDGET_MS.
   */
  timeBudgetMs?: number
  /** Variants still tried once codes were found and nothing else is known to be left (default EXTRA_LOOKS; for tuning). */
  extraLooks?: number
  limits?: Partial<IntakeLimits>
  /** Only run the named strategies (tests and diagnostics). */
  strategies?: string[]
  /** With `strategies`: run them even where their conditions say they are not useful (tests of the coordinate mapping). */
  forceStrategies?: boolean
  signal?: AbortSignal
}

interface Variant {
  gray: Gray | Pixels
  /** Maps a point of this variant back to the upright original. */
  map: (x: number, y: number) => Point
}

interface Strategy {
  name: string
  /** Whether the strategy is worth trying for this image / after these failures. */
  when?: (c: Ctx) => boolean
  /** The image to read; null when there is nothing to try (the strategy then costs no zxing call). */
  build: (c: Ctx) => Promise<Variant | null>
  options?: ReaderOptions
}

/** A QR symbol zxing located (and sized) but could not decode: input to the grid refit. */
interface Located {
  /** Symbol corners (TL, TR, BR, BL of the module grid) in the upright original. */
  quad: Quad
  /** Modules a side. */
  n: number
  /** How many variants located it: zxing also "locates" stray finder-like triples. */
  seen: number
  tried: boolean
  /** A decoded code lies on it: nothing left to find there. */
  covered: boolean
}

interface Ctx {
  /** Full-resolution upright RGBA. */
  original(): Promise<Pixels>
  width: number
  height: number
  /** Luma at working resolution (max side WORK_SIDE), computed once. */
  work(): Promise<{ g: Gray; scale: number }>
  /** A code was located but failed error correction: the geometry is close, jitter it. */
  sawChecksumError: boolean
  located: Located[]
}

const WORK_SIDE = 1600
/** This thread's CPU time in ms (wall time where the runtime cannot tell). */
const cpuMs: () => number = typeof process.threadCpuUsage === 'function' ? () => {
  const u = process.threadCpuUsage()
  return (u.user + u.system) / 1000
} : () => performance.now()
/**
 * CPU time for the search. On the tuning split of the synthetic scenes (scripts/bench/qr.ts
 * --tune --ours-only --budget N) 500 ms read the same 57 of 62 codes as 800 and 1500 ms,
 * and brought the p95 of 12 MP photos from 1.27 s to 0.80 s of CPU end to end.
 */
export const DEFAULT_BUDGET_MS = 500
/**
 * Variants still tried after the stopping rule says nothing is left. On the tuning split two
 * extra looks found no code the rule had missed (57 of 62 codes either way) and only cost
 * time, so none: the option stays for re-measuring with new material.
 */
export const EXTRA_LOOKS = 0
const BASE: ReaderOptions = { formats: ['QRCode', 'MicroQRCode', 'RMQRCode'], textMode: 'Plain', returnErrors: true }

const scaled = (g: Gray | Pixels, s: number): Variant => ({ gray: g, map: (x, y) => [x / s, y / s] })

async function fromWork(c: Ctx, f: (g: Gray) => Gray | Promise<Gray>, extraScale = 1): Promise<Variant> {
  const { g, scale } = await c.work()
  const src = extraScale === 1 ? g : await resize(g, extraScale)
  return scaled(await f(src), scale * extraScale)
}

async function rotated(c: Ctx, deg: number, sx = 1, sy = 1): Promise<Variant> {
  const { g, scale } = await c.work()
  const r = await rotate(g, deg)
  const out = sx === 1 && sy === 1 ? r : await resizeXY(r, sx, sy)
  return {
    gray: out,
    map: (x, y) => {
      const [ux, uy] = unrotatePoint(x / sx, y / sy, deg, g, r)
      return [ux / scale, uy / scale]
    },
  }
}

const maxSide = (c: Ctx) => Math.max(c.width, c.height)
/** Symbols located but neither decoded nor refitted yet. */
const pending = (c: Ctx) => c.located.some((l) => !l.tried && !l.covered)

/** Grid refits per located symbol: pre-blur (sigma in modules) x control-point spacings (modules, coarse to fine). */
const REGRID_SIGMAS = [0, 0.15] as const
const REGRID_SPACINGS = [10, 6, 4] as const
const REGRID_SCALE = 4
const MAX_LOCATED = 3

/**
 * Symbols zxing located but could not decode (curved or creased surface, lens distortion):
 * refit a deformable module grid at full resolution (see grid.ts) and render each fit as a
 * clean symbol; the tiles are read in one zxing call, positions map back through the
 * located corners.
 */
async function regridded(c: Ctx): Promise<Variant | null> {
  const todo = c.located
    .filter((l) => !l.tried && !l.covered)
    .sort((a, b) => b.seen - a.seen || a.n - b.n)
    .slice(0, MAX_LOCATED)
  if (todo.length === 0) return null
  const px = await c.original()
  const tiles: { g: Gray; quad: Quad; n: number }[] = []
  for (const l of todo) {
    l.tried = true
    const q = l.quad
    const side = Math.max(...q.map((p, i) => Math.hypot(p[0] - q[(i + 1) % 4][0], p[1] - q[(i + 1) % 4][1])))
    const modPx = side / l.n
    // The fit costs per module, not per pixel; modules wider than 12 pixels are block-averaged
    // down to 6-12 (which also removes sensor noise and screen moiré).
    const f = Math.max(1, Math.floor(modPx / 6))
    const margin = 4 * modPx
    const xs = q.map((p) => p[0])
    const ys = q.map((p) => p[1])
    const x0 = Math.max(0, Math.floor(Math.min(...xs) - margin))
    const y0 = Math.max(0, Math.floor(Math.min(...ys) - margin))
    const crop = cropGray(px, x0, y0, Math.max(...xs) + margin, Math.max(...ys) + margin, f)
    const local = q.map(([x, y]) => [(x - x0) / f, (y - y0) / f]) as Quad
    for (const sigma of REGRID_SIGMAS) {
      const src = sigma ? await blur(crop, Math.max(0.3, (sigma * modPx) / f)) : crop
      const fits = fitGrid(src, local, l.n, REGRID_SPACINGS)
      // Not a symbol (its function patterns do not fit): no second try with blur.
      if (fits.length === 0) break
      for (const r of fits) tiles.push({ g: renderSymbol(r.bits, r.n, REGRID_SCALE), quad: l.quad, n: l.n })
    }
  }
  if (tiles.length === 0) return null
  const width = tiles.reduce((a, t) => a + t.g.width, 0)
  const height = Math.max(...tiles.map((t) => t.g.height))
  const data = new Uint8Array(width * height).fill(255)
  const starts: number[] = []
  let x = 0
  for (const t of tiles) {
    starts.push(x)
    for (let row = 0; row < t.g.height; row++) data.set(t.g.data.subarray(row * t.g.width, (row + 1) * t.g.width), row * width + x)
    x += t.g.width
  }
  const homographies = tiles.map((t) => squareToQuad(t.quad))
  return {
    gray: { data, width, height },
    map: (px, py) => {
      let i = tiles.length - 1
      while (i > 0 && px < starts[i]) i--
      const t = tiles[i]
      const H = homographies[i]
      const u = ((px - starts[i]) / REGRID_SCALE - 4) / t.n
      const v = (py / REGRID_SCALE - 4) / t.n
      const w = H[6] * u + H[7] * v + H[8]
      return [(H[0] * u + H[1] * v + H[2]) / w, (H[3] * u + H[4] * v + H[5]) / w]
    },
  }
}

/** Remembers an undecoded QR symbol's corners (in the original) for the grid refit. */
function noteLocated(c: Ctx, r: ReadResult, v: Variant) {
  const n = r.symbol?.width ?? 0
  if (r.isValid || r.format !== 'QRCode' || r.isMirrored || n < 21 || c.located.length >= 2 * MAX_LOCATED) return
  const p = r.position
  const quad = [p.topLeft, p.topRight, p.bottomRight, p.bottomLeft].map((q) => v.map(q.x, q.y)) as Quad
  const cx = quad.reduce((a, q) => a + q[0], 0) / 4
  const cy = quad.reduce((a, q) => a + q[1], 0) / 4
  const side = Math.hypot(quad[1][0] - quad[0][0], quad[1][1] - quad[0][1])
  // The same symbol seen again through another variant.
  const dup = c.located.find((l) => l.n === n && Math.hypot(l.quad.reduce((a, q) => a + q[0], 0) / 4 - cx, l.quad.reduce((a, q) => a + q[1], 0) / 4 - cy) < side / 8)
  if (dup) dup.seen++
  else c.located.push({ quad, n, seen: 1, tried: false, covered: false })
}

/** Cheap first. Each entry is one zxing call (which itself also tries 90° rotations, inversion and its own downscaling). */
const STRATEGIES: Strategy[] = [
  // 1. What plain zxing does: most clean images end here. For large photos (12 MP phone
  //    pictures) the downscaled working copy goes first: it is 5-10x cheaper, and zxing's
  //    locator does better when modules are a few pixels wide rather than dozens.
  { name: 'full', when: (c) => maxSide(c) <= WORK_SIDE, build: async (c) => scaled(await c.original(), 1) },
  { name: 'work', when: (c) => maxSide(c) > WORK_SIDE, build: (c) => fromWork(c, (g) => g) },
  // 2. A symbol was located but its bits failed error correction: refit its grid (curved
  //    surface, see 'regrid' below). For large photos it goes first: it costs a fraction of
  //    the full-resolution pass.
  { name: 'regrid-large', when: (c) => maxSide(c) > WORK_SIDE && pending(c), build: regridded },
  // 3. Full resolution for large photos: a small code far away needs every pixel.
  { name: 'full-large', when: (c) => maxSide(c) > WORK_SIDE, build: async (c) => scaled(await c.original(), 1) },
  // 4. A global threshold survives uneven texture inside modules (printed/photographed halftones).
  { name: 'global', build: (c) => fromWork(c, (g) => g), options: { binarizer: 'GlobalHistogram' } },
  //    The grid refit maps positions through the corners zxing located, which are less exact
  //    than those of a successful zxing read (a corner can be off by a few modules under strong
  //    perspective): on small images the cheap zxing variants above go first.
  { name: 'regrid', when: (c) => pending(c), build: regridded },
  // 5. Small images: upsample so that module edges are several pixels wide.
  { name: 'up2-global', when: (c) => maxSide(c) < 800, build: (c) => fromWork(c, (g) => g, 2), options: { binarizer: 'GlobalHistogram' } },
  // 6. Moiré from a screen's pixel grid and sensor noise: low-pass before binarising.
  { name: 'blur1', build: (c) => fromWork(c, (g) => blur(g, 1.2)) },
  { name: 'half', when: (c) => maxSide(c) > 500, build: (c) => fromWork(c, (g) => g, 0.5) },
  { name: 'blur1-global', build: (c) => fromWork(c, (g) => blur(g, 1.2)), options: { binarizer: 'GlobalHistogram' } },
  { name: 'up2', when: (c) => maxSide(c) < 800, build: (c) => fromWork(c, (g) => g, 2) },
  // 7. Glare and dim photos: contrast stretch, local equalisation, then our own large-window threshold.
  { name: 'stretch', build: (c) => fromWork(c, stretch) },
  { name: 'clahe', build: (c) => fromWork(c, (g) => clahe(g, Math.max(8, Math.round(Math.min(g.width, g.height) / 8)))) },
  { name: 'blur2-adaptive', build: (c) => fromWork(c, async (g) => adaptiveThreshold(await blur(g, 2), Math.max(8, Math.round(Math.min(g.width, g.height) / 20)), 4)) },
  { name: 'median5', build: (c) => fromWork(c, (g) => median(g, 5)) },
  { name: 'quarter-blur', when: (c) => maxSide(c) > 1200, build: (c) => fromWork(c, (g) => blur(g, 1), 0.25) },
  // 8. Rotation: the finder-pattern search is least reliable near 45°.
  { name: 'rot45', build: (c) => rotated(c, 45) },
  // Symbols first located by the later variants.
  { name: 'regrid-late', when: (c) => pending(c), build: regridded },
  // 9. A symbol was found but did not decode: small rotations and stretches move the sampling grid.
  ...([
    [5, 1, 1],
    [-5, 1, 1],
    [0, 1.1, 1],
    [0, 1, 1.1],
    [5, 1, 1.1],
    [-5, 1.1, 1],
  ] as const).map(([deg, sx, sy]): Strategy => ({
    name: `jitter(${deg},${sx},${sy})`,
    when: (c) => c.sawChecksumError,
    build: (c) => rotated(c, deg, sx, sy),
  })),
]

export const STRATEGY_NAMES: readonly string[] = STRATEGIES.map((s) => s.name)

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

function isPixels(x: unknown): x is Pixels {
  return typeof x === 'object' && x !== null && 'data' in x && 'width' in x && 'height' in x && !(x instanceof Uint8Array)
}

function round(p: Point): Point {
  return [Math.round(p[0] * 10) / 10, Math.round(p[1] * 10) / 10]
}

/** Passes over every pixel of the photo (plain zxing's view): after one, a code not found is not merely too small. */
const FULL_PASSES = new Set(['full', 'full-large'])

const centre = (q: Quad): Point => [(q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4, (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4]

/** Point in a convex quadrilateral (either winding). */
function inside(p: Point, q: Quad): boolean {
  let sign = 0
  for (let i = 0; i < 4; i++) {
    const [ax, ay] = q[i]
    const [bx, by] = q[(i + 1) % 4]
    const cross = (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax)
    if (cross === 0) continue
    if (sign === 0) sign = Math.sign(cross)
    else if (Math.sign(cross) !== sign) return false
  }
  return true
}

/** One code seen through two variants: same payload, and the centre of each lies in the other. Two stickers with the same payload stay two codes. */
function sameCode(a: QrCode, b: QrCode): boolean {
  return a.format === b.format && a.bytesHex === b.bytesHex && (inside(centre(b.position), a.position) || inside(centre(a.position), b.position))
}

function toCode(r: ReadResult, v: Variant): QrCode {
  const p = r.position
  const pts = [p.topLeft, p.topRight, p.bottomRight, p.bottomLeft].map((q) => round(v.map(q.x, q.y))) as Quad
  return { text: r.text, bytesHex: hex(r.bytes), position: pts, format: r.format }
}

/**
 * Decodes every QR code in a photo. `input` is the file's bytes (any format photos/intake
 * accepts; throws AppError BAD_INPUT when it cannot be read) or already-decoded upright RGBA.
 * A photo without a code is not an error: `codes` is empty.
 */
export async function decodeQr(input: Uint8Array | NormalizedImage | Pixels, opts: DecodeOptions = {}): Promise<DecodeResult> {
  const t0 = performance.now()
  const c0 = cpuMs()
  const budget = opts.timeBudgetMs ?? DEFAULT_BUDGET_MS
  // Bytes: full decode (sharp, or libheif for HEIC). Measured on 12 MP JPEGs, a full decode
  // plus the block-average downscale in grayFit beat libvips' shrink-on-load greyscale path
  // (which autoOrient and the non-integer ratio slow down), and the full image is needed for
  // the 'full-large' fallback and by the UI anyway.
  const px: Pixels = isPixels(input) ? input : await normalizeImage(input, opts.limits)
  const { width, height } = px
  const original = async () => px
  let workCache: { g: Gray; scale: number } | undefined
  const work = async () => {
    if (!workCache) {
      const g = grayFit(px, WORK_SIDE)
      workCache = { g, scale: g.width / width }
    }
    return workCache
  }
  const ctx: Ctx = { original, width, height, sawChecksumError: false, work, located: [] }
  const codes: QrCode[] = []
  const contributed: string[] = []
  let attempts = 0
  let fullPassDone = false
  let extra = opts.extraLooks ?? EXTRA_LOOKS
  const steps: DecodeResult['steps'] = []
  for (const s of STRATEGIES) {
    if (opts.strategies && !opts.strategies.includes(s.name)) continue
    if (s.when && !s.when(ctx) && !opts.forceStrategies) continue
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted')
    // The photo may hold more codes while the full-resolution pass has not run or a located
    // symbol is still undecoded; otherwise what was found is all there is to find.
    if (codes.length > 0 && fullPassDone && !pending(ctx) && !opts.forceStrategies && extra-- <= 0) break
    // The first call always runs; later ones only within the budget, except the full-resolution
    // pass: it is plain zxing's own view of the photo, so it always runs (never fewer codes).
    if (attempts > 0 && cpuMs() - c0 > budget && !(FULL_PASSES.has(s.name) && !fullPassDone)) {
      if (fullPassDone) break
      continue
    }
    const v = await s.build(ctx)
    if (!v) continue
    const rgba = v.gray.data instanceof Uint8ClampedArray ? (v.gray as Pixels) : toRgba(v.gray as Gray)
    attempts++
    const results = await zxingRead(rgba, { ...BASE, ...s.options })
    if (FULL_PASSES.has(s.name)) fullPassDone = true
    if (results.some((r) => !r.isValid && /checksum/i.test(r.error))) ctx.sawChecksumError = true
    for (const r of results) noteLocated(ctx, r, v)
    let added = 0
    for (const r of results) {
      if (!r.isValid || r.error) continue
      const code = toCode(r, v)
      if (!codes.some((c) => sameCode(c, code))) {
        codes.push(code)
        added++
      }
    }
    if (added) contributed.push(s.name)
    steps.push({ strategy: s.name, newCodes: added, ms: Math.round(performance.now() - t0) })
    for (const l of ctx.located) if (!l.covered && codes.some((c) => inside(centre(l.quad), c.position))) l.covered = true
  }
  return { codes, ms: performance.now() - t0, attempts, strategy: contributed[0] ?? null, strategies: contributed, steps, width, height }
}
