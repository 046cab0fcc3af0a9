// The lab bench: N simulated 2N intercoms and M 2MN-8XXX NVRs, each on its own loopback
// address, plus the simulated My2N cloud, the simulated vendor reset service and a control
// interface. Everything is derived from `seed`, so a bench is reproducible.
//
//   const bench = await startBench({ intercoms: 2, nvrs: 2, seed: 'demo', portMode: 'ephemeral' })
//   const nvr = bench.devices.find((d) => d.kind === 'nvr')!
//   await nvr.reboot()
//   await bench.stop()
import { createHmac, randomBytes } from 'node:crypto'
import { SimClock } from './core/clock'
import { SeededRng } from './core/rng'
import { My2nCloud, type My2nCompany } from './cloud/my2n'
import { VendorResetService, type RateLimit } from './cloud/vendor'
import { localBackend, startControlServer } from './control/server'
import type { PortFallback } from './core/http-host'
import { DEFAULT_TIMING, SimDevice, type DeviceInfo, type LabContext, type Timing } from './device'
import { WsDiscoveryResponder } from './discovery/ws-discovery'
import { Intercom } from './intercom/intercom'
import type { LockoutSettings } from './nvr/lockout'
import { Nvr } from './nvr/nvr'

export interface BenchOptions {
  intercoms?: number
  nvrs?: number
  seed?: string | number
  /** First three octets plus dot; default '127.0.0.'. */
  hostBase?: string
  /** Last octet of the first device; default 10. */
  firstHost?: number
  /** standard = 80/443 (NVR ONVIF 8000) on each device's own address; ephemeral = port 0. */
  portMode?: 'standard' | 'ephemeral'
  /**
   * portMode standard: an endpoint whose port cannot be bound (not root, or taken) listens on
   * 8080/8443/18000 or a free port instead, listed in `bench.portFallbacks`. Default true;
   * false makes start-up fail with the listen error.
   */
  portFallback?: boolean
  /** Aborting it during start-up stops what was started and rejects with the signal's reason. */
  signal?: AbortSignal
  /** Each device in its own network namespace (Linux, root); see lab/netns/. */
  netns?: boolean
  /**
   * Address a device comes back at after a network factory reset (2N section=network, NVR
   * full/Hard). Default: hostBase + (firstHost + count + i). In-process benches only.
   */
  defaultAddress?: (index: number, ip: string) => string
  /** WS-Discovery responders for the NVRs; default true. */
  discovery?: boolean
  /** Multicast interface for discovery; default 127.0.0.1 (never a real interface). */
  multicastInterface?: string
  timing?: Partial<Timing>
  nvrLockout?: Partial<LockoutSettings>
  intercomWebLockout?: { tries: number; blockMs: number }
  vendorRateLimit?: RateLimit
  /** My2N simulator and vendor service ports on 127.0.0.1; default ephemeral (lab --fixed-ports). */
  my2nPort?: number
  vendorPort?: number
  /** Control interface port on 127.0.0.1; default ephemeral. */
  controlPort?: number
  /** Fixed control token (default derived from the seed). */
  controlToken?: string
}

/** What a test or the console's drivers see of a device, in-process or in a namespace. */
export interface BenchDevice {
  readonly kind: 'intercom' | 'nvr'
  readonly model: string
  readonly serial: string
  readonly mac: string
  readonly ip: string
  readonly httpPort: number
  readonly httpsPort: number
  readonly onvifPort?: number
  readonly credentials: { username: string; password: string }
  info(): DeviceInfo
  reboot(offlineMs?: number): Promise<void>
  powerOff(): Promise<void>
  powerOn(): Promise<void>
  slow(ms: number): void | Promise<void>
  truncate(on?: boolean): void | Promise<void>
  malformed(on?: boolean): void | Promise<void>
  normal(): void | Promise<void>
  clockSkew(seconds: number): void | Promise<void>
  leaveRetrievePasswordScreen(): void | Promise<void>
  alreadyInMy2nAccount(company?: string): void | Promise<void>
  moveToAddress(ip: string): Promise<void>
}

export interface Bench {
  devices: BenchDevice[]
  my2n: { url: string; apiKey: string; companyId: string; siteId: string; companies: My2nCompany[] }
  vendor: { url: string; apiKey: string }
  control: { url: string; token: string }
  seed: string
  clock: SimClock
  /** Move simulated time forward for the whole bench and run what became due. */
  advance(ms: number): Promise<void>
  get(serialOrIp: string): BenchDevice
  /** In-process benches only: the simulator object itself (serial, IP or MAC). */
  sim(serialOrIp: string): SimDevice
  /** In-process benches only: typed access for tests that need device internals. */
  intercom(i: number): Intercom
  nvr(i: number): Nvr
  my2nCloud: My2nCloud
  vendorService: VendorResetService
  /** Endpoints that did not get their standard port (portMode standard), and where they went. */
  portFallbacks: PortFallback[]
  /** --netns benches only: how the root namespace reaches the devices. */
  netns?: { consoleIp: string; subnet: string; rootInterface: string; bridgeNamespace: string; deviceNamespaces: string[] }
  stop(): Promise<void>
}

