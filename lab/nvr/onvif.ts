// ONVIF device service of the simulated NVR (nvr-reset.md §9), SOAP 1.2 shaped like the
// agsh/onvif fixtures. GetSystemDateAndTime (and the other PRE_AUTH calls) need no
// credentials; everything else needs a WS-UsernameToken whose Created is within the time
// window of the device clock, or HTTP Digest (only Digest when `d.onvif.auth` is 'digest';
// nothing at all when `d.onvif.enabled` is false). Per Core Spec 5.9.1: a rejected Digest is
// HTTP 401, a rejected WS-Security header is HTTP 400 with a ter:NotAuthorized fault.
import { createHash } from 'node:crypto'
import type { Reply, Req } from '../core/http-host'
import { esc, parseXml, text, type XmlDoc } from '../core/xml'
import { strongEnough } from './isapi'
import { handleMedia, MEDIA_PATH, networkInterfaces, NS_MEDIA, scopes } from './onvif-media'
import type { Nvr } from './nvr'

const ENV_OPEN = '<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:ter="http://www.onvif.org/ver10/error" xmlns:trt="http://www.onvif.org/ver10/media/wsdl"><SOAP-ENV:Body>'
const ENV_CLOSE = '</SOAP-ENV:Body></SOAP-ENV:Envelope>\n'
export const soap = (status: number, inner: string, headers: Record<string, string | string[]> = {}): Reply => ({
  status, headers: { 'Content-Type': 'application/soap+xml; charset=utf-8', ...headers }, body: ENV_OPEN + inner + ENV_CLOSE,
})

/**
 * A SOAP 1.2 fault. Subcodes nest, one `<Subcode><Value>` inside the other (SOAP 1.2 Part 1
 * §5.4.1 "SOAP Code Element": Subcode contains a Value and an optional Subcode), as the ONVIF
 * Core Specification's fault tables list them ("SOAP fault processing", generic and specific faults:
 * e.g. env:Sender / ter:OperationProhibited / ter:PasswordTooWeak). Give them outermost first.
 */
export function fault(status: number, code: 'Sender' | 'Receiver', subcodes: string | string[], reason: string, headers: Record<string, string | string[]> = {}): Reply {
  const nested = [subcodes].flat().reduceRight((inner, v) => `<SOAP-ENV:Subcode><SOAP-ENV:Value>${v}</SOAP-ENV:Value>${inner}</SOAP-ENV:Subcode>`, '')
  return soap(status, `<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:${code}</SOAP-ENV:Value>${nested}</SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en">${esc(reason)}</SOAP-ENV:Text></SOAP-ENV:Reason></SOAP-ENV:Fault>`, headers)
}

const PRE_AUTH = new Set(['GetSystemDateAndTime', 'GetCapabilities', 'GetServices', 'GetServiceCapabilities', 'GetHostname', 'GetWsdlUrl', 'GetEndpointReference'])
const ADMIN_ONLY = new Set(['SystemReboot', 'SetSystemFactoryDefault', 'SetUser', 'GetUsers'])

type Auth = { ok: true; user: string | null } | { ok: false; reply: Reply }

function checkUsernameToken(d: Nvr, req: Req, token: XmlDoc): Auth {
  const user = text(token.Username) ?? ''
  const pwNode = token.Password
  const pwText = text(pwNode) ?? ''
  const type = typeof pwNode === 'object' ? String(pwNode['@Type'] ?? '') : ''
  const nonce = text(token.Nonce) ?? ''
  // Nonce and Created are optional (OASIS WSS UsernameToken Profile 1.1, §3.1: the
  // digest is SHA-1 over nonce + created + password with absent parts left out). A standard
  // SOAP stack sending PasswordText often sends neither.
  const created = text(token.Created)
  const password = d.passwordOf(user)
  const createdMs = Date.parse(created ?? '')
  const notAuthorized = (why: string) => ({ ok: false as const, reply: fault(400, 'Sender', 'ter:NotAuthorized', `Sender not Authorized: ${why}`) })
  if (password !== undefined) {
    const ok = type.endsWith('#PasswordText')
      ? pwText === password
      : createHash('sha1').update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created ?? ''), Buffer.from(password)])).digest('base64') === pwText
    if (ok) {
      // Replay protection by time, when the token is dated: it must be fresh by the device's own clock.
      if (created !== undefined && (!Number.isFinite(createdMs) || Math.abs(createdMs - d.deviceNow()) > d.onvifTimeWindowS * 1000)) return notAuthorized('Created outside the time window')
      d.lockout.succeed(req.remote)
      return { ok: true, user }
    }
  }
  d.lockout.fail(req.remote)
  return notAuthorized('invalid username or password')
}

