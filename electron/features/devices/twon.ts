// 2N IP intercom driver (2n-intercom.md §1-§3, §8). Authentication is chosen from the
// device's challenge (Digest preferred, Basic if that is all it offers). Lockout discipline:
//   - the first request goes without credentials, only to learn the challenge;
//   - each credential is sent at most once per client; a 401 to a request that carried it
//     marks it rejected and nothing is sent with it again (the caller persists that);
//   - the only re-sends are a Digest "stale nonce" (the password was right) and a one-time
//     switch of scheme on error 8 (the password was not checked);
//   - a "login blocked" reply (403 / error 18) stops everything.
// The JSON envelope {success, result | error{code,param,description}} is parsed with zod
// and error codes become messages an agent understands.
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { AppError } from '../../../shared/contract/common'
import { basicHeader, DigestSession, parseChallenges, pickChallenge, type Challenge } from '../../infra/digest'
import { credentialsRejected, fromHttpError, lockoutSignalled, TWO_N_API_ACCOUNTS } from './errors'
import { deviceRequest, headerValues, type DeviceReply, type PinPolicy } from '../../infra/device-http'
import { at, deviceText, parseXml } from '../../infra/xml'

export interface Credentials {
  username: string
  password: string
}

export interface Endpoint {
  host: string
  httpPort?: number | null
  httpsPort?: number | null
  /** Use HTTPS (with the pin policy) when the device has an HTTPS port. Default true. */
  preferHttps?: boolean
  localAddress?: string
  pin?: PinPolicy
  timeoutMs?: number
  signal?: AbortSignal
}

export const TWO_N_ERRORS: Record<number, string> = {
  1: 'This function is not supported by this device model or firmware (some need the Enhanced Integration licence on old firmware).',
  2: 'The device does not know this API path: the firmware is probably too old for the console.',
  3: 'The device refused the HTTP method for this function.',
  4: 'This API service is disabled on the device (Services > HTTP API).',
  7: 'The device accepts this API service over HTTPS only.',
  8: 'The device expects another authentication method for this API service (Services > HTTP API: None, Basic or Digest).',
  9: 'The device requires a login for this function.',
  10: 'The API account has no privilege for this function (it needs System Control).',
  11: 'A mandatory parameter is missing',
  12: 'A parameter value was refused',
  13: 'The data sent is too big for the device.',
  14: 'The device could not process the request',
  15: 'The device has no data for this request.',
  17: 'The parameters collide with the device state.',
  18: 'The device rejected the request',
  19: 'The device does not support this file version.',
}

const Envelope = z.object({
  success: z.boolean(),
  result: z.unknown().optional(),
  error: z.object({ code: z.number().int(), param: z.string().optional(), description: z.string().optional() }).optional(),
})

export const SystemInfo = z.object({
  // trim: a serial of spaces is no serial (found by fuzzing, issue 7).
  serialNumber: z.string().trim().min(1),
  macAddr: z.string().default(''),
  variant: z.string().default(''),
  deviceName: z.string().default(''),
  swVersion: z.string().default(''),
  hwVersion: z.string().default(''),
  buildType: z.string().default(''),
  devType: z.string().default(''),
})
export type SystemInfo = z.infer<typeof SystemInfo>

// Bounded (found by fuzzing, issue 7): the driver turns systemTime into an ISO date, and
// `new Date(1e300 * 1000).toISOString()` throws a RangeError instead of a DEVICE error.
const SystemStatus = z.object({ systemTime: z.number().min(0).max(253402300799), upTime: z.number().min(0) })

export function twoNMessage(code: number, param?: string, description?: string): string {
  // The device's own words are shortened and cleaned before they go into a message (issue 7).
  param = param && deviceText(param, 80)
  description = description && deviceText(description)
  const base = TWO_N_ERRORS[code] ?? `The device answered with error ${code}`
  const extra = [param ? `parameter "${param}"` : '', description && !base.toLowerCase().includes(description.toLowerCase()) ? description : ''].filter(Boolean).join(': ')
  return `${base}${extra ? ` (${extra})` : ''}`
}

