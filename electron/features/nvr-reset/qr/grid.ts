// Deformable-grid resampling of a QR symbol that zxing located but could not decode.
// zxing samples the module grid through a single perspective transform. A code printed on a
// curved or creased surface (a label on a bottle, a sticker on fabric, a bent printout) or a
// screen photographed through a lens with distortion is not a plane: the grid drifts by a
// fraction of a module across the symbol and the sampled bits exceed error correction.
// Here the transform is the zxing one plus a smooth displacement field (bilinear between a
// few control points), fitted so that (a) the function patterns every QR code has (finder,
// separator, timing and alignment modules) read as they must, and (b) every module's centre
// is far from the local threshold (a centre sampled on a module edge reads grey). The fitted
// grid is read out bit by bit and rendered as a clean synthetic symbol, which zxing then
// decodes with its usual error correction: nothing is guessed, a wrong fit simply fails.
import { boxMean, type Gray } from './gray'

export type Pt = [number, number]

/** Corners of the symbol (module grid 0..n), clockwise from the top-left finder, in `g`'s pixels. */
export type SymbolQuad = [Pt, Pt, Pt, Pt]

/** Homography mapping the unit square (0,0),(1,0),(1,1),(0,1) onto quad q (row-major 3x3). */
export function squareToQuad(q: SymbolQuad): number[] {
  const [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = q
  const dx1 = x1 - x2
  const dx2 = x3 - x2
  const dx3 = x0 - x1 + x2 - x3
  const dy1 = y1 - y2
  const dy2 = y3 - y2
  const dy3 = y0 - y1 + y2 - y3
  const den = dx1 * dy2 - dx2 * dy1
  const g = (dx3 * dy2 - dx2 * dy3) / den
  const h = (dx1 * dy3 - dx3 * dy1) / den
  return [x1 - x0 + g * x1, x3 - x0 + h * x3, x0, y1 - y0 + g * y1, y3 - y0 + h * y3, y0, g, h, 1]
}

/** Alignment pattern centre coordinates for a QR version (ISO/IEC 18004 table E.1). */
export function alignmentCenters(version: number): number[] {
  if (version < 2) return []
  const size = version * 4 + 17
  const num = Math.floor(version / 7) + 2
  const step = version === 32 ? 26 : Math.ceil((version * 4 + 4) / (num * 2 - 2)) * 2
  const out = [6]
  for (let pos = size - 7; out.length < num; pos -= step) out.splice(1, 0, pos)
  return out
}

/**
 * Known modules of an n x n symbol: +1 light, -1 dark, 0 data/format (unknown).
 * Finder patterns with separators, timing patterns, alignment patterns.
 */
export function functionPattern(n: number): Int8Array {
  const f = new Int8Array(n * n)
  const version = (n - 17) / 4
  const set = (r: number, c: number, v: number) => {
    if (r >= 0 && c >= 0 && r < n && c < n) f[r * n + c] = v
  }
  for (const [r0, c0] of [
    [0, 0],
    [0, n - 7],
    [n - 7, 0],
  ]) {
    for (let dr = -1; dr <= 7; dr++) {
      for (let dc = -1; dc <= 7; dc++) {
        const d = Math.max(Math.abs(dr - 3), Math.abs(dc - 3))
        set(r0 + dr, c0 + dc, d === 2 || d === 4 ? 1 : -1)
      }
    }
  }
  for (let i = 8; i < n - 8; i++) {
    set(6, i, i % 2 === 0 ? -1 : 1)
    set(i, 6, i % 2 === 0 ? -1 : 1)
  }
  const centers = alignmentCenters(version)
  for (const r of centers) {
    for (const c of centers) {
      // Alignment patterns that would overlap a finder pattern do not exist.
      if ((r < 9 && c < 9) || (r < 9 && c > n - 10) || (r > n - 10 && c < 9)) continue
      for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) set(r + dr, c + dc, Math.max(Math.abs(dr), Math.abs(dc)) === 1 ? 1 : -1)
    }
  }
  return f
}

/** Bilinear sample with clamping. */
function sample(g: Gray, x: number, y: number): number {
  const w = g.width
  const h = g.height
  if (x < 0) x = 0
  else if (x > w - 1.001) x = w - 1.001
  if (y < 0) y = 0
  else if (y > h - 1.001) y = h - 1.001
  const x0 = x | 0
  const y0 = y | 0
  const fx = x - x0
  const fy = y - y0
  const i = y0 * w + x0
  const d = g.data
  const a = d[i] + (d[i + 1] - d[i]) * fx
  const b = d[i + w] + (d[i + w + 1] - d[i + w]) * fx
  return a + (b - a) * fy
}