function authenticate(d: Nvr, req: Req, header: XmlDoc | undefined): Auth {
  const locked = d.lockout.lockedFor(req.remote)
  if (locked > 0) return { ok: false, reply: fault(400, 'Sender', 'ter:NotAuthorized', `Sender not Authorized: user locked for ${locked} s`) }
  // A device set to Digest only ignores the WS-Security header (it is not checked, so it
  // is not counted as a failure) and answers 401 with its Digest challenge.
  const token = d.onvif.auth === 'digest' ? undefined : header?.Security?.UsernameToken
  if (token) return checkUsernameToken(d, req, token)
  // WS-Security only (HTTP Digest off): no challenge to offer, so a request without a token is
  // refused like a bad token, HTTP 400 + ter:NotAuthorized (Core Spec 5.9.1).
  if (d.onvif.auth === 'wsse') return { ok: false, reply: fault(400, 'Sender', 'ter:NotAuthorized', 'Sender not Authorized: WS-Security UsernameToken required') }
  const r = d.digest.verify(req.method, req.headers.authorization, (u) => d.passwordOf(u))
  if (r.ok) { d.lockout.succeed(req.remote); return { ok: true, user: r.user } }
  if (r.reason === 'bad') d.lockout.fail(req.remote)
  return { ok: false, reply: fault(401, 'Sender', 'ter:NotAuthorized', 'Sender not Authorized', { 'WWW-Authenticate': d.digest.challenge(r.reason === 'stale') }) }
}