/** Parses the 2N JSON envelope; throws AppError for error replies and garbage. */
export function parseEnvelope(r: DeviceReply, what: string): unknown {
  let json: unknown
  try {
    json = JSON.parse(r.body.toString('utf8'))
  } catch {
    throw new AppError('DEVICE', `${what}: the device did not answer with the 2N JSON format (HTTP ${r.status}).`, { hint: 'Check this is a 2N device on firmware 2.35 or later.', key: 'devices.not2NJson', values: { status: r.status } })
  }
  const env = Envelope.safeParse(json)
  if (!env.success) throw new AppError('DEVICE', `${what}: the reply is not a 2N API reply.`, { key: 'devices.not2NReply' })
  if (env.data.success) return env.data.result
  const e = env.data.error ?? { code: 0 }
  if (e.code === 18 && /block|lock/i.test(e.description ?? '')) throw lockoutSignalled(what, deviceText(e.description ?? ''))
  const code = e.code === 10 || e.code === 4 || e.code === 7 || e.code === 8 ? 'FORBIDDEN' : e.code === 9 ? 'UNAUTHORIZED' : 'DEVICE'
  throw new AppError(code, `${what}: ${twoNMessage(e.code, e.param, e.description)}`, { key: e.code === 9 ? 'devices.twoNLogin' : e.code === 10 ? 'devices.twoNPrivilege' : e.code === 4 ? 'devices.twoNServiceOff' : e.code === 7 ? 'devices.twoNHttpsOnly' : e.code === 8 ? 'devices.twoNAuthMethod' : 'devices.twoNError', values: { detail: twoNMessage(e.code, e.param, e.description) } })
}

type AuthState = { scheme: 'basic' } | { scheme: 'digest'; session: DigestSession } | null

export class TwoNClient {
  private auth: AuthState = null
  private rejected = false
  /** Called once when the device rejects the credentials (persist: never send them again). */
  onRejected?: () => void
  /** Called when the device answered a request that carried the credentials with anything but a rejection. */
  onAccepted?: () => void
  /** Certificate fingerprint seen on the last HTTPS exchange. */
  lastFingerprint = ''

  constructor(
    readonly ep: Endpoint,
    private readonly creds: Credentials | null,
  ) {}

  /** Set when the device said "HTTPS only" (error 7) over plain HTTP. */
  private forceHttps = false

  private target() {
    const https = this.forceHttps || ((this.ep.preferHttps ?? true) && !!this.ep.httpsPort)
    return { host: this.ep.host, port: https ? (this.ep.httpsPort ?? 443) : (this.ep.httpPort ?? 80), tls: https, localAddress: this.ep.localAddress }
  }

  private authHeader(method: string, uri: string): string | undefined {
    if (!this.creds || !this.auth) return undefined
    return this.auth.scheme === 'basic' ? basicHeader(this.creds.username, this.creds.password) : this.auth.session.header(method, uri, this.creds.username, this.creds.password)
  }

  private async send(method: string, uri: string, o: { body?: Buffer | string; headers?: Record<string, string>; maxBytes?: number; timeoutMs?: number }, what: string): Promise<{ r: DeviceReply; sentAuth: boolean }> {
    const auth = this.authHeader(method, uri)
    try {
      const r = await deviceRequest(this.target(), {
        method, path: uri, body: o.body, headers: { ...o.headers, ...(auth ? { Authorization: auth } : {}) }, maxBytes: o.maxBytes, timeoutMs: o.timeoutMs ?? this.ep.timeoutMs, signal: this.ep.signal, pin: this.ep.pin,
      })
      if (r.fingerprint) this.lastFingerprint = r.fingerprint
      return { r, sentAuth: !!auth }
    } catch (e) {
      throw fromHttpError(e, what)
    }
  }