export interface GridFit {
  /** n*n bits, row-major, 1 = dark. */
  bits: Uint8Array
  n: number
  /** Control points a side of the displacement field this fit used. */
  controlPoints: number
  /** Share of function-pattern modules read correctly after the fit (1 = all). */
  patternAgreement: number
}

/** Weight of a function-pattern module's agreement relative to a data module's contrast. */
const PATTERN_WEIGHT = 3
/** Below this share of function modules read right after the stiff fit, the "symbol" is not one. */
const MIN_AGREEMENT = 0.8

/**
 * Fits a deformable module grid to the symbol located at `quad` (n modules a side) and reads
 * its bits, coarse to fine: the displacement field starts with 3x3 control points and is
 * refined to control points about `spacings[i]` modules apart, each level starting from the
 * previous one (so a fine level cannot slide a whole module away). One fit per level is
 * returned, stiffest first: a symbol that is merely bent reads best from a stiff grid, a
 * wavy one needs the finer levels. Returns [] when the symbol is too small to be sampled, or
 * when its function patterns do not read as such (a false detection).
 */
export function fitGrid(g: Gray, quad: SymbolQuad, n: number, spacings: readonly number[] = [10, 6]): GridFit[] {
  if (n < 21 || n > 177 || (n - 17) % 4 !== 0) return []
  const H = squareToQuad(quad)
  const side = Math.max(...quad.map((p, i) => Math.hypot(p[0] - quad[(i + 1) % 4][0], p[1] - quad[(i + 1) % 4][1])))
  const modPx = side / n
  if (modPx < 1.5) return []
  const known = functionPattern(n)
  const thr = boxMean(g, Math.max(2, Math.round(modPx * 3)))
  // Away from the function patterns data modules alone cannot tell a module from its
  // neighbour: bounding the drift from the located grid keeps a control point from sliding
  // a whole module.
  const maxShift = 0.75 * modPx
  const m = n * n
  // Module centres through the located perspective transform.
  const bx = new Float64Array(m)
  const by = new Float64Array(m)
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const i = r * n + c
      const u = (c + 0.5) / n
      const v = (r + 0.5) / n
      const w = H[6] * u + H[7] * v + H[8]
      bx[i] = (H[0] * u + H[1] * v + H[2]) / w
      by[i] = (H[3] * u + H[4] * v + H[5]) / w
    }
  }
  const levels = [3, ...spacings.map((s) => Math.max(3, Math.min(Math.ceil(n / 2), Math.round(n / s) + 1)))].filter((k, i, a) => i === 0 || k > a[i - 1])
  const fits: GridFit[] = []
  let prev: { K: number; dx: Float64Array; dy: Float64Array } | undefined
  for (const [level, K] of levels.entries()) {
    // Control-point displacements in image pixels, started from the previous level's field.
    const dx = new Float64Array(K * K)
    const dy = new Float64Array(K * K)
    if (prev) {
      for (let a = 0; a < K; a++) {
        for (let b = 0; b < K; b++) {
          const [ox, oy] = field(prev.K, prev.dx, prev.dy, b / (K - 1), a / (K - 1))
          dx[a * K + b] = ox
          dy[a * K + b] = oy
        }
      }
    }
    const cp = new Int32Array(m)
    const wx = new Float64Array(m)
    const wy = new Float64Array(m)
    const influenced: number[][] = Array.from({ length: K * K }, () => [])
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const i = r * n + c
        const gu = ((c + 0.5) / n) * (K - 1)
        const gv = ((r + 0.5) / n) * (K - 1)
        const cu = Math.min(K - 2, Math.floor(gu))
        const cv = Math.min(K - 2, Math.floor(gv))
        const k = cv * K + cu
        cp[i] = k
        wx[i] = gu - cu
        wy[i] = gv - cv
        influenced[k].push(i)
        influenced[k + 1].push(i)
        influenced[k + K].push(i)
        influenced[k + K + 1].push(i)
      }
    }
    const position = (i: number): Pt => {
      const k = cp[i]
      const a = wx[i]
      const b = wy[i]
      return [
        bx[i] + (1 - b) * ((1 - a) * dx[k] + a * dx[k + 1]) + b * ((1 - a) * dx[k + K] + a * dx[k + K + 1]),
        by[i] + (1 - b) * ((1 - a) * dy[k] + a * dy[k + 1]) + b * ((1 - a) * dy[k + K] + a * dy[k + K + 1]),
      ]
    }
    const contrast = (i: number): number => {
      const [x, y] = position(i)
      const xi = Math.max(0, Math.min(g.width - 1, Math.round(x)))
      const yi = Math.max(0, Math.min(g.height - 1, Math.round(y)))
      return sample(g, x, y) - thr[yi * g.width + xi]
    }
    const moduleScore = (i: number): number => {
      const d = contrast(i)
      const f = known[i]
      return f === 0 ? Math.abs(d) : PATTERN_WEIGHT * f * d
    }
    const scores = new Float64Array(m)
    for (let i = 0; i < m; i++) scores[i] = moduleScore(i)
    const tryMove = (k: number, ddx: number, ddy: number): boolean => {
      const mods = influenced[k]
      let before = 0
      for (const i of mods) before += scores[i]
      if (Math.hypot(dx[k] + ddx, dy[k] + ddy) > maxShift) return false
      dx[k] += ddx
      dy[k] += ddy
      let after = 0
      const fresh = new Float64Array(mods.length)
      for (let j = 0; j < mods.length; j++) after += fresh[j] = moduleScore(mods[j])
      if (after > before + 1e-9) {
        for (let j = 0; j < mods.length; j++) scores[mods[j]] = fresh[j]
        return true
      }
      dx[k] -= ddx
      dy[k] -= ddy
      return false
    }
    // Coordinate ascent, coarse to fine steps (in modules); finer levels start close already.
    for (const step of level === 0 ? [0.5, 0.25, 0.12] : [0.25, 0.12]) {
      const s = step * modPx
      for (let pass = 0; pass < 4; pass++) {
        let moved = false
        for (let k = 0; k < K * K; k++) {
          if (tryMove(k, s, 0) || tryMove(k, -s, 0)) moved = true
          if (tryMove(k, 0, s) || tryMove(k, 0, -s)) moved = true
        }
        if (!moved) break
      }
    }
    prev = { K, dx, dy }
    const bits = new Uint8Array(m)
    let agree = 0
    let total = 0
    for (let i = 0; i < m; i++) {
      bits[i] = contrast(i) < 0 ? 1 : 0
      if (known[i] !== 0) {
        total++
        if ((known[i] < 0) === (bits[i] === 1)) agree++
      }
    }
    const patternAgreement = total ? agree / total : 0
    // A real symbol's function patterns read (almost) perfectly once the stiff grid is fitted;
    // zxing also "locates" finder-like blobs in noise and text, which agree about half the time.
    if (level === 0 && patternAgreement < MIN_AGREEMENT) return []
    fits.push({ bits, n, controlPoints: K, patternAgreement })
  }
  return fits
}

