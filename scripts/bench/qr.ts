// QR decoder benchmark: ../shared/qr-corpus (per manifest.json) with this decoder, plain
// zxing-wasm and jsQR (both with default settings) in the same run, then synthetic 12 MP
// phone photos generated into a temp dir. Run: node_modules/.bin/tsx scripts/bench/qr.ts
// Options: --limit N (first N corpus images), --big N (number of 12 MP photos, default 12).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import jsQR from 'jsqr'
import sharp from 'sharp'
import { normalizeImage } from '../../electron/photos/intake'
import { decodeQr } from '../../electron/qr/decode'
import { quad, screenPhoto } from '../../electron/qr/testing/synth'
import { loadZxing, zxingRead, type Pixels } from '../../electron/qr/zxing'

const { values: args } = parseArgs({ options: { limit: { type: 'string' }, big: { type: 'string' } } })
const root = fileURLToPath(new URL('../../../shared/qr-corpus/', import.meta.url))
interface Entry {
  file: string
  expected_text: string
  source: string
}
let manifest: Entry[]
try {
  manifest = JSON.parse(readFileSync(root + 'manifest.json', 'utf8')) as Entry[]
} catch {
  console.error(`QR corpus not found at ${root} (expected manifest.json there).`)
  process.exit(1)
}
if (args.limit) manifest = manifest.slice(0, Number(args.limit))

const pct = (a: number[], p: number) => {
  const s = [...a].sort((x, y) => x - y)
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN
}
const median = (a: number[]) => pct(a, 0.5)
const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a')
const line = (name: string, v: number, unit: string, anchorName: string, a: number, aUnit = unit, d = 1) =>
  console.log(`${name}: ${f(v, d)} ${unit} (${anchorName}: ${f(a, d)} ${aUnit}, ratio: ${f(v / a, 2)}x)`)

type Decoder = 'ours' | 'zxing' | 'jsqr' | 'zxingQr'
const decoders: Record<Decoder, (px: Pixels) => Promise<string[]>> = {
  ours: async (px) => (await decodeQr(px)).codes.map((c) => c.text),
  zxing: async (px) => (await zxingRead(px, {})).map((r) => r.text),
  // Not an anchor of the targets: one zxing call with the options our first attempt uses
  // (QR family only, Plain text), to show what the retries cost over a single call.
  zxingQr: async (px) => (await zxingRead(px, { formats: ['QRCode', 'MicroQRCode', 'RMQRCode'], textMode: 'Plain' })).map((r) => r.text),
  jsqr: async (px) => {
    const r = jsQR(px.data, px.width, px.height)
    return r ? [r.data] : []
  },
}

await loadZxing()
// Warm-up: JIT, wasm tiers and sharp's thread pool, so that the first images are not penalised.
{
  const px = await normalizeImage(readFileSync(root + manifest[0].file))
  for (let i = 0; i < 3; i++) for (const d of Object.values(decoders)) await d(px)
}

const stats: Record<Decoder, Record<string, { ok: number; n: number; ms: number[] }>> = { ours: {}, zxing: {}, jsqr: {}, zxingQr: {} }
const misses: string[] = []
for (const e of manifest) {
  // Timing covers the decode call from pixels (image file decoding excluded), the same for all three.
  const px = await normalizeImage(readFileSync(root + e.file))
  for (const name of Object.keys(decoders) as Decoder[]) {
    const t0 = performance.now()
    const texts = await decoders[name](px)
    const ms = performance.now() - t0
    for (const set of ['all', e.source]) {
      const s = (stats[name][set] ??= { ok: 0, n: 0, ms: [] })
      s.n++
      s.ms.push(ms)
      if (texts.includes(e.expected_text)) s.ok++
    }
    if (name === 'ours' && !texts.includes(e.expected_text)) misses.push(`  ${e.file}: ${texts.length ? 'wrong text ' + JSON.stringify(texts[0].slice(0, 60)) : 'no code found'}`)
  }
}

console.log(`QR corpus: ${manifest.length} images from ${root} (decode call only, from RGBA pixels)`)
for (const set of Object.keys(stats.ours.all ? stats.ours : {})) {
  const o = stats.ours[set]
  const z = stats.zxing[set]
  const j = stats.jsqr[set]
  const tag = set === 'all' ? '' : ` [${set}]`
  line(`ours exact${tag}`, (100 * o.ok) / o.n, '%', 'plain zxing-wasm', (100 * z.ok) / z.n)
  line(`jsqr exact${tag}`, (100 * j.ok) / j.n, '%', 'plain zxing-wasm', (100 * z.ok) / z.n)
  if (set !== 'all') continue
  line('ours median', median(o.ms), 'ms/image', 'plain zxing-wasm', median(z.ms), 'ms/image', 2)
  line('ours p95', pct(o.ms, 0.95), 'ms/image', 'plain zxing-wasm', pct(z.ms, 0.95), 'ms/image', 2)
  line('jsqr median', median(j.ms), 'ms/image', 'plain zxing-wasm', median(z.ms), 'ms/image', 2)
  line('jsqr p95', pct(j.ms, 0.95), 'ms/image', 'plain zxing-wasm', pct(z.ms, 0.95), 'ms/image', 2)
  const q = stats.zxingQr[set]
  line('single zxing call (QR only, Plain) exact', (100 * q.ok) / q.n, '%', 'plain zxing-wasm', (100 * z.ok) / z.n)
  line('ours median', median(o.ms), 'ms/image', 'single zxing call (QR only, Plain)', median(q.ms), 'ms/image', 2)
  console.log(`ours exact count: ${o.ok} of ${o.n} (plain zxing-wasm ${z.ok}, jsqr ${j.ok})`)
}
if (misses.length) console.log(`ours missed:\n${misses.join('\n')}`)

