// Greyscale image operations for the decoder's preprocessing. QR decoding only needs
// luminance, and one byte per pixel keeps a 12 MP photo at 12 MB instead of 48 MB.
// Geometric steps (resize, rotate, blur) go through sharp/libvips, which is multi-threaded
// and fast; the point operations are simple loops here.
import type { Sharp } from 'sharp'
import type { Pixels } from './zxing'

export interface Gray {
  data: Uint8Array
  width: number
  height: number
}

/** Same luma weights as zxing-wasm uses internally (BT.601 in 10-bit fixed point). */
export function lumaOf(px: Pixels): Gray {
  const n = px.width * px.height
  const out = new Uint8Array(n)
  const d = px.data
  for (let i = 0, j = 0; i < n; i++, j += 4) out[i] = (306 * d[j] + 601 * d[j + 1] + 117 * d[j + 2] + 512) >> 10
  return { data: out, width: px.width, height: px.height }
}

/** zxing-wasm takes RGBA only; it converts straight back to luma, so R=G=B is lossless. */
export function toRgba(g: Gray): Pixels {
  const n = g.width * g.height
  const out = new Uint8ClampedArray(n * 4)
  const src = g.data
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const v = src[i]
    out[j] = v
    out[j + 1] = v
    out[j + 2] = v
    out[j + 3] = 255
  }
  return { data: out, width: g.width, height: g.height }
}

async function run(g: Gray, f: (s: Sharp) => Sharp): Promise<Gray> {
  // sharp (libvips, a native library) is loaded at the first image, not when the console starts.
  const { default: sharp } = await import('sharp')
  const { data, info } = await f(sharp(g.data, { raw: { width: g.width, height: g.height, channels: 1 } }))
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true })
  if (info.channels === 1) return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }
  // Some operations (rotate with a background) add an alpha channel: keep the first one.
  const out = new Uint8Array(info.width * info.height)
  for (let i = 0; i < out.length; i++) out[i] = data[i * info.channels]
  return { data: out, width: info.width, height: info.height }
}

export const resize = (g: Gray, scale: number) =>
  run(g, (s) => s.resize(Math.max(1, Math.round(g.width * scale)), Math.max(1, Math.round(g.height * scale)), { fit: 'fill', kernel: scale > 1 ? 'cubic' : 'lanczos3' }))

/** Independent horizontal and vertical scale factors (a stretch moves the sampling grid). */
export const resizeXY = (g: Gray, sx: number, sy: number) =>
  run(g, (s) => s.resize(Math.max(1, Math.round(g.width * sx)), Math.max(1, Math.round(g.height * sy)), { fit: 'fill' }))

/** Gaussian blur: removes the moiré a phone camera sees on an LCD's pixel grid. */
export const blur = (g: Gray, sigma: number) => run(g, (s) => s.blur(sigma))

export const median = (g: Gray, size: number) => run(g, (s) => s.median(size))

/**
 * Local contrast equalisation (CLAHE: histogram equalisation per tile x tile block with the
 * slope limited to maxSlope, mappings blended bilinearly between block centres): glare
 * washes out one part of the code only. Linear in the pixel count; libvips' sliding-window
 * version took ~0.7 s on a 1344x1008 working copy, this ~20 ms.
 */
