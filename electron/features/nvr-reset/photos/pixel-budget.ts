// How many pixels one intake may decode (issue 13, finding 12). Decoding costs CPU in
// proportion to pixels: a 1.3 MB .eml with 40 solid-colour 100-megapixel PNGs cost 67 s of
// CPU, each image under the per-image cap. So besides the per-image cap (checked on the header,
// intake.ts), one .eml and one call each get a pixel budget: what fits is decoded, the rest is
// reported as skipped (never decoded, never stored), and what was already stored stays.

export interface PixelCaps {
  /** One image (width x height from its header). 100 MP covers 108 MP phone sensors. */
  perImage: number
  /** All images decoded from one .eml: about ten ordinary 12 MP phone photos. */
  perEml: number
  /** All images decoded in one intake call (up to 20 files): two e-mails' worth. */
  perCall: number
}

export const PIXEL_CAPS: PixelCaps = { perImage: 100_000_000, perEml: 120_000_000, perCall: 240_000_000 }

/** Pixels still allowed under one cap; `take` reserves them before the decode starts. */
export class PixelBudget {
  private used = 0
  constructor(readonly cap: number, readonly scope: 'eml' | 'call') {}

  fits(pixels: number): boolean {
    return this.used + pixels <= this.cap
  }

  take(pixels: number): void {
    this.used += pixels
  }

  get left(): number {
    return Math.max(0, this.cap - this.used)
  }
}

export const megapixels = (n: number) => Math.round(n / 1e5) / 10