  /** One authenticated API call, following the lockout discipline above. */
  async request(method: string, uri: string, what: string, o: { body?: Buffer | string; headers?: Record<string, string>; maxBytes?: number; timeoutMs?: number } = {}): Promise<DeviceReply> {
    if (this.rejected) throw credentialsRejected(what, TWO_N_API_ACCOUNTS)
    let { r, sentAuth } = await this.send(method, uri, o, what)
    let staleRetried = false
    let schemeSwitched = false
    let challengeProbed = false
    if (errorCode(r) === 7 && !this.target().tls) {
      // "Invalid connection type": the service is HTTPS-only. Nothing was checked yet.
      this.forceHttps = true
      ;({ r, sentAuth } = await this.send(method, uri, o, what))
    }
    for (;;) {
      if (r.status === 403 && /block|lock/i.test(r.body.toString('utf8', 0, 2000))) throw lockoutSignalled(what, extractDescription(r))
      // Field quirk (2n-intercom.md §2, §8): instead of a 401, some firmware answers a failed
      // /api/config with 200 and the HTML login page, so there is no challenge to read.
      if (isLoginPage(r) && uri.startsWith('/api/') && this.creds) {
        if (sentAuth) {
          // The credential was sent and not accepted: the same discipline as a 401.
          this.rejected = true
          this.onRejected?.()
          throw credentialsRejected(`${what} (the device answered with its login page)`, TWO_N_API_ACCOUNTS)
        }
        if (challengeProbed) return r
        // Learn the scheme from the system service, without credentials, then send them once.
        challengeProbed = true
        const probe = await this.send('GET', '/api/system/status', {}, what)
        const pick = pickChallenge(parseChallenges(headerValues(probe.r.headers, 'www-authenticate')))
        if (!pick) return r
        this.auth = toAuth(pick)
        ;({ r, sentAuth } = await this.send(method, uri, o, what))
        continue
      }
      if (r.status !== 401) {
        if (sentAuth) this.onAccepted?.()
        return r
      }
      const challenges = parseChallenges(headerValues(r.headers, 'www-authenticate'))
      const pick = pickChallenge(challenges)
      if (!this.creds) throw new AppError('UNAUTHORIZED', `${what}: the device needs a login for this.`, { hint: 'Enter an HTTP API account of the device in the device page (2N: web interface → Services → HTTP API → Account; not the web admin login).', key: 'devices.twoNLoginNeeded' })
      if (!pick) throw new AppError('DEVICE', `${what}: the device asked for a login with a method the console does not support.`, { key: 'devices.authUnsupported' })
      if (!sentAuth) {
        this.auth = toAuth(pick)
      } else if (this.auth?.scheme === 'digest' && pick.scheme === 'digest' && /^true$/i.test(pick.params.stale ?? '') && !staleRetried) {
        // Stale nonce: the password was right, only the nonce expired.
        staleRetried = true
        this.auth = toAuth(pick)
      } else if (errorCode(r) === 8 && pick.scheme !== this.auth?.scheme && !schemeSwitched) {
        // Wrong scheme for this service: the password was not checked, switch once.
        schemeSwitched = true
        this.auth = toAuth(pick)
      } else {
        this.rejected = true
        this.onRejected?.()
        throw credentialsRejected(what, TWO_N_API_ACCOUNTS)
      }
      ;({ r, sentAuth } = await this.send(method, uri, o, what))
    }
  }

  async json(method: string, uri: string, what: string, o: { body?: Buffer | string; headers?: Record<string, string> } = {}): Promise<unknown> {
    return parseEnvelope(await this.request(method, uri, what, o), what)
  }

  // ---- operations ---------------------------------------------------------------------------