export function clahe(g: Gray, tile: number, maxSlope = 4): Gray {
  const { width: w, height: h, data } = g
  const nx = Math.max(1, Math.round(w / tile))
  const ny = Math.max(1, Math.round(h / tile))
  const luts = new Uint8Array(nx * ny * 256)
  const hist = new Uint32Array(256)
  for (let ty = 0; ty < ny; ty++) {
    const y0 = Math.floor((ty * h) / ny)
    const y1 = Math.floor(((ty + 1) * h) / ny)
    for (let tx = 0; tx < nx; tx++) {
      const x0 = Math.floor((tx * w) / nx)
      const x1 = Math.floor(((tx + 1) * w) / nx)
      hist.fill(0)
      for (let y = y0; y < y1; y++) for (let x = x0, i = y * w + x0; x < x1; x++, i++) hist[data[i]]++
      const count = (x1 - x0) * (y1 - y0)
      const limit = Math.max(1, Math.floor((maxSlope * count) / 256))
      let excess = 0
      for (let v = 0; v < 256; v++) {
        if (hist[v] > limit) {
          excess += hist[v] - limit
          hist[v] = limit
        }
      }
      const add = excess / 256
      const lut = (ty * nx + tx) * 256
      let cdf = 0
      for (let v = 0; v < 256; v++) {
        cdf += hist[v] + add
        luts[lut + v] = Math.min(255, Math.round((cdf * 255) / Math.max(1, count)))
      }
    }
  }
  const out = new Uint8Array(w * h)
  const tw = w / nx
  const th = h / ny
  for (let y = 0; y < h; y++) {
    const fy = Math.max(0, Math.min(ny - 1, (y + 0.5) / th - 0.5))
    const ty0 = Math.min(ny - 1, Math.floor(fy))
    const ty1 = Math.min(ny - 1, ty0 + 1)
    const wy = fy - ty0
    for (let x = 0; x < w; x++) {
      const fx = Math.max(0, Math.min(nx - 1, (x + 0.5) / tw - 0.5))
      const tx0 = Math.min(nx - 1, Math.floor(fx))
      const tx1 = Math.min(nx - 1, tx0 + 1)
      const wx = fx - tx0
      const v = data[y * w + x]
      const a = luts[(ty0 * nx + tx0) * 256 + v] * (1 - wx) + luts[(ty0 * nx + tx1) * 256 + v] * wx
      const b = luts[(ty1 * nx + tx0) * 256 + v] * (1 - wx) + luts[(ty1 * nx + tx1) * 256 + v] * wx
      out[y * w + x] = Math.round(a * (1 - wy) + b * wy)
    }
  }
  return { data: out, width: w, height: h }
}

/** Rotates clockwise by `deg` around the centre; the canvas grows to keep every pixel. */
export const rotate = (g: Gray, deg: number) => run(g, (s) => s.rotate(deg, { background: { r: 255, g: 255, b: 255 } }))

/** Maps a point of an image rotated by `deg` (see rotate) back to the unrotated image. */
export function unrotatePoint(x: number, y: number, deg: number, from: { width: number; height: number }, to: { width: number; height: number }): [number, number] {
  const t = (deg * Math.PI) / 180
  const dx = x - to.width / 2
  const dy = y - to.height / 2
  const c = Math.cos(t)
  const s = Math.sin(t)
  return [dx * c + dy * s + from.width / 2, -dx * s + dy * c + from.height / 2]
}

/** Stretches the 1st..99th percentile to full range: dim, low-contrast screen photos. */
export function stretch(g: Gray): Gray {
  const hist = new Uint32Array(256)
  for (let i = 0; i < g.data.length; i++) hist[g.data[i]]++
  const lowCount = g.data.length * 0.01
  let lo = 0
  for (let acc = 0; lo < 255 && (acc += hist[lo]) < lowCount; ) lo++
  let hi = 255
  for (let acc = 0; hi > 0 && (acc += hist[hi]) < lowCount; ) hi--
  if (hi - lo < 8) return g
  const lut = new Uint8Array(256)
  for (let v = 0; v < 256; v++) lut[v] = Math.max(0, Math.min(255, Math.round(((v - lo) * 255) / (hi - lo))))
  const out = new Uint8Array(g.data.length)
  for (let i = 0; i < out.length; i++) out[i] = lut[g.data[i]]
  return { data: out, width: g.width, height: g.height }
}