export async function startBench(opts: BenchOptions = {}): Promise<Bench> {
  opts.signal?.throwIfAborted()
  if (opts.netns) {
    const { startNetnsBench } = await import('./netns/netns-bench')
    return startNetnsBench(opts)
  }
  const seed = String(opts.seed ?? randomBytes(6).toString('hex'))
  const nI = opts.intercoms ?? 1
  const nN = opts.nvrs ?? 1
  const base = opts.hostBase ?? '127.0.0.'
  const first = opts.firstHost ?? 10
  const total = nI + nN
  // Default addresses ("back to its default" after a network reset) follow the live ones.
  if (first + (opts.defaultAddress ? 1 : 2) * total - 1 > 254) throw new Error(`not enough addresses in ${base}0/24 for ${total} devices from .${first} (they also need default addresses)`)
  const std = (opts.portMode ?? 'standard') === 'standard'
  const rng = new SeededRng(`sc-lab:${seed}`)
  const clock = new SimClock()
  const vendorKey = createHmac('sha256', 'sc-lab-vendor').update(seed).digest()
  const my2n = new My2nCloud(rng.fork('my2n'), () => clock.now())
  const vendor = new VendorResetService(rng.fork('vendor'), vendorKey, () => clock.now(), opts.vendorRateLimit)
  const ctx: LabContext = {
    clock, vendorKey, timing: { ...DEFAULT_TIMING, ...opts.timing },
    onMy2nCode: (serial, code) => my2n.setCode(serial, code),
    assignMy2n: (serial, company) => my2n.assign(serial, company),
  }
  const devices: SimDevice[] = []
  for (let i = 0; i < total; i++) {
    const ip = `${base}${first + i}`
    const defaultIp = opts.defaultAddress?.(i, ip) ?? `${base}${first + total + i}`
    const dr = rng.fork(`device-${i}`)
    if (i < nI) {
      devices.push(new Intercom(ctx, dr, { index: i, ip, defaultIp, httpPort: std ? 80 : 0, httpsPort: std ? 443 : 0, webLockout: opts.intercomWebLockout }))
    } else {
      const n = new Nvr(ctx, dr, { index: i - nI, ip, defaultIp, httpPort: std ? 80 : 0, httpsPort: std ? 443 : 0, onvifPort: std ? 8000 : 0, lockout: opts.nvrLockout })
      vendor.register(n.serial, n.model, n.mac)
      devices.push(n)
    }
    devices[i].host.portFallback = std && (opts.portFallback ?? true)
  }
  const responders: WsDiscoveryResponder[] = []
  const cleanup: (() => Promise<void>)[] = []
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    clearInterval(ticker)
    for (const c of cleanup.reverse()) await c().catch(() => {})
  }
  const ticker = setInterval(() => { for (const d of devices) void d.tick() }, 200)
  ticker.unref()
  try {
    await Promise.all(devices.map((d) => d.start()))
    cleanup.push(() => Promise.all(devices.map((d) => d.stop())).then(() => {}))
    if (opts.discovery ?? true) {
      for (const d of devices) {
        if (!(d instanceof Nvr)) continue
        const r = new WsDiscoveryResponder({
          uuid: d.uuid, ip: () => d.ip, xaddr: () => d.xaddr(), online: () => d.online && d.onvif.enabled, instanceId: () => d.instanceId,
          scopes: () => d.scopes(),
        }, opts.multicastInterface ?? '127.0.0.1')
        await r.start()
        responders.push(r)
        d.host.onNetwork.push((up) => void r.announce(up ? 'Hello' : 'Bye').catch(() => {}))
      }
      cleanup.push(() => Promise.all(responders.map((r) => r.stop())).then(() => {}))
    }
    await my2n.start('127.0.0.1', opts.my2nPort ?? 0)
    cleanup.push(() => my2n.stop())
    await vendor.start('127.0.0.1', opts.vendorPort ?? 0)
    cleanup.push(() => vendor.stop())
    opts.signal?.throwIfAborted()
  } catch (e) {
    await stop()
    throw e
  }
  const get = (key: string): SimDevice => {
    const d = devices.find((x) => x.serial === key || x.ip === key || x.mac.toLowerCase() === key.toLowerCase())
    if (!d) throw new Error(`no device with serial, IP or MAC "${key}" on this bench`)
    return d
  }
  const advance = async (ms: number) => {
    clock.advance(ms)
    for (const d of devices) await d.tick()
  }
  const token = opts.controlToken ?? createHmac('sha256', 'sc-lab-control').update(seed).digest('hex').slice(0, 32)
  const control = await startControlServer(localBackend(devices, get, advance, my2n), token, opts.controlPort ?? 0).catch(async (e) => { await stop(); throw e })
  cleanup.unshift(() => control.close())
  if (opts.signal?.aborted) {
    await stop()
    opts.signal.throwIfAborted()
  }
  const buyer = my2n.companies[1]
  return {
    devices, seed, clock, advance, get, sim: get, my2nCloud: my2n, vendorService: vendor,
    my2n: { url: my2n.url, apiKey: buyer.apiKey, companyId: buyer.id, siteId: buyer.siteId, companies: my2n.companies },
    vendor: { url: vendor.url, apiKey: vendor.apiKey },
    control: { url: control.url, token },
    portFallbacks: devices.flatMap((d) => d.host.fallbacks),
    intercom: (i) => devices.filter((d): d is Intercom => d instanceof Intercom)[i],
    nvr: (i) => devices.filter((d): d is Nvr => d instanceof Nvr)[i],
    stop,
  }
}
