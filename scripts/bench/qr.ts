// QR decoder benchmark (issue 15), this decoder beside plain zxing-wasm (default options, one
// call) in the same run, both END TO END: from the file's bytes, image decoding and EXIF
// orientation included (photos/intake normalizeImage for plain zxing-wasm, as the console does).
//  1. ../shared/qr-corpus (manifest.json): exact-text rate, the four-code image, false reads on
//     the pictures without a code. Skipped with a note when the corpus is not beside the repo.
//  2. Synthetic scenes (electron/features/nvr-reset/qr/testing/scenes.ts), generated into memory: the tuning split
//     and the held-back split, codes read (exact text at the labelled place), category mean,
//     false reads, times, and 12 MP times. The decoder's choices are made on the tuning split.
// Run: npm run bench -- qr  (or node_modules/.bin/tsx scripts/bench/qr.ts)
// Options: --limit N (first N corpus entries), --scenes N (scenes per split, default 44),
//          --tune (tuning split only, with the variants that found codes and when),
//          --extra N / --budget MS (decoder settings to compare on the tuning split), --ours-only,
//          --check (corpus only; exit 1 below the targets: .ci/run uses it when the corpus exists).
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { normalizeImage } from '../../electron/features/nvr-reset/photos/intake'
import { decodeQr, type Quad } from '../../electron/features/nvr-reset/qr/decode'
import { scenes, SCENE_KINDS, type Scene, type Split } from '../../electron/features/nvr-reset/qr/testing/scenes'
import { loadZxing, zxingRead } from '../../electron/features/nvr-reset/qr/zxing'

const { values: args } = parseArgs({ options: { limit: { type: 'string' }, scenes: { type: 'string' }, tune: { type: 'boolean' }, check: { type: 'boolean' }, extra: { type: 'string' }, budget: { type: 'string' }, 'ours-only': { type: 'boolean' } } })
const root = fileURLToPath(new URL('../../../shared/qr-corpus/', import.meta.url))

const pct = (a: number[], p: number) => {
  const s = [...a].sort((x, y) => x - y)
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN
}
const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a')
const rate = (ok: number, n: number) => `${f((100 * ok) / n)} % (${ok}/${n})`

interface Found {
  text: string
  position: Quad | null
}
type Reader = (bytes: Buffer) => Promise<{ codes: Found[]; strategies?: string[]; lastFoundMs?: number }>
const settings = { ...(args.extra ? { extraLooks: Number(args.extra) } : {}), ...(args.budget ? { timeBudgetMs: Number(args.budget) } : {}) }
const ours: Reader = async (bytes) => {
  const r = await decodeQr(bytes, settings)
  return { codes: r.codes.map((c) => ({ text: c.text, position: c.position })), strategies: r.strategies, lastFoundMs: Math.max(0, ...r.steps.filter((x) => x.newCodes).map((x) => x.ms)) }
}
const plain: Reader = async (bytes) => {
  const px = await normalizeImage(bytes)
  const rs = await zxingRead(px, {})
  return { codes: rs.map((r) => ({ text: r.text, position: [r.position.topLeft, r.position.topRight, r.position.bottomRight, r.position.bottomLeft].map((p) => [p.x, p.y]) as Quad })) }
}
const readers = { ours, plain } as const
type Name = keyof typeof readers
const names: Name[] = args['ours-only'] ? ['ours'] : ['ours', 'plain']

/** Wall time, and the process's CPU time (all threads: libvips decodes on several): on a loaded machine the CPU time is the steadier figure. */
async function timed(name: Name, bytes: Buffer) {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const r = await readers[name](bytes)
  const ms = performance.now() - t0
  const c = process.cpuUsage(c0)
  return { ...r, ms, cpu: (c.user + c.system) / 1000 }
}

type Times = { ms: number[]; cpu: number[] }
function timeLines(label: string, t: Record<Name, Times>) {
  for (const [kind, key] of [['end-to-end wall', 'ms'], ['end-to-end CPU', 'cpu']] as const) {
    const [o, p] = [t.ours[key], t.plain[key]]
    console.log(`${label} ${kind} median: ours ${f(pct(o, 0.5), 0)} ms, plain zxing-wasm ${f(pct(p, 0.5), 0)} ms (ratio ${f(pct(o, 0.5) / pct(p, 0.5), 2)}x; target at most 2x)`)
    console.log(`${label} ${kind} p95:    ours ${f(pct(o, 0.95), 0)} ms, plain zxing-wasm ${f(pct(p, 0.95), 0)} ms`)
  }
}

