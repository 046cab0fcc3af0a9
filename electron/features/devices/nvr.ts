// NVR driver: Hikvision-style ISAPI (Digest MD5 or SHA-256, the strongest offered) and the
// ONVIF device service (WS-UsernameToken with the device clock offset learnt from an
// unauthenticated GetSystemDateAndTime; HTTP Digest, answered from the device's 401
// challenge, when it asks for it). Same lockout
// discipline as the 2N driver: learn the challenge without credentials, send each
// credential once, never retry a rejection, stop on any lock signal (403, errorCode
// 1073741830, lockStatus=lock, "locked" faults) — nvr-reset.md §7.7, §7.8, §9.2, §10.
import { randomBytes } from 'node:crypto'
import { AppError } from '../../../shared/contract/common'
import { DigestSession, parseChallenges, pickChallenge, wsUsernameToken } from '../../infra/digest'
import { credentialsRejected, fromHttpError, lockoutSignalled } from './errors'
import { deviceRequest, headerValues, type DeviceReply } from '../../infra/device-http'
import type { Credentials, Endpoint } from './twon'
import { asArray, at, deviceText, esc, onvifUtc, parseXml, soapBody, soapEnvelope, txt } from '../../infra/xml'

export const ISAPI_LOCKED = '1073741830'

export interface NvrInfo {
  serial: string
  mac: string
  model: string
  firmware: string
  name: string
  vendor: string
}

function isapiStatus(r: DeviceReply): { code: string; sub: string; errorCode: string; errorMsg: string; lock: string; unlockTime: string } {
  const doc = parseXml(r.body.toString('utf8'))
  const rs = (at(doc, 'ResponseStatus') ?? at(doc, 'userCheck') ?? {}) as Record<string, unknown>
  return {
    code: txt(rs.statusCode), sub: txt(rs.subStatusCode), errorCode: txt(rs.errorCode), errorMsg: txt(rs.errorMsg), lock: txt(rs.lockStatus), unlockTime: txt(rs.unlockTime),
  }
}

const ISAPI_SUB: Record<string, string> = {
  badXmlFormat: 'the device could not read the request',
  badParameters: 'a value was refused',
  riskPassword: 'the new password is too weak for the device (use at least 8 characters mixing letters, digits and symbols)',
  badConfigurationData: 'the configuration file was refused (wrong file, damaged, or a different export key)',
  lowPrivilege: 'the account is not an administrator',
  notSupport: 'the device does not support this function',
  invalidID: 'no such user',
  deviceBusy: 'the device is busy',
}

export class IsapiClient {
  private session: DigestSession | null = null
  private basic = false
  private rejected = false
  onRejected?: () => void
  /** Called when the device answered a request that carried the credentials with anything but a rejection. */
  onAccepted?: () => void
  lastFingerprint = ''

  constructor(
    readonly ep: Endpoint,
    private readonly creds: Credentials | null,
  ) {}

  private target() {
    const https = (this.ep.preferHttps ?? true) && !!this.ep.httpsPort
    return { host: this.ep.host, port: https ? this.ep.httpsPort! : (this.ep.httpPort ?? 80), tls: https, localAddress: this.ep.localAddress }
  }

  private async send(method: string, uri: string, o: { body?: Buffer | string; headers?: Record<string, string>; maxBytes?: number; timeoutMs?: number }, what: string) {
    let auth: string | undefined
    if (this.creds && this.session) auth = this.session.header(method, uri, this.creds.username, this.creds.password)
    else if (this.creds && this.basic) auth = `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64')}`
    try {
      const r = await deviceRequest(this.target(), {
        method, path: uri, body: o.body, headers: { ...o.headers, ...(auth ? { Authorization: auth } : {}) }, maxBytes: o.maxBytes ?? 1024 * 1024,
        timeoutMs: o.timeoutMs ?? this.ep.timeoutMs, signal: this.ep.signal, pin: this.ep.pin,
      })
      if (r.fingerprint) this.lastFingerprint = r.fingerprint
      return { r, sentAuth: !!auth }
    } catch (e) {
      throw fromHttpError(e, what)
    }
  }