// --- 12 MP photos -------------------------------------------------------------------------
const nBig = Number(args.big ?? 12)
const dir = mkdtempSync(join(tmpdir(), 'qr-bench-'))
try {
  const W = 4032
  const H = 3024
  const PAYLOAD = 'NVR2M|SN=2M0123456789|MAC=00:11:22:33:44:55|N=8f3a9c|T=2026-11-22T03:00:00Z'
  const big: { file: string; text: string; kind: string }[] = []
  // Half: corpus photos upscaled to 12 MP (as a phone would deliver them). Every 20th image, which plain zxing reads.
  const picks = manifest.filter((_, i) => i % 20 === 7).slice(0, Math.ceil(nBig / 2))
  for (const [i, e] of picks.entries()) {
    const file = join(dir, `up-${i}.jpg`)
    writeFileSync(file, await sharp(readFileSync(root + e.file)).resize(W, H, { fit: 'contain', background: '#777' }).jpeg({ quality: 88 }).toBuffer())
    big.push({ file, text: e.expected_text, kind: 'upscaled corpus photo' })
  }
  // Half: a QR on a screen photographed by a phone: moiré from the pixel grid, glare, perspective, colour cast, noise;
  // every third one (those without glare and blur) on a wavy surface, like a printed label or sticker that is not flat.
  for (let i = 0; big.length < nBig; i++) {
    const file = join(dir, `screen-${i}.jpg`)
    const size = 900 + 250 * (i % 4)
    const jpg = await screenPhoto({
      text: PAYLOAD,
      width: W,
      height: H,
      corners: quad(W / 2 + 200 * ((i % 3) - 1), H / 2, size, -15 + 11 * i, 0.08 * (i % 3)),
      screenPxPerModule: 4.3 + 0.4 * (i % 3),
      gridGap: i % 2 ? 0.15 : 0.4,
      glare: [0, 0.6, 0.85][i % 3],
      glareAt: [0.45, 0.4],
      glareRadius: 0.1,
      noise: 6 + 4 * (i % 3),
      blur: [0, 1.5, 2.5][i % 3],
      tint: [1, 0.95, 1.08],
      seed: i + 1,
      jpegQuality: 85,
      wave: i % 3 === 0 ? { amplitude: 0.4, period: 30, phase: i } : undefined,
    })
    writeFileSync(file, jpg)
    big.push({ file, text: PAYLOAD, kind: i % 3 === 0 ? 'simulated photo, wavy surface' : 'simulated screen photo' })
  }
  const endToEnd: number[] = []
  const decodeOnly: number[] = []
  const plainMs: number[] = []
  let ok = 0
  let plainOk = 0
  const strategies = new Map<string, number>()
  for (const b of big) {
    const bytes = readFileSync(b.file)
    const t0 = performance.now()
    const r = await decodeQr(bytes)
    endToEnd.push(performance.now() - t0)
    const px = await normalizeImage(bytes)
    const t1 = performance.now()
    await decodeQr(px)
    decodeOnly.push(performance.now() - t1)
    const t2 = performance.now()
    const plain = await zxingRead(px, {})
    plainMs.push(performance.now() - t2)
    strategies.set(r.strategy ?? 'none', (strategies.get(r.strategy ?? 'none') ?? 0) + 1)
    if (r.codes.some((c) => c.text === b.text)) ok++
    else console.log(`  12 MP miss: ${b.kind} ${b.file.split('/').pop()} (${r.attempts} attempts, ${f(r.ms, 0)} ms)`)
    if (plain.some((c) => c.text === b.text)) plainOk++
  }
  const wavy = big.filter((b) => b.kind.includes('wavy')).length
  console.log(`12 MP photos: ${big.length} (${picks.length} upscaled corpus photos, ${big.length - picks.length - wavy} simulated screen photos, ${wavy} on a wavy surface), 4032x3024 JPEG`)
  console.log(`12 MP variants that read them: ${[...strategies].map(([k, v]) => `${k} ${v}`).join(', ')}`)
  line('ours 12MP exact', (100 * ok) / big.length, '%', 'plain zxing-wasm', (100 * plainOk) / big.length)
  line('ours 12MP p95 end-to-end (JPEG decode + QR)', pct(endToEnd, 0.95), 'ms', 'target', 1000)
  line('ours 12MP median end-to-end', median(endToEnd), 'ms', 'target', 1000)
  line('ours 12MP p95 decode only', pct(decodeOnly, 0.95), 'ms', 'plain zxing-wasm p95', pct(plainMs, 0.95))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