await loadZxing()
console.log(`(timings are wall time on this machine, which other work may share: load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')})`)

// --- 1. The shared corpus ------------------------------------------------------------------
interface Entry {
  file: string
  expected_text?: string | null
  expected_texts?: string[]
  source: string
  category: string
  n_codes?: number
}
let corpusFailed = false
if (!existsSync(root + 'manifest.json')) {
  console.log(`QR corpus not found at ${root} (manifest.json): corpus figures skipped.`)
  if (args.check) process.exit(1)
} else if (!args.tune) {
  let manifest = JSON.parse(readFileSync(root + 'manifest.json', 'utf8')) as Entry[]
  if (args.limit) manifest = manifest.slice(0, Number(args.limit))
  // Warm-up: JIT, wasm tiers and sharp's thread pool.
  for (let i = 0; i < 2; i++) for (const n of Object.keys(readers) as Name[]) await timed(n, readFileSync(root + manifest[0].file))
  const s = { ours: { ok: 0, n: 0, fp: 0, noCode: 0, wrong: 0, ms: [] as number[], cpu: [] as number[], multi: '', multiOk: true }, plain: { ok: 0, n: 0, fp: 0, noCode: 0, wrong: 0, ms: [] as number[], cpu: [] as number[], multi: '', multiOk: true } }
  const misses: string[] = []
  for (const e of manifest) {
    const bytes = readFileSync(root + e.file)
    const expected = e.expected_texts ?? (e.expected_text != null ? [e.expected_text] : [])
    for (const name of Object.keys(readers) as Name[]) {
      const st = s[name]
      let r: Awaited<ReturnType<typeof timed>>
      try {
        r = await timed(name, bytes)
      } catch {
        // An image the intake refuses (e.g. 1x1 pixel): nothing read.
        r = { codes: [], ms: NaN, cpu: NaN }
      }
      if (Number.isFinite(r.ms)) {
        st.ms.push(r.ms)
        st.cpu.push(r.cpu)
      }
      const texts = r.codes.map((c) => c.text)
      if (expected.length === 0) {
        st.noCode++
        st.fp += texts.length
        if (name === 'ours' && texts.length) misses.push(`  FALSE READ ${e.file}: ${JSON.stringify(texts)}`)
        continue
      }
      st.n++
      const all = expected.every((x) => texts.includes(x))
      if (all) st.ok++
      st.wrong += texts.filter((x) => !expected.includes(x)).length
      if (expected.length > 1) {
        st.multi = `${expected.filter((x) => texts.includes(x)).length} of ${expected.length} texts`
        st.multiOk &&= all
      }
      if (name === 'ours' && !all) misses.push(`  ${e.file}: ${texts.length ? 'got ' + JSON.stringify(texts.map((x) => x.slice(0, 50))) : 'no code found'}`)
    }
  }
  console.log(`\nQR corpus: ${manifest.length} images from ${root}`)
  console.log(`exact text (every expected text read): ours ${rate(s.ours.ok, s.ours.n)}, plain zxing-wasm ${rate(s.plain.ok, s.plain.n)} (target >= 97 %)`)
  console.log(`four-code image: ours ${s.ours.multi || 'n/a'}, plain zxing-wasm ${s.plain.multi || 'n/a'}`)
  console.log(`false reads on ${s.ours.noCode} pictures without a code: ours ${s.ours.fp}, plain zxing-wasm ${s.plain.fp} (target 0)`)
  console.log(`other texts reported on pictures with a code: ours ${s.ours.wrong}, plain zxing-wasm ${s.plain.wrong}`)
  timeLines('corpus', s)
  if (misses.length) console.log(`ours missed:\n${misses.join('\n')}`)
  corpusFailed = s.ours.ok / s.ours.n < 0.97 || s.ours.fp > 0 || !s.ours.multiOk
  if (args.check) {
    console.log(corpusFailed ? 'CORPUS CHECK FAILED' : 'corpus check passed')
    process.exit(corpusFailed ? 1 : 0)
  }
}

