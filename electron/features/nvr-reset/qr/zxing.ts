// zxing-wasm, loaded from the package's own .wasm file. By default zxing-wasm fetches the
// binary from a public CDN, which fails offline and would be a supply-chain hole anyway.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { ReaderOptions, ReadResult } from 'zxing-wasm/reader'

type Zxing = typeof import('zxing-wasm/reader')
let ready: Promise<Zxing> | undefined

/** The reader, its wasm compiled. Imported at the first decode, not when the console starts. */
export function loadZxing(): Promise<Zxing> {
  ready ??= import('zxing-wasm/reader').then(async (z) => {
    const path = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm')
    const buf = readFileSync(path)
    const wasmBinary = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer
    await z.prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true })
    return z
  })
  return ready
}

export interface Pixels {
  /** RGBA, 4 bytes per pixel. */
  data: Uint8ClampedArray
  width: number
  height: number
}

/** One readBarcodes call on RGBA pixels. */
export async function zxingRead(px: Pixels, options: ReaderOptions): Promise<ReadResult[]> {
  const z = await loadZxing()
  // zxing-wasm accepts any ImageData-shaped object; Node has no ImageData class.
  const imageData = { data: px.data, width: px.width, height: px.height, colorSpace: 'srgb' } as unknown as Parameters<Zxing['readBarcodes']>[0]
  return z.readBarcodes(imageData, options)
}

export type { ReaderOptions, ReadResult }
