// Discovery speed with 100 simulated devices, a mix of 50 NVRs and 50 2N intercoms, beside
// the `onvif` npm client (agsh) finding the same devices in the same run:
//   - time until all 50 NVRs are found by WS-Discovery (target < 2 s). The lab's 2N
//     intercoms answer no multicast discovery (2N devices only do WS-Discovery with ONVIF
//     on, and announce nothing useful over mDNS/SSDP: 2n-intercom.md, discovery.md §1), so
//     this line measures the NVR half, and says so;
//   - a 254-address HTTP sweep of the /24 holding all 100 (target < 3 s), with how many
//     answered and how many were identified by serial (the NVRs need a login to tell it);
//   - memory of the scanning process, against its own baseline and a fixed bound.
// The onvif client cannot be told which interface to use, so everything runs inside a
// network namespace of our own with only loopback (and a multicast route on it); the lab
// bench runs there as a child process, so the scanner's memory is measured alone.
import { execFileSync, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { median, report, time } from './util'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const N_NVR = 50
const N_INTERCOM = 50
const N = N_NVR + N_INTERCOM
const RUNS = 3
/** Memory bounds over the process's own baseline (exit code 1 when exceeded). */
const RSS_GROWTH_BOUND_MB = 160
const HEAP_GROWTH_BOUND_MB = 16

if (process.argv[2] === '--serve-bench') {
  // Helper mode (this benchmark and electron/features/discovery/netns.test.ts): run a lab bench on the
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

const { resolveInterfaces } = await import('../../electron/features/discovery/net')
const { startScan } = await import('../../electron/features/discovery/scan')
const onvif = (await import('onvif')).default as { Discovery: { probe(o: object, cb: (e: unknown, cams: unknown[]) => void): void; on(e: string, f: (...a: unknown[]) => void): void; removeAllListeners(e: string): void } }

// The bench on 127.0.0.10-109: 50 2N intercoms (HTTP API, HTTPS) and 50 NVRs (each with a
// WS-Discovery responder, ISAPI and ONVIF).
const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve-bench', '127.0.0.', '10', '127.0.0.1', String(N_INTERCOM), String(N_NVR), 'bench-discovery'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
const devices = JSON.parse(await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve))) as { kind: string; ip: string; serial: string }[]
if (devices.length !== N) throw new Error(`the bench started ${devices.length} devices, not ${N}`)
const wanted = new Set(devices.map((d) => d.ip))
/** What WS-Discovery can find: the NVRs. */
const wsdWanted = new Set(devices.filter((d) => d.kind === 'nvr').map((d) => d.ip))
const serials = new Map(devices.map((d) => [d.ip, d.serial]))
const lo = resolveInterfaces(['lo'])

async function oursAllFound(): Promise<number> {
  const t0 = performance.now()
  const scan = startScan({ ifaces: lo, protocols: ['wsd'], timeoutMs: 5000 })
  const seen = new Set<string>()
  let at = NaN
  for await (const e of scan) {
    if (e.type !== 'device') continue
    for (const a of e.device.addresses) if (wsdWanted.has(a)) seen.add(a)
    if (seen.size === wsdWanted.size && Number.isNaN(at)) {
      at = performance.now() - t0
      scan.cancel()
    }
  }
  if (Number.isNaN(at)) throw new Error(`our WS-Discovery found ${seen.size} of ${wsdWanted.size} NVRs`)
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
      if (wsdWanted.has(host) && !seen.has(host)) {
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

async function sweep(): Promise<{ ms: number; answered: number; identified: number; needLogin: number; rssPeak: number }> {
  let rssPeak = process.memoryUsage().rss
  const timer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20)
  const [s, ms] = await time(() => startScan({ ifaces: lo, cidr: '127.0.0.0/24', protocols: ['http-2n', 'isapi', 'onvif'], timeoutMs: 15_000 }).done)
  clearInterval(timer)
  const ours = s.devices.filter((d) => d.addresses.some((a) => wanted.has(a)))
  // Identified = the serial the device itself has, not merely "something answered there".
  const identified = ours.filter((d) => d.serial && d.addresses.some((a) => serials.get(a) === d.serial)).length
  return { ms, answered: ours.length, identified, needLogin: ours.filter((d) => !d.serial && d.needsCredentials).length, rssPeak }
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
let last = { answered: 0, identified: 0, needLogin: 0 }
let rssPeak = 0
const rssBase = process.memoryUsage().rss
const heapBase = heapAfterGc()
// Warm-up (JIT, first TLS/HTTP agents), not counted.
await oursAllFound()
await onvifAllFound()
let theirFound = N_NVR
for (let i = 0; i < RUNS; i++) {
  const o = await onvifAllFound()
  theirs.push(o.ms)
  theirFound = Math.min(theirFound, o.found)
  ours.push(await oursAllFound())
  const s = await sweep()
  sweeps.push(s.ms)
  last = s
  rssPeak = Math.max(rssPeak, s.rssPeak)
}
const anchor = { name: `onvif@0.8.3 Discovery.probe, same ${N_NVR} NVRs (its last answer; it found ${theirFound}/${N_NVR} at worst)`, value: median(theirs) }
report(`discovery: all ${N_NVR} NVRs of a ${N_NVR} NVR + ${N_INTERCOM} 2N mix found by WS-Discovery (both Types; the lab 2N intercoms do not answer it)`, median(ours), 'ms', anchor, '< 2000 ms')
report(
  `discovery: 254-address HTTP sweep of the ${N}-device mix (${last.answered}/${N} answered, ${last.identified}/${N} identified by serial, ${last.needLogin} need a login to tell it)`,
  median(sweeps), 'ms', anchor, '< 3000 ms',
)
const mb = (b: number) => b / 2 ** 20
const bound = (value: number, base: number, limit: number) => `≤ +${limit} MB over the baseline; growth ${(value - base).toFixed(1)} MB: ${value - base <= limit ? 'ok' : 'EXCEEDED'}`
const heapEnd = heapAfterGc()
report('discovery: scanner RSS peak during the sweeps', mb(rssPeak), 'MB', { name: 'same process before scanning', value: mb(rssBase) }, bound(mb(rssPeak), mb(rssBase), RSS_GROWTH_BOUND_MB))
report(`discovery: JS heap after GC, after ${RUNS + 1} scans and ${RUNS} sweeps`, heapEnd, 'MB', { name: 'same process before scanning', value: heapBase }, bound(heapEnd, heapBase, HEAP_GROWTH_BOUND_MB))
child.stdin!.end()
child.kill()
process.exit(mb(rssPeak) - mb(rssBase) <= RSS_GROWTH_BOUND_MB && heapEnd - heapBase <= HEAP_GROWTH_BOUND_MB ? 0 : 1)