  async request(method: string, uri: string, what: string, o: { body?: Buffer | string; headers?: Record<string, string>; maxBytes?: number; timeoutMs?: number } = {}): Promise<DeviceReply> {
    if (this.rejected) throw credentialsRejected(what)
    let { r, sentAuth } = await this.send(method, uri, o, what)
    let staleRetried = false
    for (;;) {
      const st = r.status === 401 || r.status === 403 ? isapiStatus(r) : null
      if (st && (r.status === 403 || st.errorCode === ISAPI_LOCKED || st.lock === 'lock') && (st.errorCode === ISAPI_LOCKED || st.lock === 'lock' || /lock/i.test(st.errorMsg))) {
        throw lockoutSignalled(what, deviceText(st.errorMsg || (st.unlockTime ? `unlocks in ${st.unlockTime} s` : '')))
      }
      if (r.status !== 401) {
        if (sentAuth) this.onAccepted?.()
        return r
      }
      if (!this.creds) throw new AppError('UNAUTHORIZED', `${what}: the device needs a login for this.`, { hint: 'Enter the NVR admin user name and password in the device page.', key: 'devices.nvrLoginNeeded' })
      const pick = pickChallenge(parseChallenges(headerValues(r.headers, 'www-authenticate')))
      if (!pick) throw new AppError('DEVICE', `${what}: the device asked for a login with a method the console does not support.`, { key: 'devices.authUnsupported' })
      if (!sentAuth) {
        if (pick.scheme === 'digest') this.session = new DigestSession(pick)
        else this.basic = true
      } else if (pick.scheme === 'digest' && /^true$/i.test(pick.params.stale ?? '') && !staleRetried) {
        staleRetried = true
        this.session = new DigestSession(pick)
      } else {
        this.rejected = true
        this.onRejected?.()
        throw credentialsRejected(what)
      }
      ;({ r, sentAuth } = await this.send(method, uri, o, what))
    }
  }

  /** Raises for ResponseStatus errors with readable text. */
  private check(r: DeviceReply, what: string): void {
    if (r.status >= 200 && r.status < 300) {
      const st = isapiStatus(r)
      if (!st.code || st.code === '1' || st.code === '7') return
    }
    const st = isapiStatus(r)
    const words = ISAPI_SUB[st.sub] ?? (st.sub ? `device status ${deviceText(st.sub, 80)}` : `HTTP ${r.status}`)
    throw new AppError(st.sub === 'lowPrivilege' ? 'FORBIDDEN' : 'DEVICE', `${what}: ${words}.`, { key: st.sub === 'lowPrivilege' ? 'devices.lowPrivilege' : st.sub === 'riskPassword' ? 'devices.riskPassword' : st.sub === 'badConfigurationData' ? 'devices.badConfigurationData' : st.sub === 'deviceBusy' ? 'devices.busy' : st.sub === 'notSupport' ? 'devices.notSupported' : 'devices.isapiStatus', values: { detail: words } })
  }

  async info(): Promise<NvrInfo> {
    const what = 'Reading the device identity'
    const r = await this.request('GET', '/ISAPI/System/deviceInfo', what)
    this.check(r, what)
    const di = at(parseXml(r.body.toString('utf8')), 'DeviceInfo') as Record<string, unknown> | undefined
    if (!di || !txt(di.serialNumber)) throw new AppError('DEVICE', `${what}: the reply is not an ISAPI DeviceInfo.`, { key: 'devices.notDeviceInfo' })
    return { serial: txt(di.serialNumber), mac: txt(di.macAddress), model: txt(di.model), firmware: txt(di.firmwareVersion), name: txt(di.deviceName), vendor: txt(di.manufacturer) || 'Hikvision-compatible' }
  }

