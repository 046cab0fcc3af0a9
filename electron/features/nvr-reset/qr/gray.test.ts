import { describe, expect, it } from 'vitest'
import { clahe, cropGray } from './gray'

describe('clahe', () => {
  it('raises the contrast of a washed-out half without flattening the other half', () => {
    // Soft (defocused) modules: left half at normal contrast (30..200), right half under glare (215..240).
    const w = 400
    const h = 200
    const data = new Uint8Array(w * h)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const t = (1 + Math.sin((x * Math.PI) / 10) * Math.sin((y * Math.PI) / 10)) / 2
        data[y * w + x] = Math.round(x < w / 2 ? 30 + 170 * t : 215 + 25 * t)
      }
    }
    const out = clahe({ data, width: w, height: h }, 50)
    const contrastAt = (x0: number) => {
      let lo = 255
      let hi = 0
      for (let y = 60; y < 140; y++) {
        for (let x = x0; x < x0 + 40; x++) {
          lo = Math.min(lo, out.data[y * w + x])
          hi = Math.max(hi, out.data[y * w + x])
        }
      }
      return hi - lo
    }
    // The washed-out side (25 grey levels in the input) gains a lot; the other side keeps its own (170).
    expect(contrastAt(300), 'glare side').toBeGreaterThan(25 * 3)
    expect(contrastAt(60), 'normal side').toBeGreaterThan(150)
    // Dark stays darker than light on both sides: (315, 65) is a dark centre, (305, 65) a light one.
    for (const x of [105, 305]) {
      expect(data[65 * w + x + 10]).toBeLessThan(data[65 * w + x])
      expect(out.data[65 * w + x + 10]).toBeLessThan(out.data[65 * w + x])
    }
  })
})

describe('cropGray', () => {
  it('crops, clamps to the image and block-averages', () => {
    const w = 8
    const h = 6
    const data = new Uint8ClampedArray(w * h * 4)
    for (let i = 0; i < w * h; i++) data.set([i, i, i, 255], i * 4)
    const g = cropGray({ data, width: w, height: h }, 2, 1, 6, 5, 2)
    expect([g.width, g.height]).toEqual([2, 2])
    // Block (2..3, 1..2): values 10, 11, 18, 19 -> 14.5.
    expect(Math.abs(g.data[0] - 14.5)).toBeLessThanOrEqual(0.5)
    const clamped = cropGray({ data, width: w, height: h }, -5, -5, 3, 2)
    expect([clamped.width, clamped.height]).toEqual([3, 2])
    expect(Array.from(clamped.data)).toEqual([0, 1, 2, 8, 9, 10])
  })
})