function dateTime(d: Nvr): string {
  const t = new Date(d.deviceNow())
  const dt = `<tt:Time><tt:Hour>${t.getUTCHours()}</tt:Hour><tt:Minute>${t.getUTCMinutes()}</tt:Minute><tt:Second>${t.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${t.getUTCFullYear()}</tt:Year><tt:Month>${t.getUTCMonth() + 1}</tt:Month><tt:Day>${t.getUTCDate()}</tt:Day></tt:Date>`
  return `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone><tt:UTCDateTime>${dt}</tt:UTCDateTime><tt:LocalDateTime>${dt}</tt:LocalDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
}

export async function handleOnvif(d: Nvr, req: Req): Promise<Reply> {
  // ONVIF switched off: the web server has no such service (simulation choice: a plain 404;
  // what a real device answers there is not documented).
  if (!d.onvif.enabled) return { status: 404, headers: { 'Content-Type': 'text/html' }, body: '<html><body>404 Not Found</body></html>' }
  const service = req.path === '/onvif/device_service' ? 'device' : req.path === MEDIA_PATH ? 'media' : null
  if (!service) return fault(400, 'Sender', 'ter:InvalidArgVal', 'no such service')
  if (req.method !== 'POST') return { status: 405, headers: { Allow: 'POST' }, body: '' }
  // An empty POST is how a Digest-only client (curl --digest, libcurl, .NET) starts: it sends
  // no body until it has the challenge. Authentication comes before parsing (Core Spec 5.9.1:
  // in Digest mode the device returns 401), so it gets the challenge, not a WellFormed fault.
  if (req.body.toString('utf8').trim() === '') {
    const auth = authenticate(d, req, undefined)
    if (!auth.ok) return auth.reply
    return fault(400, 'Sender', 'ter:WellFormed', 'empty SOAP body')
  }
  const env = parseXml(req.body.toString('utf8'))?.Envelope
  const body = env?.Body
  if (!body || typeof body !== 'object') return fault(400, 'Sender', 'ter:WellFormed', 'malformed SOAP envelope')
  const op = Object.keys(body).find((k) => !k.startsWith('@') && k !== '#text')
  if (!op) return fault(400, 'Sender', 'ter:WellFormed', 'empty SOAP body')
  const args = body[op] ?? {}
  if (!PRE_AUTH.has(op)) {
    const auth = authenticate(d, req, env.Header)
    if (!auth.ok) return auth.reply
    const level = d.users.find((u) => u.userName === auth.user)?.level
    if (ADMIN_ONLY.has(op) && level !== 'Administrator') return fault(400, 'Sender', 'ter:NotAuthorized', 'Sender not Authorized: insufficient privileges')
  }
  if (d.onvif.unsupported.includes(op)) return fault(500, 'Receiver', 'ter:ActionNotSupported', `${op} is not supported`)
  if (service === 'media') return handleMedia(d, op, args)
  const xaddr = d.xaddr()
  switch (op) {
    case 'GetSystemDateAndTime':
      return soap(200, dateTime(d))
    case 'GetCapabilities':
      return soap(200, `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>${xaddr}</tt:XAddr><tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve><tt:DiscoveryBye>true</tt:DiscoveryBye><tt:RemoteDiscovery>false</tt:RemoteDiscovery><tt:SystemBackup>false</tt:SystemBackup><tt:SystemLogging>false</tt:SystemLogging><tt:FirmwareUpgrade>false</tt:FirmwareUpgrade></tt:System></tt:Device><tt:Media><tt:XAddr>${d.mediaXaddr()}</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>`)
    case 'GetServices':
      return soap(200, `<tds:GetServicesResponse><tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>${xaddr}</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service><tds:Service><tds:Namespace>${NS_MEDIA}</tds:Namespace><tds:XAddr>${d.mediaXaddr()}</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service></tds:GetServicesResponse>`)
    case 'GetHostname':
      return soap(200, `<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP><tt:Name>${esc(d.deviceName)}</tt:Name></tds:HostnameInformation></tds:GetHostnameResponse>`)
    case 'GetNetworkInterfaces':
      return soap(200, networkInterfaces(d))
    case 'GetScopes':
      return soap(200, scopes(d))
    case 'GetNetworkDefaultGateway':
      return soap(200, `<tds:GetNetworkDefaultGatewayResponse><tds:NetworkGateway><tt:IPv4Address>${esc(d.ip.replace(/\.\d+$/, '.1'))}</tt:IPv4Address></tds:NetworkGateway></tds:GetNetworkDefaultGatewayResponse>`)
    case 'GetDNS':
      return soap(200, '<tds:GetDNSResponse><tds:DNSInformation><tt:FromDHCP>false</tt:FromDHCP></tds:DNSInformation></tds:GetDNSResponse>')
    case 'GetDeviceInformation':
      return soap(200, `<tds:GetDeviceInformationResponse><tds:Manufacturer>2M Technology</tds:Manufacturer><tds:Model>${esc(d.model)}</tds:Model><tds:FirmwareVersion>${esc(d.id.firmware)}</tds:FirmwareVersion><tds:SerialNumber>${d.serial}</tds:SerialNumber><tds:HardwareId>${esc(d.model)}</tds:HardwareId></tds:GetDeviceInformationResponse>`)
    case 'SystemReboot':
      setTimeout(() => void d.reboot(), 50)
      return soap(200, `<tds:SystemRebootResponse><tds:Message>Rebooting in ${Math.round(d.ctx.timing.rebootMs / 1000)} seconds</tds:Message></tds:SystemRebootResponse>`)
    case 'SetSystemFactoryDefault': {
      const kind = text(args.FactoryDefault)
      if (kind !== 'Hard' && kind !== 'Soft') return fault(400, 'Sender', 'ter:InvalidArgVal', 'FactoryDefault must be Hard or Soft')
      setTimeout(() => void d.factoryReset(kind === 'Hard'), 50)
      return soap(200, '<tds:SetSystemFactoryDefaultResponse/>')
    }
    case 'GetUsers':
      return soap(200, `<tds:GetUsersResponse>${d.users.map((u) => `<tds:User><tt:Username>${esc(u.userName)}</tt:Username><tt:UserLevel>${u.level}</tt:UserLevel></tds:User>`).join('')}</tds:GetUsersResponse>`)
    case 'SetUser': {
      const list = Array.isArray(args.User) ? args.User : args.User ? [args.User] : []
      if (list.length === 0) return fault(400, 'Sender', 'ter:InvalidArgVal', 'User missing')
      for (const u of list) {
        const name = text(u.Username)
        const target = d.users.find((x) => x.userName === name)
        if (!target) return fault(400, 'Sender', ['ter:InvalidArgVal', 'ter:UsernameMissing'], `unknown user ${name}`)
        const pw = text(u.Password)
        if (pw !== undefined && !strongEnough(pw)) return fault(400, 'Sender', ['ter:OperationProhibited', 'ter:PasswordTooWeak'], 'password too weak')
        const level = text(u.UserLevel)
        if (level === 'Administrator' || level === 'Operator' || level === 'User') target.level = level
        if (pw !== undefined) target.password = pw
      }
      return soap(200, '<tds:SetUserResponse/>')
    }
  }
  return fault(500, 'Receiver', 'ter:ActionNotSupported', `${op} is not supported`)
}