  async deviceTime(): Promise<string> {
    const what = 'Reading the device clock'
    const r = await this.request('GET', '/ISAPI/System/time', what)
    this.check(r, what)
    const t = txt(at(parseXml(r.body.toString('utf8')), 'Time.localTime'))
    // A reply without a readable ISO time is not a clock (found by fuzzing, issue 7): it used
    // to come back as the device time '' or whatever text the element held.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(t) || Number.isNaN(Date.parse(t))) throw new AppError('DEVICE', `${what}: the reply has no readable device time.`, { key: 'devices.noDeviceTime' })
    return t
  }

  /** Encrypted configuration export with a fresh secret key (needed again to import it). */
  async exportConfig(): Promise<{ data: Buffer; secretKey: string }> {
    const what = 'Exporting the configuration'
    const secretKey = randomBytes(12).toString('base64url').slice(0, 16)
    const r = await this.request('GET', `/ISAPI/System/configurationData?secretkey=${encodeURIComponent(secretKey)}`, what, { maxBytes: 64 * 1024 * 1024, timeoutMs: 30_000 })
    if (r.status !== 200 || /xml|html|json/i.test(String(r.headers['content-type'] ?? ''))) this.check(r.status === 200 ? { ...r, status: 500 } : r, what)
    return { data: r.body, secretKey }
  }

  async importConfig(data: Buffer, secretKey: string): Promise<void> {
    const what = 'Importing the configuration'
    const r = await this.request('PUT', `/ISAPI/System/configurationData?secretkey=${encodeURIComponent(secretKey)}`, what, { body: data, headers: { 'Content-Type': 'application/octet-stream' }, timeoutMs: 30_000 })
    this.check(r, what)
  }

  async reboot(): Promise<void> {
    const what = 'Restarting the device'
    this.check(await this.request('PUT', '/ISAPI/System/reboot', what), what)
  }

  /** full: everything including network settings (the device may come back on another address). */
  async factoryReset(full: boolean): Promise<void> {
    const what = 'Factory reset'
    this.check(await this.request('PUT', `/ISAPI/System/factoryReset?mode=${full ? 'full' : 'basic'}`, what), what)
  }

  async setPassword(userId: number, userName: string, password: string): Promise<void> {
    const what = `Setting the password of ${userName}`
    const body = `<?xml version="1.0" encoding="UTF-8"?><User version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><id>${userId}</id><userName>${esc(userName)}</userName><userLevel>Administrator</userLevel><password>${esc(password)}</password></User>`
    this.check(await this.request('PUT', `/ISAPI/Security/users/${userId}`, what, { body, headers: { 'Content-Type': 'application/xml' } }), what)
  }

  async userId(userName: string): Promise<number> {
    const what = 'Reading the user list'
    const r = await this.request('GET', '/ISAPI/Security/users', what)
    this.check(r, what)
    const users = at(parseXml(r.body.toString('utf8')), 'UserList.User')
    for (const u of Array.isArray(users) ? users : users ? [users] : []) {
      if (txt((u as Record<string, unknown>).userName) !== userName) continue
      // The id goes into the URL of the password change: a missing or non-numeric one used to
      // come back as NaN (PUT /ISAPI/Security/users/NaN). Found by fuzzing, issue 7.
      const id = txt((u as Record<string, unknown>).id)
      if (!/^\d{1,9}$/.test(id)) throw new AppError('DEVICE', `${what}: the device lists user "${userName}" without a usable id.`, { key: 'devices.userWithoutId', values: { user: userName } })
      return Number(id)
    }
    throw new AppError('NOT_FOUND', `The device has no user "${userName}".`, { key: 'devices.noSuchUser', values: { user: userName } })
  }
}

/**
 * ONVIF device service. Authentication as the device demands it (Core Spec 5.9.1):
 * WS-UsernameToken with the device clock offset first; a 401 with a Digest challenge means
 * the device wants HTTP Digest, which is then answered once and used for every later call
 * (WS-Security is not sent again). Each credential goes out once per challenge: a rejected
 * token (400 ter:NotAuthorized) or a rejected Digest answer (401 again, not stale) ends it,
 * and only a stale nonce, which says the password was right, is answered again, once.
 */