/** Bilinear displacement at (u, v) in 0..1 of a K x K control-point field. */
function field(K: number, dx: Float64Array, dy: Float64Array, u: number, v: number): Pt {
  const gu = u * (K - 1)
  const gv = v * (K - 1)
  const cu = Math.min(K - 2, Math.floor(gu))
  const cv = Math.min(K - 2, Math.floor(gv))
  const a = gu - cu
  const b = gv - cv
  const k = cv * K + cu
  return [
    (1 - b) * ((1 - a) * dx[k] + a * dx[k + 1]) + b * ((1 - a) * dx[k + K] + a * dx[k + K + 1]),
    (1 - b) * ((1 - a) * dy[k] + a * dy[k + 1]) + b * ((1 - a) * dy[k + K] + a * dy[k + K + 1]),
  ]
}

/** Renders bits as a clean symbol (scale px per module, 4-module quiet zone), greyscale. */
export function renderSymbol(bits: Uint8Array, n: number, scale = 4): Gray {
  const side = (n + 8) * scale
  const data = new Uint8Array(side * side).fill(255)
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!bits[r * n + c]) continue
      for (let y = 0; y < scale; y++) data.fill(0, ((r + 4) * scale + y) * side + (c + 4) * scale, ((r + 4) * scale + y) * side + (c + 5) * scale)
    }
  }
  return { data, width: side, height: side }
}
