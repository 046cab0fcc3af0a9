// Discovery speed with 100 simulated devices, beside the `onvif` npm client (agsh) finding
// the same devices in the same run:
//   - time until all 100 are found by WS-Discovery (target < 2 s),
//   - a 254-address HTTP sweep of the /24 holding them (target < 3 s),
//   - memory of the scanning process.
// The onvif client cannot be told which interface to use, so everything runs inside a
// network namespace of our own with only loopback (and a multicast route on it); the lab
// bench runs there as a child process, so the scanner's memory is measured alone.
import { execFileSync, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { median, report, time } from './util'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const N = 100
const RUNS = 3

if (process.argv[2] === '--serve-bench') {
  // Helper mode (this benchmark and electron/discovery/netns.test.ts): run a lab bench on the
  // given addresses until stdin closes; print its devices as one JSON line once ready.
  const [hostBase, firstHost, mcast, intercoms = '1', nvrs = '1', seed = 'discovery'] = process.argv.slice(3)
  const { startBench } = await import('../../lab/bench')
  const bench = await startBench({ intercoms: Number(intercoms), nvrs: Number(nvrs), seed, hostBase, firstHost: Number(firstHost), multicastInterface: mcast, portMode: 'standard' })
  process.stdout.write(`${JSON.stringify(bench.devices.map((d) => ({ kind: d.kind, ip: d.ip, serial: d.serial })))}\n`)
  const stop = () => void bench.stop().then(() => process.exit(0))
  process.stdin.on('end', stop)
  process.stdin.on('close', stop)
  process.stdin.resume()
  await new Promise(() => {})
}

if (!process.env.SC_DISCOVERY_BENCH_NS) {
  // Outer process: make the namespace, re-run this file inside it, clean up.
  const ns = `scdisc${process.pid}`
  const ip = (...a: string[]) => execFileSync('ip', a, { stdio: 'pipe' })
  try {
    ip('netns', 'add', ns)
    ip('-n', ns, 'link', 'set', 'lo', 'up')
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'lo')
  } catch (e) {
    console.log(`discovery benchmark needs root and "ip netns" (${(e as Error).message.split('\n')[0]})`)
    process.exit(1)
  }
  const r = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)], { stdio: 'inherit', env: { ...process.env, SC_DISCOVERY_BENCH_NS: ns }, cwd: ROOT })
  const code = await new Promise<number>((res) => r.on('exit', (c) => res(c ?? 1)))
  try {
    ip('netns', 'del', ns)
  } catch {
    /* gone */
  }
  process.exit(code)
}

const { resolveInterfaces } = await import('../../electron/discovery/net')
const { startScan } = await import('../../electron/discovery/scan')
const onvif = (await import('onvif')).default as { Discovery: { probe(o: object, cb: (e: unknown, cams: unknown[]) => void): void; on(e: string, f: (...a: unknown[]) => void): void; removeAllListeners(e: string): void } }

// The bench: 100 NVRs (each with a WS-Discovery responder, ISAPI and ONVIF) on 127.0.0.10-109.
const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve-bench', '127.0.0.', '10', '127.0.0.1', '0', String(N), 'bench-discovery'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
const devices = JSON.parse(await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve))) as { ip: string }[]
const wanted = new Set(devices.map((d) => d.ip))
const lo = resolveInterfaces(['lo'])

async function oursAllFound(): Promise<number> {
  const t0 = performance.now()
  const scan = startScan({ ifaces: lo, protocols: ['wsd'], timeoutMs: 5000 })
  const seen = new Set<string>()
  let at = NaN
  for await (const e of scan) {
    if (e.type !== 'device') continue
    for (const a of e.device.addresses) if (wanted.has(a)) seen.add(a)
    if (seen.size === wanted.size && Number.isNaN(at)) {
      at = performance.now() - t0
      scan.cancel()
    }
  }
  if (Number.isNaN(at)) throw new Error(`our WS-Discovery found ${seen.size} of ${wanted.size}`)
  return at
}

/** Time until the onvif client's last answer (it probes once and waits for its timeout). */
async function onvifAllFound(): Promise<{ ms: number; found: number }> {
  const t0 = performance.now()
  const seen = new Set<string>()
  let last = NaN
  return new Promise((resolve) => {
    onvif.Discovery.on('device', (cam: unknown) => {
      const host = (cam as { hostname?: string }).hostname ?? ''
      if (wanted.has(host) && !seen.has(host)) {
        seen.add(host)
        last = performance.now() - t0
      }
    })
    onvif.Discovery.on('error', () => {})
    // Same receive buffer as ours (its bufferSize option), 3 s to answer.
    onvif.Discovery.probe({ timeout: 3000, bufferSize: 4 * 1024 * 1024 }, () => {
      onvif.Discovery.removeAllListeners('device')
      onvif.Discovery.removeAllListeners('error')
      resolve({ ms: last, found: seen.size })
    })
  })
}

async function sweep(): Promise<{ ms: number; found: number; rssPeak: number }> {
  let rssPeak = process.memoryUsage().rss
  const timer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20)
  const [s, ms] = await time(() => startScan({ ifaces: lo, cidr: '127.0.0.0/24', protocols: ['http-2n', 'isapi', 'onvif'], timeoutMs: 15_000 }).done)
  clearInterval(timer)
  return { ms, found: s.devices.filter((d) => d.addresses.some((a) => wanted.has(a))).length, rssPeak }
}

// JS heap after a full GC, to tell retained memory from what the allocator keeps around.
const { setFlagsFromString } = await import('node:v8')
const { runInNewContext } = await import('node:vm')
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapAfterGc = () => {
  gc()
  return process.memoryUsage().heapUsed / 2 ** 20
}

const ours: number[] = []
const theirs: number[] = []
const sweeps: number[] = []
let found = 0
let rssPeak = 0
const rssBase = process.memoryUsage().rss
const heapBase = heapAfterGc()
// Warm-up (JIT, first TLS/HTTP agents), not counted.
await oursAllFound()
await onvifAllFound()
let theirFound = N
for (let i = 0; i < RUNS; i++) {
  const o = await onvifAllFound()
  theirs.push(o.ms)
  theirFound = Math.min(theirFound, o.found)
  ours.push(await oursAllFound())
  const s = await sweep()
  sweeps.push(s.ms)
  found = s.found
  rssPeak = Math.max(rssPeak, s.rssPeak)
}
const anchor = { name: `onvif@0.8.3 Discovery.probe, same ${N} devices (its last answer; it found ${theirFound}/${N} at worst)`, value: median(theirs) }
report(`discovery: all ${N} devices found (WS-Discovery, both Types)`, median(ours), 'ms', anchor, '< 2000 ms')
report(`discovery: 254-address HTTP sweep (${found}/${N} identified)`, median(sweeps), 'ms', anchor, '< 3000 ms')
report('discovery: scanner RSS peak during the sweeps', rssPeak / 2 ** 20, 'MB', { name: 'same process before scanning', value: rssBase / 2 ** 20 })
report(`discovery: JS heap after GC, after ${RUNS + 1} scans and ${RUNS} sweeps`, heapAfterGc(), 'MB', { name: 'same process before scanning', value: heapBase })
child.stdin!.end()
child.kill()
process.exit(0)
