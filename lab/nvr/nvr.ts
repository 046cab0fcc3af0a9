// A simulated 2M Technology 2MN-8XXX NVR: ISAPI-shaped HTTP API (isapi.ts), ONVIF device
// service (onvif.ts), the Retrieve Password flow (retrieve.ts) and a WS-Discovery identity.
import { makeCert, type DeviceCert } from '../core/cert'
import { DigestAuth, type DigestAlgorithm } from '../core/digest'
import type { Req, Reply } from '../core/http-host'
import type { SeededRng } from '../core/rng'
import { SimDevice, type DeviceInfo, type LabContext } from '../device'
import { nvrIdentity, type NvrIdentity } from './identity'
import { handleIsapi } from './isapi'
import { LoginLockout, type LockoutSettings } from './lockout'
import { handleOnvif } from './onvif'
import { renderQrScreen } from './qr-screen'
import { RetrievePassword } from './retrieve'

export interface NvrOptions {
  index: number
  ip: string
  defaultIp: string
  httpPort: number
  httpsPort: number
  onvifPort: number
  lockout?: Partial<LockoutSettings>
  realm?: string
  digestAlgorithms?: DigestAlgorithm[]
  /** Accepted clock difference for WS-UsernameToken `Created` (seconds). */
  onvifTimeWindowS?: number
  /** Admin password after a factory reset; the real behaviour (activation) is not modelled. */
  factoryPassword?: string
}

export interface NvrUser { id: number; userName: string; level: 'Administrator' | 'Operator' | 'User'; password: string }

export class Nvr extends SimDevice {
  readonly kind = 'nvr' as const
  readonly id: NvrIdentity
  readonly uuid: string
  readonly realm: string
  users: NvrUser[]
  deviceName: string
  readonly digest: DigestAuth
  readonly lockout: LoginLockout
  readonly retrieve: RetrievePassword
  readonly onvifTimeWindowS: number
  readonly defaultIp: string
  readonly factoryPassword: string
  cert!: DeviceCert
  /** Bumped on every reboot, as WS-Discovery InstanceId. */
  instanceId = 1
  /**
   * ONVIF service settings (scenario controls, kept across reboots like device settings).
   * enabled=false: the ONVIF service is off, as Hikvision-family firmware ships it
   * (nvr-reset.md §9.3): /onvif/* is not served and WS-Discovery stays silent, ISAPI still
   * answers. auth='digest': WS-UsernameToken is ignored and only HTTP Digest is accepted;
   * auth='wsse': HTTP Digest is off, a request without a token gets 400 ter:NotAuthorized.
   * unsupported: operations this firmware answers with ter:ActionNotSupported (older or
   * leaner ONVIF implementations, e.g. without GetNetworkInterfaces).
   */
  onvif: { enabled: boolean; auth: 'any' | 'digest' | 'wsse'; unsupported: string[] } = { enabled: true, auth: 'any', unsupported: [] }

  constructor(ctx: LabContext, rng: SeededRng, opts: NvrOptions) {
    super(ctx, rng, opts.ip, [
      { name: 'http', port: opts.httpPort, tls: false },
      { name: 'https', port: opts.httpsPort, tls: true },
      { name: 'onvif', port: opts.onvifPort, tls: false },
    ])
    this.id = nvrIdentity(rng.fork('identity'), opts.index)
    this.uuid = `urn:uuid:${this.id.deviceId}`
    const creds = rng.fork('credentials')
    this.users = [
      { id: 1, userName: 'admin', level: 'Administrator', password: creds.password() },
      { id: 2, userName: 'operator', level: 'Operator', password: creds.password() },
    ]
    this.deviceName = 'NVR'
    this.realm = opts.realm ?? 'NVR'
    this.digest = new DigestAuth({ realm: this.realm, algorithms: opts.digestAlgorithms ?? ['MD5', 'SHA-256'], nonceTtlMs: ctx.timing.nonceTtlMs }, rng.fork('nonce'), ctx.clock)
    this.lockout = new LoginLockout(ctx.clock, { enabled: true, tries: 7, lockSeconds: 600, ...opts.lockout })
    this.onvifTimeWindowS = opts.onvifTimeWindowS ?? 300
    this.defaultIp = opts.defaultIp
    this.factoryPassword = opts.factoryPassword ?? '123456'
    this.retrieve = new RetrievePassword({
      clock: ctx.clock, rng: rng.fork('retrieve'), vendorKey: ctx.vendorKey, deviceNow: () => this.deviceNow(),
      identity: () => ({ serial: this.serial, mac: this.mac, model: this.model }),
    })
  }

  get model(): string { return this.id.model.name }
  get serial(): string { return this.id.serial }
  get mac(): string { return this.id.mac }

  override async start(): Promise<void> {
    if (!this.cert) {
      this.cert = await makeCert(this.serial, this.ip)
      this.host.setCertificate(this.cert.key, this.cert.cert)
    }
    await super.start()
  }

  info(): DeviceInfo {
    const admin = this.users.find((u) => u.id === 1)!
    return {
      kind: 'nvr', model: this.model, serial: this.serial, mac: this.mac, ip: this.ip,
      httpPort: this.host.ports.http, httpsPort: this.host.ports.https, onvifPort: this.host.ports.onvif,
      firmware: this.id.firmware, credentials: { username: admin.userName, password: admin.password }, online: this.online,
    }
  }

  protected serverHeader(): string {
    return 'App-webs/'
  }

  protected handle(req: Req): Promise<Reply> | Reply {
    if (req.path.startsWith('/onvif/')) return handleOnvif(this, req)
    return handleIsapi(this, req)
  }

  protected onBoot(): void {
    this.digest.reset()
    this.retrieve.reset()
    this.lockout.clear()
    this.instanceId++
  }

  override leaveRetrievePasswordScreen(): void {
    this.retrieve.close()
  }

  /** Scenario helper: press "Forgot Password" on the device's own screen. */
  openRetrievePassword(): { id: string; payload: string; issuedAt: string } {
    return this.retrieve.open()
  }

  /** PNG of the Retrieve Password screen, or null when the screen is not open. */
  async screenPng(): Promise<Buffer | null> {
    const s = this.retrieve.current()
    return s ? renderQrScreen(s.payload, { model: this.model, serial: this.serial }) : null
  }

  xaddr(): string {
    return `http://${this.ip}:${this.host.ports.onvif}/onvif/device_service`
  }

  mediaXaddr(): string {
    return `http://${this.ip}:${this.host.ports.onvif}/onvif/media_service`
  }

  /** ONVIF scopes, for WS-Discovery and GetScopes alike (discovery.md §2.3). */
  scopes(): string[] {
    return ['onvif://www.onvif.org/Profile/Streaming', 'onvif://www.onvif.org/type/video_encoder', 'onvif://www.onvif.org/type/NetworkVideoTransmitter', `onvif://www.onvif.org/hardware/${this.model}`, `onvif://www.onvif.org/name/2M_${this.model}`, 'onvif://www.onvif.org/location/lab']
  }

  /** Factory reset: passwords back to the factory one; "full"/Hard also resets the address. */
  async factoryReset(full: boolean): Promise<void> {
    for (const u of this.users) u.password = this.factoryPassword
    this.users = this.users.filter((u) => u.id === 1)
    this.deviceName = 'NVR'
    if (full) {
      await this.host.stop()
      this.host.ip = this.defaultIp
    }
    await this.reboot()
  }

  /** Look up a user's password by name (ISAPI Digest and ONVIF share the user list). */
  passwordOf(name: string): string | undefined {
    return this.users.find((u) => u.userName === name)?.password
  }
}