export class OnvifClient {
  private offsetMs: number | null = null
  private rejected = false
  /** The scheme the device asked for: WS-UsernameToken until a Digest challenge says otherwise. */
  private mode: 'wsse' | 'digest' = 'wsse'
  private session: DigestSession | null = null
  onRejected?: () => void
  onAccepted?: () => void

  constructor(
    readonly url: URL,
    private readonly creds: Credentials | null,
    private readonly o: { localAddress?: string; timeoutMs?: number; signal?: AbortSignal } = {},
  ) {}

  /** How this client authenticates now ('digest' once the device asked for it). */
  get authMode(): 'wsse' | 'digest' {
    return this.mode
  }

  private get path(): string {
    return `${this.url.pathname}${this.url.search}`
  }

  private async post(op: string, inner: string, header: string, what: string, authorization?: string): Promise<DeviceReply> {
    try {
      return await deviceRequest(
        { host: this.url.hostname, port: Number(this.url.port || 80), tls: this.url.protocol === 'https:', localAddress: this.o.localAddress },
        {
          method: 'POST', path: this.path, body: soapEnvelope(inner, header), timeoutMs: this.o.timeoutMs, signal: this.o.signal, maxBytes: 256 * 1024,
          headers: {
            'Content-Type': `application/soap+xml; charset=utf-8; action="http://www.onvif.org/ver10/device/wsdl/${op}"`,
            ...(authorization ? { Authorization: authorization } : {}),
          },
        },
      )
    } catch (e) {
      throw fromHttpError(e, what)
    }
  }

  /** Device clock minus ours, from the unauthenticated GetSystemDateAndTime (PRE_AUTH). */
  async timeOffset(): Promise<number> {
    if (this.offsetMs !== null) return this.offsetMs
    const what = 'Reading the device clock (ONVIF)'
    const before = Date.now()
    const r = await this.post('GetSystemDateAndTime', '<tds:GetSystemDateAndTime/>', '', what)
    const t = onvifUtc(soapBody(r.body.toString('utf8')).body)
    if (t === null) throw new AppError('DEVICE', `${what}: no usable date in the reply (is ONVIF enabled?).`, { key: 'devices.noOnvifDate' })
    this.offsetMs = t - Math.round((before + Date.now()) / 2)
    return this.offsetMs
  }

  private async send(op: string, inner: string, what: string, creds: Credentials): Promise<{ r: DeviceReply; sent: 'wsse' | 'digest' }> {
    if (this.mode === 'digest' && this.session) {
      return { r: await this.post(op, inner, '', what, this.session.header('POST', this.path, creds.username, creds.password)), sent: 'digest' }
    }
    const offset = await this.timeOffset()
    return { r: await this.post(op, inner, wsUsernameToken(creds.username, creds.password, offset), what), sent: 'wsse' }
  }