// --- 2. Synthetic scenes ---------------------------------------------------------------------
const centre = (q: Quad): [number, number] => [(q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4, (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4]
/** Inside the labelled quadrilateral grown by 15 % about its centre (curvature moves a code a little off its flat label). */
function inLabel(p: [number, number], q: readonly [number, number][]): boolean {
  const c = centre(q as Quad)
  const g = q.map(([x, y]) => [c[0] + 1.15 * (x - c[0]), c[1] + 1.15 * (y - c[1])])
  let sign = 0
  for (let i = 0; i < 4; i++) {
    const [ax, ay] = g[i]
    const [bx, by] = g[(i + 1) % 4]
    const cr = Math.sign((bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax))
    if (!cr) continue
    if (!sign) sign = cr
    else if (cr !== sign) return false
  }
  return true
}

async function runSplit(split: Split, n: number) {
  const list: Scene[] = scenes(split, n)
  const st = {
    ours: { read: 0, fp: 0, ms: [] as number[], cpu: [] as number[], big: { ms: [] as number[], cpu: [] as number[] }, kinds: new Map<string, [number, number]>() },
    plain: { read: 0, fp: 0, ms: [] as number[], cpu: [] as number[], big: { ms: [] as number[], cpu: [] as number[] }, kinds: new Map<string, [number, number]>() },
  }
  const contributions = new Map<string, number>()
  const lastFound: number[] = []
  let total = 0
  let noCode = 0
  const misses: string[] = []
  for (const sc of list) {
    const bytes = await sc.render()
    total += sc.codes.length
    if (!sc.codes.length) noCode++
    for (const name of names) {
      const r = await timed(name, bytes)
      const x = st[name]
      x.ms.push(r.ms)
      x.cpu.push(r.cpu)
      if (sc.width * sc.height > 10e6) {
        x.big.ms.push(r.ms)
        x.big.cpu.push(r.cpu)
      }
      const read = sc.codes.filter((c) => r.codes.some((o) => o.text === c.text && (!o.position || inLabel(centre(o.position), c.quad)))).length
      x.read += read
      x.fp += r.codes.filter((o) => !sc.codes.some((c) => c.text === o.text)).length
      const k = x.kinds.get(sc.kind) ?? [0, 0]
      x.kinds.set(sc.kind, [k[0] + read, k[1] + sc.codes.length])
      if (name === 'ours') {
        for (const s of r.strategies ?? []) contributions.set(s, (contributions.get(s) ?? 0) + 1)
        if (r.codes.length) lastFound.push(r.lastFoundMs ?? 0)
        if (read < sc.codes.length) misses.push(`  seed ${sc.seed} (${sc.kind}, ${sc.width}x${sc.height}): ${read} of ${sc.codes.length}, ${f(r.ms, 0)} ms`)
      }
    }
  }
  const catMean = (m: Map<string, [number, number]>) => {
    const cats = SCENE_KINDS.filter((k) => (m.get(k)?.[1] ?? 0) > 0)
    return (100 * cats.reduce((a, k) => a + m.get(k)![0] / m.get(k)![1], 0)) / cats.length
  }
  console.log(`\nSynthetic scenes, ${split} split: ${list.length} pictures (${list.filter((s) => s.width * s.height > 10e6).length} of 12 MP), ${total} codes, ${noCode} without a code`)
  console.log(`codes read (exact text at the labelled place): ours ${rate(st.ours.read, total)}, plain zxing-wasm ${rate(st.plain.read, total)}`)
  console.log(`category mean: ours ${f(catMean(st.ours.kinds))} %, plain zxing-wasm ${f(catMean(st.plain.kinds))} %`)
  console.log(`per category (ours / plain): ${SCENE_KINDS.filter((k) => st.ours.kinds.get(k)?.[1]).map((k) => `${k} ${st.ours.kinds.get(k)![0]}/${st.plain.kinds.get(k)?.[0] ?? '-'} of ${st.ours.kinds.get(k)![1]}`).join(', ')}`)
  console.log(`false reads (a text that is not in the picture): ours ${st.ours.fp}, plain zxing-wasm ${st.plain.fp} (target 0)`)
  timeLines(`${split}`, st)
  if (st.ours.big.ms.length) timeLines(`${split} 12 MP`, { ours: st.ours.big, plain: st.plain.big })
  console.log(`variants that found new codes: ${[...contributions].map(([k, v]) => `${k} ${v}`).join(', ')}`)
  console.log(`time into the call when its last code was found: median ${f(pct(lastFound, 0.5), 0)} ms, p95 ${f(pct(lastFound, 0.95), 0)} ms, max ${f(Math.max(...lastFound), 0)} ms (settings ${JSON.stringify(settings)})`)
  if (misses.length) console.log(`ours missed:\n${misses.join('\n')}`)
}

const nScenes = Number(args.scenes ?? 44)
await runSplit('tune', nScenes)
if (!args.tune) await runSplit('held-back', nScenes)
if (corpusFailed) {
  console.log('\nThe corpus figures are below the targets.')
  process.exit(1)
}
