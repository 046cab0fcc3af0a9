// A sample of the shared QR photo corpus (../shared/qr-corpus, never copied into the repo).
// The full run with timings is scripts/bench/qr.ts.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { decodeQr } from './decode'

const root = fileURLToPath(new URL('../../../shared/qr-corpus/', import.meta.url))

interface Entry {
  file: string
  expected_text: string
}

describe('QR corpus sample', () => {
  it('decodes every 5th corpus image with the exact expected text', async () => {
    if (!existsSync(root + 'manifest.json')) {
      throw new Error(`The QR corpus is missing: expected ${root}manifest.json (the shared corpus next to the repository; see ../shared/qr-corpus/README.md).`)
    }
    const manifest = JSON.parse(readFileSync(root + 'manifest.json', 'utf8')) as Entry[]
    const sample = manifest.filter((_, i) => i % 5 === 0)
    const misses: string[] = []
    let nonAscii = 0
    for (const e of sample) {
      const r = await decodeQr(readFileSync(root + e.file))
      if (/[^\x20-\x7e\r\n\t]/.test(e.expected_text)) nonAscii++
      if (!r.codes.some((c) => c.text === e.expected_text)) misses.push(`${e.file}: got ${JSON.stringify(r.codes.map((c) => c.text))}`)
    }
    expect(sample.length).toBeGreaterThan(60)
    expect(nonAscii, 'the sample should include non-ASCII payloads').toBeGreaterThan(2)
    // At most 2% missed: the full run (scripts/bench/qr.ts) misses 1 of 316, an image whose
    // expected text in the ZXing set differs by one letter from the same image in the zxing-cpp set.
    expect(misses.length, misses.join('\n')).toBeLessThanOrEqual(Math.floor(sample.length * 0.02))
  }, 120_000)
})