/** Mean over a (2r+1)^2 window, from an integral image: a local threshold surface. */
export function boxMean(g: Gray, r: number): Float32Array {
  const { width: w, height: h, data } = g
  const W = w + 1
  const integral = new Float64Array(W * (h + 1))
  for (let y = 0; y < h; y++) {
    let row = 0
    for (let x = 0; x < w; x++) {
      row += data[y * w + x]
      integral[(y + 1) * W + x + 1] = integral[y * W + x + 1] + row
    }
  }
  const out = new Float32Array(w * h)
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r)
    const y1 = Math.min(h, y + r + 1)
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r)
      const x1 = Math.min(w, x + r + 1)
      out[y * w + x] = (integral[y1 * W + x1] - integral[y0 * W + x1] - integral[y1 * W + x0] + integral[y0 * W + x0]) / ((x1 - x0) * (y1 - y0))
    }
  }
  return out
}

/**
 * Mean-threshold binarisation over a (2r+1)^2 window. A window much larger than zxing's own
 * 8x8 blocks keeps big modules and glare gradients apart.
 */
export function adaptiveThreshold(g: Gray, radius: number, offset: number): Gray {
  const mean = boxMean(g, radius)
  const out = new Uint8Array(g.data.length)
  for (let i = 0; i < out.length; i++) out[i] = g.data[i] < mean[i] - offset ? 0 : 255
  return { data: out, width: g.width, height: g.height }
}

export function invert(g: Gray): Gray {
  const out = new Uint8Array(g.data.length)
  for (let i = 0; i < out.length; i++) out[i] = 255 - g.data[i]
  return { data: out, width: g.width, height: g.height }
}

/**
 * Upright RGBA -> greyscale no larger than maxSide, by averaging f x f blocks (f an integer)
 * in one pass. A libvips resize of raw 12 MP RGBA took ~500 ms here; this takes ~50 ms, and
 * box averaging is itself a good low-pass against screen moiré.
 */
export function grayFit(px: Pixels, maxSide: number): Gray {
  const f = Math.ceil(Math.max(px.width, px.height) / maxSide)
  if (f <= 1) return lumaOf(px)
  const w = Math.floor(px.width / f)
  const h = Math.floor(px.height / f)
  const out = new Uint8Array(w * h)
  const acc = new Uint32Array(w)
  const d = px.data
  const div = f * f * 1024
  for (let y = 0; y < h; y++) {
    acc.fill(0)
    for (let dy = 0; dy < f; dy++) {
      let j = ((y * f + dy) * px.width) * 4
      for (let x = 0; x < w; x++) {
        let sum = 0
        for (let dx = 0; dx < f; dx++, j += 4) sum += 306 * d[j] + 601 * d[j + 1] + 117 * d[j + 2]
        acc[x] += sum
      }
    }
    for (let x = 0; x < w; x++) out[y * w + x] = Math.round(acc[x] / div)
  }
  return { data: out, width: w, height: h }
}

/**
 * Luma of the region [x0, x1) x [y0, y1) of upright RGBA (clamped to the image), averaged
 * over f x f blocks (f an integer >= 1).
 */
export function cropGray(px: Pixels, x0: number, y0: number, x1: number, y1: number, f = 1): Gray {
  x0 = Math.max(0, Math.floor(x0))
  y0 = Math.max(0, Math.floor(y0))
  x1 = Math.min(px.width, Math.ceil(x1))
  y1 = Math.min(px.height, Math.ceil(y1))
  f = Math.max(1, Math.floor(f))
  const w = Math.max(1, Math.floor((x1 - x0) / f))
  const h = Math.max(1, Math.floor((y1 - y0) / f))
  const out = new Uint8Array(w * h)
  const d = px.data
  const div = f * f * 1024
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0
      for (let dy = 0; dy < f; dy++) {
        const yy = Math.min(px.height - 1, y0 + y * f + dy)
        let j = (yy * px.width + x0 + x * f) * 4
        for (let dx = 0; dx < f; dx++, j += 4) sum += 306 * d[j] + 601 * d[j + 1] + 117 * d[j + 2]
      }
      out[y * w + x] = Math.round(sum / div)
    }
  }
  return { data: out, width: w, height: h }
}