  /** Identity; /api/system/info answers without login on every 2N device. */
  async info(): Promise<SystemInfo> {
    const what = 'Reading the device identity'
    let r: DeviceReply
    try {
      r = await deviceRequest(this.target(), { path: '/api/system/info', timeoutMs: this.ep.timeoutMs, maxBytes: 64 * 1024, signal: this.ep.signal, pin: this.ep.pin })
    } catch (e) {
      throw fromHttpError(e, what)
    }
    if (r.fingerprint) this.lastFingerprint = r.fingerprint
    const p = SystemInfo.safeParse(parseEnvelope(r, what))
    if (!p.success) throw new AppError('DEVICE', `${what}: the reply has no serial number.`, { key: 'devices.noSerialInReply' })
    return p.data
  }

  async status(): Promise<{ systemTime: number; upTime: number }> {
    const what = 'Reading the device status'
    const p = SystemStatus.safeParse(await this.json('GET', '/api/system/status', what))
    if (!p.success) throw new AppError('DEVICE', `${what}: unexpected reply.`, { key: 'devices.unexpectedReply' })
    return p.data
  }

  /** Downloads the configuration XML (refuses an HTML login page in its place). */
  async downloadConfig(): Promise<Buffer> {
    const what = 'Downloading the configuration'
    const r = await this.request('GET', '/api/config', what, { maxBytes: 16 * 1024 * 1024, timeoutMs: 15_000 })
    const ct = String(r.headers['content-type'] ?? '')
    if (/json/i.test(ct)) parseEnvelope(r, what)
    const head = r.body.toString('utf8', 0, 512)
    if (r.status !== 200 || /<html/i.test(head) || !/xml/i.test(ct + head)) {
      throw new AppError('DEVICE', `${what}: the device sent ${/<html/i.test(head) ? 'a web page (probably its login page)' : `HTTP ${r.status}`} instead of its configuration file.`, { key: /<html/i.test(head) ? 'devices.configIsWebPage' : 'devices.configHttp', values: { status: r.status } })
    }
    return r.body
  }

