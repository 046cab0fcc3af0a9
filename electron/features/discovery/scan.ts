// One discovery scan over the chosen interfaces: multicast probes (WS-Discovery, SSDP, mDNS,
// SADP) and, with a CIDR, a unicast HTTP sweep, all under one AbortController with a total
// deadline. Results stream as events (or through `for await (const e of scan)`), merged
// by serial/MAC/endpoint across protocols and adapters, with "why not found" diagnostics.
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { Protocol } from '../../../shared/contract/devices'
import type { Diagnostic, FoundDevice, NetInterface, ScanSummary } from '../../../shared/contract/discovery'
import { AppError } from '../../../shared/contract/common'
import { DEFAULT_PORTS, onvifInfo, probeHost, type PortSpec } from './fingerprint'
import { mdnsQuery } from './mdns'
import { Merger } from './merge'
import { cidrHosts, inCidr, parseCidr } from './net'
import { pool } from './pool'
import { sadpSearch } from './sadp'
import { ssdpSearch } from './ssdp'
import type { Observation, ProbeContext } from './types'
import { onSubnet } from './udp'
import { wsDiscovery } from './wsd'

export interface ScanConfig {
  ifaces: NetInterface[]
  cidr?: string
  protocols?: Protocol[]
  /** Total deadline for the whole scan. */
  timeoutMs?: number
  /** Sweep: ports to try per host, connect timeout, request idle timeout, hosts in flight. */
  ports?: PortSpec[]
  connectTimeoutMs?: number
  requestTimeoutMs?: number
  concurrency?: number
  /** Multicast: listen time after the last probe, sends per probe. */
  listenMs?: number
  sends?: number
  /** Called for devices with a serial or MAC; returns their inventory id. */
  identify?: (d: FoundDevice) => number | null
  id?: string
}

export type ScanEvent =
  | { type: 'progress'; phase: string; done: number; total: number; found: number; elapsedMs: number }
  | { type: 'device'; device: FoundDevice; replaces: string[] }
  | { type: 'diagnostic'; diagnostic: Diagnostic }
  | { type: 'done'; summary: ScanSummary }

const ALL: Protocol[] = ['wsd', 'ssdp', 'mdns', 'sadp', 'http-2n', 'isapi', 'onvif']

export class Scan extends EventEmitter {
  readonly id: string
  readonly done: Promise<ScanSummary>
  private readonly ctl = new AbortController()
  private readonly merger: Merger
  private readonly diagnostics: Diagnostic[] = []
  private readonly diagKeys = new Set<string>()
  private readonly started = Date.now()
  private progress = { done: 0, total: 0, phase: 'starting' }
  private cancelled = false
  private finished: ScanSummary | null = null
  private buffer: ScanEvent[] = []

  constructor(private readonly cfg: ScanConfig) {
    super()
    if (cfg.ifaces.length === 0) throw new AppError('VALIDATION', 'Choose at least one network interface.', { field: 'ifaces', key: 'discovery.chooseIface' })
    this.id = cfg.id ?? randomUUID()
    this.merger = new Merger(cfg.ifaces)
    // Keep every event until someone iterates, so a late `for await` sees the whole scan.
    this.on('event', (e: ScanEvent) => this.buffer.push(e))
    this.done = new Promise((resolve) => setImmediate(() => void this.run().then(resolve)))
  }

  cancel(): void {
    this.cancelled = true
    this.ctl.abort()
  }

