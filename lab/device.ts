// What every simulated device shares: its listening host, power state, reboots, clock skew,
// moving to another address, and a queue of delayed jobs (config applied "after about
// 15 s", factory reset, firmware auto-reject) that run on the bench's simulated clock.
import type { SimClock } from './core/clock'
import { DeviceHost, type Handler, type EndpointSpec } from './core/http-host'
import type { SeededRng } from './core/rng'

export type DeviceKind = 'intercom' | 'nvr'

export interface Timing {
  /** How long a rebooting device stays unreachable (real devices: about a minute). */
  rebootMs: number
  /** Delay before an uploaded configuration or a factory reset takes effect (2N: ~15 s). */
  applyDelayMs: number
  /** Digest nonce lifetime. */
  nonceTtlMs: number
}

export const DEFAULT_TIMING: Timing = { rebootMs: 3000, applyDelayMs: 15_000, nonceTtlMs: 300_000 }

export interface LabContext {
  clock: SimClock
  timing: Timing
  /** Secret shared by the simulated NVRs and the simulated vendor reset service. */
  vendorKey: Buffer
  /** The simulated My2N cloud learns each intercom's current security code from here. */
  onMy2nCode(serial: string, code: string): void
  /** Scenario "device is already in another My2N account". */
  assignMy2n(serial: string, company: string): void
}

export interface DeviceInfo {
  kind: DeviceKind
  model: string
  serial: string
  mac: string
  ip: string
  httpPort: number
  httpsPort: number
  onvifPort?: number
  firmware: string
  credentials: { username: string; password: string }
  /** 2N only: the web-interface admin login, separate from API accounts. */
  web?: { username: string; password: string }
  online: boolean
}

interface Job { dueAt: number; run: () => Promise<void> | void }

export abstract class SimDevice {
  abstract readonly kind: DeviceKind
  readonly host: DeviceHost
  /** Seconds the device's wall clock is ahead (+) or behind (-) the bench clock. */
  skewSeconds = 0
  /** Simulated time of the last boot; upTime counts from here. */
  bootAt: number
  private jobs: Job[] = []
  private powered = true

  constructor(
    readonly ctx: LabContext,
    readonly rng: SeededRng,
    ip: string,
    endpoints: EndpointSpec[],
  ) {
    const handler: Handler = (req) => this.handle(req)
    this.host = new DeviceHost(ip, endpoints, handler, () => this.serverHeader())
    this.bootAt = ctx.clock.now()
  }

  abstract get model(): string
  abstract get serial(): string
  abstract get mac(): string
  abstract info(): DeviceInfo
  protected abstract handle(req: Parameters<Handler>[0]): ReturnType<Handler>
  protected abstract serverHeader(): string
  /** Called when RAM state is lost: reboot or power cycle. */
  protected abstract onBoot(): void

  get ip(): string { return this.host.ip }
  get online(): boolean { return this.host.listening }
  get httpPort(): number { return this.host.ports.http }
  get httpsPort(): number { return this.host.ports.https }
  get onvifPort(): number | undefined { return this.host.ports.onvif }
  get credentials(): { username: string; password: string } { return this.info().credentials }

  /** The device's own idea of the time, in ms since the epoch. */
  deviceNow(): number {
    return this.ctx.clock.now() + this.skewSeconds * 1000
  }

  async start(): Promise<void> {
    await this.host.start()
  }

  async stop(): Promise<void> {
    this.jobs = []
    await this.host.stop()
  }

  schedule(delayMs: number, run: Job['run']): void {
    this.jobs.push({ dueAt: this.ctx.clock.now() + delayMs, run })
  }

  /** Run the jobs whose time has come (called by the bench ticker and by clock.advance). */
  async tick(): Promise<void> {
    const now = this.ctx.clock.now()
    const due = this.jobs.filter((j) => j.dueAt <= now)
    if (due.length === 0) return
    this.jobs = this.jobs.filter((j) => j.dueAt > now)
    for (const j of due) await j.run()
  }

  // ---- scenario controls -------------------------------------------------------------

  /** Go offline for `offlineMs` (default timing.rebootMs), then come back with RAM state lost. */
  async reboot(offlineMs = this.ctx.timing.rebootMs): Promise<void> {
    await this.host.stop()
    this.jobs = []
    this.schedule(offlineMs, async () => {
      if (!this.powered) return
      this.bootAt = this.ctx.clock.now()
      this.onBoot()
      await this.host.start()
    })
  }

  async powerOff(): Promise<void> {
    this.powered = false
    this.jobs = []
    await this.host.stop()
  }

  async powerOn(): Promise<void> {
    if (this.powered && this.online) return
    this.powered = true
    this.bootAt = this.ctx.clock.now()
    this.onBoot()
    await this.host.start()
  }

  slow(ms: number): void { this.host.faults.slowMs = Math.max(0, ms) }
  truncate(on = true): void { this.host.faults.truncate = on }
  malformed(on = true): void { this.host.faults.malformed = on }
  clockSkew(seconds: number): void { this.skewSeconds = seconds }
  /** Clear every transport fault. */
  normal(): void { this.slow(0); this.truncate(false); this.malformed(false) }

  /** The device comes back at another address (DHCP lease, network reset). */
  async moveToAddress(ip: string): Promise<void> {
    await this.host.moveTo(ip)
  }

  leaveRetrievePasswordScreen(): void {
    throw new Error(`${this.kind} ${this.serial} has no Retrieve Password screen`)
  }

  alreadyInMy2nAccount(_company?: string): void {
    throw new Error(`${this.kind} ${this.serial} is not a My2N device`)
  }
}