  async uploadConfig(xml: Buffer): Promise<void> {
    const boundary = `----sc${randomBytes(12).toString('hex')}`
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="blob-cfg"; filename="config.xml"\r\nContent-Type: application/xml\r\n\r\n`),
      xml,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    await this.json('PUT', '/api/config', 'Uploading the configuration', { body, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } })
  }

  async restart(): Promise<void> {
    await this.json('GET', '/api/system/restart', 'Restarting the device')
  }

  /** `network`: also reset IP settings and certificates (the device will come back elsewhere). */
  async factoryReset(network: boolean): Promise<void> {
    await this.json('GET', `/api/config/factoryreset${network ? '?section=network' : ''}`, 'Factory reset')
  }
}

function isLoginPage(r: DeviceReply): boolean {
  return r.status === 200 && /text\/html/i.test(String(r.headers['content-type'] ?? '')) && /<form|login/i.test(r.body.toString('utf8', 0, 4096))
}

function toAuth(c: Challenge): AuthState {
  return c.scheme === 'basic' ? { scheme: 'basic' } : { scheme: 'digest', session: new DigestSession(c) }
}
function errorCode(r: DeviceReply): number | null {
  try {
    return (JSON.parse(r.body.toString('utf8')) as { error?: { code?: number } }).error?.code ?? null
  } catch {
    return null
  }
}
function extractDescription(r: DeviceReply): string {
  try {
    return deviceText(String((JSON.parse(r.body.toString('utf8')) as { error?: { description?: string } }).error?.description ?? ''))
  } catch {
    return ''
  }
}

/** Checks a downloaded 2N configuration: well-formed XML, <DeviceDatabase> root, and the serial in its header comment. */
export function verifyTwoNConfig(data: Buffer, expectedSerial: string): { ok: boolean; detail: string; serial: string; firmware: string } {
  const text = data.toString('utf8')
  const doc = parseXml(text)
  if (!doc) return { ok: false, detail: 'The file is not well-formed XML.', serial: '', firmware: '' }
  if (!at(doc, 'DeviceDatabase')) return { ok: false, detail: 'The XML has no <DeviceDatabase> root: not a 2N configuration.', serial: '', firmware: '' }
  const serial = text.match(/Serial number:\s*([^\s<]+)/i)?.[1] ?? ''
  const firmware = text.match(/Software version:\s*([^\s<]+)/i)?.[1] ?? ''
  if (!serial) return { ok: false, detail: 'The configuration does not name the serial number of its device.', serial, firmware }
  if (serial !== expectedSerial) return { ok: false, detail: `The configuration belongs to device ${serial}, not ${expectedSerial}.`, serial, firmware }
  const version = String((at(doc, 'DeviceDatabase') as Record<string, unknown>)['@Version'] ?? '?')
  return { ok: true, detail: `Well-formed 2N configuration (DeviceDatabase version ${version}) of device ${serial}.`, serial, firmware }
}

// ---- the 2N web interface -------------------------------------------------------------------
// The admin password that a factory reset sets to admin/2n is the web-interface login, not an
// HTTP API account. Its internal API is not documented by 2N; these calls follow the lab
// bench's simulated /web/* endpoints (lab/intercom/web.ts) and are isolated here.

export class TwoNWebSession {
  private token = ''
  constructor(private readonly api: TwoNClient) {}

  private async post(path: string, body: unknown, what: string, method = 'POST'): Promise<DeviceReply> {
    const ep = this.api.ep
    const https = (ep.preferHttps ?? true) && !!ep.httpsPort
    try {
      return await deviceRequest(
        { host: ep.host, port: https ? ep.httpsPort! : (ep.httpPort ?? 80), tls: https, localAddress: ep.localAddress },
        { method, path, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...(this.token ? { 'X-Session': this.token } : {}) }, timeoutMs: ep.timeoutMs, signal: ep.signal, pin: ep.pin, maxBytes: 256 * 1024 },
      )
    } catch (e) {
      throw fromHttpError(e, what)
    }
  }

  /** ONE login attempt. Returns whether the device must have its password changed. Rejected → UNAUTHORIZED; blocked → LOCKOUT_RISK. */
  async login(c: Credentials): Promise<{ mustChangePassword: boolean }> {
    const what = `Logging in to the web interface as ${c.username}`
    const r = await this.post('/web/login', { username: c.username, password: c.password }, what)
    if (r.status === 403) throw lockoutSignalled(what, extractDescription(r))
    if (r.status === 401) throw credentialsRejected(what)
    const res = z.object({ session: z.string().min(1), mustChangePassword: z.boolean().default(false) }).safeParse(parseEnvelope(r, what))
    if (!res.success) throw new AppError('DEVICE', `${what}: unexpected reply.`, { key: 'devices.unexpectedReply' })
    this.token = res.data.session
    return { mustChangePassword: res.data.mustChangePassword }
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const what = 'Setting the new admin password'
    const r = await this.post('/web/password', { currentPassword, newPassword }, what)
    parseEnvelope(r, what)
  }

  /** The HTTP API accounts by name (the device never returns their passwords). */
  async apiAccounts(): Promise<string[]> {
    const what = 'Reading the HTTP API accounts'
    const res = z.object({ accounts: z.array(z.object({ username: z.string() })) }).safeParse(parseEnvelope(await this.post('/web/api-accounts', undefined, what, 'GET'), what))
    if (!res.success) throw new AppError('DEVICE', `${what}: unexpected reply.`, { key: 'devices.unexpectedReply' })
    return res.data.accounts.map((a) => a.username)
  }

  async setApiAccounts(accounts: { username: string; password: string; privileges: string[] }[]): Promise<void> {
    const what = 'Creating the HTTP API account'
    parseEnvelope(await this.post('/web/api-accounts', { accounts }, what, 'PUT'), what)
  }
}
