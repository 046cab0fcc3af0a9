// A simulated 2N IP intercom (2N OS / "HIP" firmware). State lives here; the HTTP API is in
// api.ts and the simulated web interface in web.ts.
import { makeCert, type DeviceCert } from '../core/cert'
import { DigestAuth } from '../core/digest'
import type { Req, Reply } from '../core/http-host'
import type { SeededRng } from '../core/rng'
import { SimDevice, type DeviceInfo, type LabContext } from '../device'
import { defaultServices, PRIVILEGES, type ApiAccount, type Service, type ServiceSecurity } from './access'
import { handleApi } from './api'
import { defaultConfig, type IntercomConfig } from './config-xml'
import { EventLog } from './event-log'
import { defaultDirectory, defaultPorts, defaultSwitches, type Directory, type IoPort, type SwitchState } from './functions'
import { intercomIdentity, newSecurityCode, type IntercomIdentity } from './identity'
import { handleWeb } from './web'

export interface IntercomOptions {
  index: number
  ip: string
  /** Where the device comes back after a factory reset with section=network. */
  defaultIp: string
  httpPort: number
  httpsPort: number
  /** Web-login lockout; the real threshold and duration are unknown (2n-intercom.md §4). */
  webLockout?: { tries: number; blockMs: number }
  /** Whether a factory reset also replaces the My2N security code (unknown: §9.5). */
  regenerateMy2nOnReset?: boolean
  realm?: string
}

export interface PendingFirmware { fileId: string; version: string; downgrade: boolean; note: string; uploadedAt: number }

export const FACTORY_WEB_PASSWORD = '2n'

export class Intercom extends SimDevice {
  readonly kind = 'intercom' as const
  readonly id: IntercomIdentity
  readonly realm: string
  services: Record<Service, ServiceSecurity> = defaultServices()
  accounts: ApiAccount[]
  web: { username: string; password: string; mustChange: boolean }
  config: IntercomConfig
  my2nCode: string
  my2nGeneration = 1
  pendingFirmware: PendingFirmware | null = null
  time = { automatic: true, source: 'My2N', server: '' }
  /** Switches, I/O ports and the directory behind /api/switch, /api/io and /api/dir (functions.ts). */
  switches: SwitchState[] = defaultSwitches()
  ports: IoPort[] = defaultPorts()
  directory: Directory
  /** Reported field behaviours, off by default; switched by the `quirk` scenario. */
  /**
   * Field quirks. infoFollowsTransport ([I], a simulation option): firmware that applies the
   * System API's HTTPS-only setting to /api/system/info too, answering error 7 over plain
   * HTTP (the documented behaviour, §3.1, is that identification always answers).
   * newerFirmwareFields: every JSON reply carries fields this simulator's firmware does not
   * define, as newer firmware adds them (§8 "Firmware drift": hash, tzShift…); clients must ignore them.
   */
  quirks = { configLoginPage: false, postNeedsContentType: false, infoFollowsTransport: false, newerFirmwareFields: false }
  readonly log: EventLog
  readonly digest: DigestAuth
  cert!: DeviceCert
  readonly webSessions = new Map<string, number>()
  readonly webFails = new Map<string, { count: number; blockedUntil: number }>()
  /** Failed HTTP API logins (a wrong password sent) per client address; only counted: the API's real lockout is unknown (§4). */
  readonly apiFails = new Map<string, number>()
  readonly webLockout: { tries: number; blockMs: number }
  readonly defaultIp: string
  private readonly regenerateOnReset: boolean