  get signal(): AbortSignal {
    return this.ctl.signal
  }
  devices(): FoundDevice[] {
    return this.merger.list()
  }
  summary(): ScanSummary {
    return this.finished ?? this.makeSummary()
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ScanEvent> {
    let i = 0
    for (;;) {
      while (i < this.buffer.length) {
        const e = this.buffer[i++]
        yield e
        if (e.type === 'done') return
      }
      await new Promise<void>((r) => this.once('event', () => r()))
    }
  }

  private emitEvent(e: ScanEvent): void {
    this.emit('event', e)
  }

  private makeSummary(): ScanSummary {
    return {
      scanId: this.id, found: this.merger.size, diagnostics: this.diagnostics.length, elapsedMs: Date.now() - this.started, cancelled: this.cancelled,
      devices: this.merger.list(), diagnosticList: [...this.diagnostics],
    }
  }

  private tick(phase: string, doneDelta = 1): void {
    this.progress.done += doneDelta
    this.progress.phase = phase
    this.emitEvent({ type: 'progress', phase, done: this.progress.done, total: this.progress.total, found: this.merger.size, elapsedMs: Date.now() - this.started })
  }

  observe(o: Observation): void {
    if (this.finished) return
    const r = this.merger.add(o)
    if (!r.changed) return
    const d = r.device
    if ((d.serial || d.mac || d.endpoint) && this.cfg.identify) {
      try {
        this.merger.setDeviceId(d.key, this.cfg.identify(d))
      } catch {
        // The inventory being unavailable must not stop discovery.
      }
    }
    this.emitEvent({ type: 'device', device: { ...d, addresses: [...d.addresses], ifaces: [...d.ifaces], protocols: [...d.protocols] }, replaces: r.replaces })
  }

  diagnose(d: Omit<Diagnostic, 'iface'> & { iface?: string }, iface: string): void {
    if (this.finished) return
    const full: Diagnostic = { kind: d.kind, ip: d.ip, protocol: d.protocol, message: d.message, iface: d.iface ?? iface }
    const key = `${full.kind}|${full.ip}|${full.protocol}`
    if (this.diagKeys.has(key)) return
    this.diagKeys.add(key)
    this.diagnostics.push(full)
    this.emitEvent({ type: 'diagnostic', diagnostic: full })
  }

  private ctx(iface: NetInterface): ProbeContext {
    return { iface, signal: this.ctl.signal, observe: (o) => this.observe(o), diagnose: (d) => this.diagnose(d, iface.name) }
  }

  private async run(): Promise<ScanSummary> {
    const cfg = this.cfg
    const protocols = new Set(cfg.protocols ?? ALL)
    const deadline = setTimeout(() => this.ctl.abort(), cfg.timeoutMs ?? 8000)
    const tasks: Promise<void>[] = []
    const multicast: [Protocol, (c: ProbeContext) => Promise<void>][] = [
      ['wsd', (c) => wsDiscovery(c, { sends: cfg.sends, waitMs: cfg.listenMs })],
      ['ssdp', (c) => ssdpSearch(c, { sends: cfg.sends, waitMs: cfg.listenMs, timeoutMs: cfg.requestTimeoutMs })],
      ['mdns', (c) => mdnsQuery(c, { sends: cfg.sends, waitMs: cfg.listenMs })],
      ['sadp', (c) => sadpSearch(c, { sends: cfg.sends, waitMs: cfg.listenMs })],
    ]
    const answered = new Map<string, number>()
    const countBefore = (p: Protocol, iface: string) => this.merger.list().filter((d) => d.protocols.includes(p) && d.ifaces.includes(iface)).length
    let hosts: { ip: string; iface: NetInterface }[] = []
    if (cfg.cidr) {
      const c = parseCidr(cfg.cidr)
      const all = cidrHosts(c)
      const skipped: string[] = []
      for (const ip of all) {
        const iface = cfg.ifaces.find((i) => onSubnet(ip, i))
        if (iface) hosts.push({ ip, iface })
        else skipped.push(ip)
      }
      if (skipped.length) {
        this.diagnose({
          kind: 'interface', ip: c.text, protocol: 'sweep',
          message: `${skipped.length} of ${all.length} addresses in ${c.text} are not on the chosen interface${cfg.ifaces.length > 1 ? 's' : ''} (${cfg.ifaces.map((i) => `${i.name} ${i.cidr}`).join(', ')}); they were not swept, so nothing left through another adapter. Choose the adapter on that network, or give the PC an address in it.`,
        }, cfg.ifaces[0].name)
      }
      if (!cfg.ifaces.some((i) => inCidr(i.address, c)) && hosts.length === 0) hosts = []
    }
    this.progress.total = hosts.length + cfg.ifaces.length * multicast.filter(([p]) => protocols.has(p)).length
    this.tick('starting', 0)

    for (const iface of cfg.ifaces) {
      for (const [p, fn] of multicast) {
        if (!protocols.has(p)) continue
        tasks.push(
          fn(this.ctx(iface))
            .catch((e) => this.diagnose({ kind: 'error', ip: iface.address, protocol: p, message: `${p.toUpperCase()} on ${iface.name} could not run: ${(e as Error).message}` }, iface.name))
            .finally(() => {
              answered.set(`${p}|${iface.name}`, countBefore(p, iface.name))
              this.tick(p)
            }),
        )
      }
    }

    // WS-Discovery finds an ONVIF endpoint; ask it (without credentials) who it is.
    const enriched = new Set<string>()
    const enrichTasks: Promise<void>[] = []
    const onDevice = (e: ScanEvent) => {
      if (e.type !== 'device' || !protocols.has('onvif')) return
      const d = e.device
      if (!d.onvifUrl || d.serial || enriched.has(d.onvifUrl) || d.protocols.includes('onvif')) return
      enriched.add(d.onvifUrl)
      let url: URL
      try {
        url = new URL(d.onvifUrl)
      } catch {
        return
      }
      const iface = cfg.ifaces.find((i) => onSubnet(url.hostname, i))
      if (!iface) return
      enrichTasks.push(
        onvifInfo(url, { iface, timeoutMs: cfg.requestTimeoutMs ?? 1500, signal: this.ctl.signal })
          .then((r) => {
            if (r.obs) this.observe(r.obs)
            if (r.diag) this.diagnose(r.diag, iface.name)
          })
          .catch(() => {}),
      )
    }
    this.on('event', onDevice)

    const sweepProtocols = { twoN: protocols.has('http-2n'), isapi: protocols.has('isapi'), onvif: protocols.has('onvif') }
    const tcpStates = { closed: 0, silent: 0 }
    if (hosts.length && (sweepProtocols.twoN || sweepProtocols.isapi || sweepProtocols.onvif)) {
      tasks.push(
        pool(hosts, cfg.concurrency ?? 96, this.ctl.signal, async ({ ip, iface }) => {
          try {
            const r = await probeHost({ ip, iface, ports: cfg.ports ?? DEFAULT_PORTS, timeoutMs: cfg.requestTimeoutMs ?? 1500, connectTimeoutMs: cfg.connectTimeoutMs ?? 700, signal: this.ctl.signal, fingerprints: sweepProtocols })
            for (const o of r.observations) this.observe(o)
            for (const d of r.diagnostics) this.diagnose(d, iface.name)
            if (r.tcp === 'closed') tcpStates.closed++
            else if (r.tcp !== 'open') tcpStates.silent++
          } finally {
            this.tick('sweep')
          }
        }),
      )
    }

    await Promise.all(tasks)
    await Promise.all(enrichTasks)
    this.off('event', onDevice)
    clearTimeout(deadline)
    const deadlineHit = this.ctl.signal.aborted && !this.cancelled
    if (deadlineHit) this.diagnose({ kind: 'timeout', ip: '', protocol: 'scan', message: `The scan reached its ${Math.round((cfg.timeoutMs ?? 8000) / 1000)} s limit; results so far are shown. Scan again with a longer time limit or a smaller network for the rest.` }, cfg.ifaces[0].name)
    if (hosts.length) {
      if (tcpStates.silent) this.diagnose({ kind: 'no-answer', ip: cfg.cidr ?? '', protocol: 'sweep', message: `${tcpStates.silent} address${tcpStates.silent === 1 ? '' : 'es'} in ${cfg.cidr} did not answer at all: no device there, powered off, or a firewall silently dropping the web ports.` }, cfg.ifaces[0].name)
      if (tcpStates.closed) this.diagnose({ kind: 'port-closed', ip: cfg.cidr ?? '', protocol: 'sweep', message: `${tcpStates.closed} address${tcpStates.closed === 1 ? '' : 'es'} in ${cfg.cidr} refused connections on ports ${(cfg.ports ?? DEFAULT_PORTS).map((p) => p.port).join(', ')} (ports closed): a host is there, but not a device with its web service on.` }, cfg.ifaces[0].name)
    }
    if (!this.cancelled) {
      for (const iface of cfg.ifaces) {
        for (const [p] of multicast) {
          if (!protocols.has(p) || (answered.get(`${p}|${iface.name}`) ?? 0) > 0) continue
          const what = {
            wsd: 'WS-Discovery (ONVIF, UDP 3702). ONVIF is often disabled by default (Hikvision-family firmware)',
            ssdp: 'SSDP (UPnP, UDP 1900). UPnP is usually off on NVRs and 2N intercoms do not announce it',
            mdns: 'mDNS (UDP 5353). 2N intercoms and most NVRs do not announce themselves over mDNS',
            sadp: 'SADP (Hikvision-family, UDP 37020). Only Hikvision-family devices answer it',
          }[p as 'wsd']
          this.diagnose({ kind: 'no-answer', ip: iface.address, protocol: p, message: `No device answered ${what}; a firewall on this PC blocking UDP replies gives the same result.` }, iface.name)
        }
      }
    }
    this.finished = this.makeSummary()
    this.emitEvent({ type: 'done', summary: this.finished })
    return this.finished
  }
}

/** Starts a scan. `for await (const e of scan)` or `scan.on('event', …)`; `await scan.done` for the summary. */
export const startScan = (cfg: ScanConfig): Scan => new Scan(cfg)