  async call(op: string, inner: string, what: string): Promise<Record<string, unknown>> {
    if (this.rejected) throw credentialsRejected(what)
    if (!this.creds) throw new AppError('UNAUTHORIZED', `${what}: the device needs a login for this.`, { key: 'devices.loginNeeded' })
    let { r, sent } = await this.send(op, inner, what, this.creds)
    let answered = false
    let staleRenewed = false
    for (;;) {
      if (r.status !== 401) break
      const digest = parseChallenges(headerValues(r.headers, 'www-authenticate')).filter((c) => c.scheme === 'digest')
      const pick = digest.length ? pickChallenge(digest) : null
      if (!pick) break
      if (!answered) {
        // A challenge to our first request of this call: the device did not take the
        // WS-Security header and wants Digest, or the nonce we reused is no longer known to
        // it (e.g. after a reboot). Answer this challenge, once.
        answered = true
        this.mode = 'digest'
        this.session = new DigestSession(pick)
      } else if (sent === 'digest' && /^true$/i.test(pick.params.stale ?? '') && !staleRenewed) {
        // Right password, expired nonce: the one renewal that is not a new login attempt.
        staleRenewed = true
        this.session = new DigestSession(pick)
      } else break
      ;({ r, sent } = await this.send(op, inner, what, this.creds))
    }
    const b = soapBody(r.body.toString('utf8'))
    // The device's words go into messages: shortened and without control characters (issue 7).
    const fault = deviceText(b.fault ?? '')
    if (/lock/i.test(fault)) throw lockoutSignalled(what, fault)
    if (r.status === 401 || (b.fault && /NotAuthorized/i.test(b.faultCode))) {
      if (sent === 'wsse' && r.status !== 401 && /time window|Created/i.test(fault)) throw new AppError('DEVICE', `${what}: the device refused the login because of its clock (${fault}).`, { hint: 'Correct the device time, then try again.', key: 'devices.clockRefused', values: { detail: fault } })
      const offered = parseChallenges(headerValues(r.headers, 'www-authenticate'))
      if (r.status === 401 && offered.length && !offered.some((c) => c.scheme === 'digest')) {
        // Basic only: not used for ONVIF (the password would travel in clear). Not sent again by this client.
        this.rejected = true
        throw new AppError('DEVICE', `${what}: the device asks for an HTTP Basic login, which the console does not use for ONVIF (the password would travel in clear).`, { hint: 'Enable Digest or WS-UsernameToken authentication for ONVIF on the device, or use ISAPI.', key: 'devices.basicOnly' })
      }
      this.rejected = true
      this.onRejected?.()
      throw credentialsRejected(what)
    }
    this.onAccepted?.()
    if (b.fault) throw onvifFault(what, fault, b.faultCode)
    if (!b.body) throw new AppError('DEVICE', `${what}: the device did not answer with SOAP (HTTP ${r.status}).`, { key: 'devices.notSoap', values: { status: r.status } })
    return b.body
  }

  async info(): Promise<NvrInfo> {
    const b = await this.call('GetDeviceInformation', '<tds:GetDeviceInformation/>', 'Reading the device identity (ONVIF)')
    const d = at(b, 'GetDeviceInformationResponse') as Record<string, unknown> | undefined
    // Like ISAPI: a reply without a serial is not an identity (found by fuzzing, issue 7); any
    // SOAP body used to be accepted as a device with serial ''.
    if (!d || typeof d !== 'object' || !txt(d.SerialNumber)) throw new AppError('DEVICE', 'Reading the device identity (ONVIF): the reply is not a GetDeviceInformationResponse with a serial number.', { key: 'devices.notOnvifInfo' })
    return { serial: txt(d.SerialNumber), mac: await this.mac(), model: txt(d.Model), firmware: txt(d.FirmwareVersion), name: '', vendor: txt(d.Manufacturer) }
  }