  constructor(ctx: LabContext, rng: SeededRng, opts: IntercomOptions) {
    super(ctx, rng, opts.ip, [
      { name: 'http', port: opts.httpPort, tls: false },
      { name: 'https', port: opts.httpsPort, tls: true },
    ])
    this.id = intercomIdentity(rng.fork('identity'), opts.index)
    const creds = rng.fork('credentials')
    this.accounts = [{ username: 'api', password: creds.password(), privileges: [...PRIVILEGES] }]
    this.web = { username: 'admin', password: creds.password(), mustChange: false }
    this.config = defaultConfig(this.id)
    this.directory = defaultDirectory(rng.fork('directory'))
    this.my2nCode = newSecurityCode(rng.fork('my2n'))
    this.realm = opts.realm ?? 'HTTP API'
    this.digest = new DigestAuth({ realm: this.realm, algorithms: ['MD5'], nonceTtlMs: ctx.timing.nonceTtlMs, explicitMd5: true }, rng.fork('nonce'), ctx.clock)
    this.webLockout = opts.webLockout ?? { tries: 5, blockMs: 60_000 }
    this.defaultIp = opts.defaultIp
    this.regenerateOnReset = opts.regenerateMy2nOnReset ?? false
    this.log = new EventLog(ctx.clock, () => ({ utc: Math.floor(this.deviceNow() / 1000), up: this.upTime() }))
  }

  get model(): string { return this.id.model.variant }
  get serial(): string { return this.id.serial }
  get mac(): string { return this.id.mac }

  upTime(): number {
    return Math.floor((this.ctx.clock.now() - this.bootAt) / 1000)
  }

  override async start(): Promise<void> {
    if (!this.cert) {
      this.cert = await makeCert(this.serial, this.ip)
      this.host.setCertificate(this.cert.key, this.cert.cert)
      this.ctx.onMy2nCode(this.serial, this.my2nCode)
      this.log.emit('DeviceState', { state: 'startup' })
    }
    await super.start()
  }

  info(): DeviceInfo {
    return {
      kind: 'intercom', model: this.model, serial: this.serial, mac: this.mac, ip: this.ip,
      httpPort: this.host.ports.http, httpsPort: this.host.ports.https, firmware: this.id.swVersion,
      credentials: this.accounts[0] ? { username: this.accounts[0].username, password: this.accounts[0].password } : { username: '', password: '' },
      web: { username: this.web.username, password: this.web.password }, online: this.online,
    }
  }

  protected serverHeader(): string {
    return `HIP${this.id.swVersion}`
  }

  protected handle(req: Req): Promise<Reply> | Reply {
    if (req.path.startsWith('/api/')) return handleApi(this, req)
    return handleWeb(this, req)
  }

  protected onBoot(): void {
    // Switch and output states live in RAM: off after a restart.
    for (const s of this.switches) { s.active = false; s.held = false }
    for (const p of this.ports) if (p.type === 'output') p.state = 0
    this.digest.reset()
    this.log.clear()
    this.webSessions.clear()
    this.log.emit('DeviceState', { state: 'startup' })
  }

  /** "Generate New" in Auto Provisioning: the old code stops being valid at once. */
  generateMy2nCode(): string {
    this.my2nCode = newSecurityCode(this.rng.fork(`my2n-${++this.my2nGeneration}`))
    this.ctx.onMy2nCode(this.serial, this.my2nCode)
    this.log.emit('ConfigurationChanged', { section: 'AutoProvisioning' })
    return this.my2nCode
  }

  override alreadyInMy2nAccount(company = 'Previous Owner s.r.o.'): void {
    this.ctx.assignMy2n(this.serial, company)
  }

  /** Factory reset as /api/config/factoryreset applies it, after the apply delay. */
  async factoryReset(network: boolean): Promise<void> {
    this.web = { username: 'admin', password: FACTORY_WEB_PASSWORD, mustChange: true }
    this.accounts = []
    this.services = defaultServices()
    this.config = defaultConfig(this.id)
    this.pendingFirmware = null
    this.switches = defaultSwitches()
    this.ports = defaultPorts()
    // An empty directory in a new timestamp series (§5.14.6: clients see the series change).
    this.directory = { series: String(BigInt(this.directory.series) + 1n), timestamp: 0, entries: [] }
    this.webFails.clear()
    if (this.regenerateOnReset) this.generateMy2nCode()
    if (network) {
      this.cert = await makeCert(this.serial, this.defaultIp)
      this.host.setCertificate(this.cert.key, this.cert.cert)
      await this.host.stop()
      this.host.ip = this.defaultIp
    }
    // The device restarts to apply the defaults.
    await this.reboot()
  }
}