  /**
   * The MAC, the usual device id, from GetNetworkInterfaces (ONVIF Core Spec, Device
   * management – Network: tt:NetworkInterface/tt:Info/tt:HwAddress): the first enabled
   * interface that has one. '' when the device does not implement the operation
   * (ActionNotSupported), which some do not.
   */
  async mac(): Promise<string> {
    try {
      const b = await this.call('GetNetworkInterfaces', '<tds:GetNetworkInterfaces/>', 'Reading the network interfaces (ONVIF)')
      const list = asArray(at(b, 'GetNetworkInterfacesResponse.NetworkInterfaces') as Record<string, unknown> | Record<string, unknown>[] | undefined)
      const usable = list.filter((i) => i && typeof i === 'object' && txt(i.Enabled) !== 'false')
      for (const i of usable) {
        const mac = txt(at(i, 'Info.HwAddress'))
        if (/^[0-9A-Fa-f]{2}([-:]?[0-9A-Fa-f]{2}){5}$/.test(mac)) return mac
      }
      return ''
    } catch (e) {
      if (e instanceof OnvifFaultError && e.subcodes.includes('ActionNotSupported')) return ''
      throw e
    }
  }
  async reboot(): Promise<void> {
    await this.call('SystemReboot', '<tds:SystemReboot/>', 'Restarting the device (ONVIF)')
  }
  async factoryReset(hard: boolean): Promise<void> {
    await this.call('SetSystemFactoryDefault', `<tds:SetSystemFactoryDefault><tds:FactoryDefault>${hard ? 'Hard' : 'Soft'}</tds:FactoryDefault></tds:SetSystemFactoryDefault>`, 'Factory reset (ONVIF)')
  }
  async setPassword(user: string, password: string): Promise<void> {
    await this.call('SetUser', `<tds:SetUser><tds:User><tt:Username>${esc(user)}</tt:Username><tt:Password>${esc(password)}</tt:Password><tt:UserLevel>Administrator</tt:UserLevel></tds:User></tds:SetUser>`, `Setting the password of ${user} (ONVIF)`)
  }
}

/**
 * A SOAP fault in words. The subcodes (read at every nesting level, see soapBody) say what
 * happened; the ONVIF Core Spec's fault tables ("SOAP fault processing") name the ones an agent can act on.
 */
export class OnvifFaultError extends AppError {
  constructor(message: string, readonly subcodes: string[], hint?: string) {
    super('DEVICE', message, { hint })
  }
}

export function onvifFault(what: string, reason: string, faultCode: string): OnvifFaultError {
  // Local names of every level; a flat "ter:A/ter:B" value (seen from non-conforming stacks) counts as two.
  const codes = faultCode.split(/\s*\/\s*/).map((c) => c.replace(/^.*:/, '')).filter(Boolean)
  const detail = faultCode ? ` (${deviceText(faultCode, 120)})` : ''
  if (codes.includes('PasswordTooWeak')) return new OnvifFaultError(`${what}: the new password is too weak for the device${detail}.`, codes, 'Use at least 8 characters mixing letters, digits and symbols.')
  if (codes.includes('ActionNotSupported')) return new OnvifFaultError(`${what}: the device does not support this ONVIF operation${detail}.`, codes, 'Use the device\'s own API (ISAPI) or its web interface for this.')
  return new OnvifFaultError(`${what}: ${reason}${detail}`, codes)
}

/**
 * An ISAPI configuration export is an opaque blob encrypted by the device with the export
 * key (nvr-reset.md §7.4: no public format, no readable header, no device identity in
 * clear). So it cannot be verified by parsing or by its serial; all that can be checked is
 * that the device sent a binary export and not an error page, and which device it came
 * from is only the serial read live in the same session. The result says so (`opaque`),
 * and the UI labels such backups accordingly. Destructive operations still require it.
 */
export function verifyIsapiExport(data: Buffer, liveSerial = ''): { ok: boolean; detail: string; serial: string; firmware: string; opaque: true } {
  const base = { serial: liveSerial, firmware: '', opaque: true as const }
  if (data.length < 32) return { ...base, ok: false, detail: `The export is only ${data.length} bytes: not a configuration export.` }
  const head = data.toString('utf8', 0, 200)
  if (/^\s*</.test(head) || /^\s*\{/.test(head)) return { ...base, ok: false, detail: 'The device sent an XML/JSON/HTML document instead of its configuration export.' }
  return { ...base, ok: true, detail: isapiOpaqueDetail(data.length, liveSerial) }
}

/** The words for an opaque ISAPI backup (verify result, audit entry, UI tooltip). */
export const isapiOpaqueDetail = (size: number, serial: string) =>
  `Opaque (encrypted by the device), checked only as a non-error export of ${size} bytes from ${serial ? `serial ${serial}` : 'a device whose serial was not'} read live; its content could not be parsed or matched to the serial.`
