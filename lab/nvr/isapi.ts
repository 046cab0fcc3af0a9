// ISAPI-shaped HTTP API of the simulated NVR (nvr-reset.md §7): deviceInfo, users and
// password change, configuration export/import, reboot, factory reset, ResponseStatus
// errors, Digest with MD5 and SHA-256 challenges, Illegal Login Lock per client address.
// The /ISAPI/Security/retrievePassword/* endpoints are a SIMULATED stand-in for the
// Retrieve Password screen (see lab/README.md); real devices do not document them.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { xml, type Reply, type Req } from '../core/http-host'
import { esc, parseXml, text } from '../core/xml'
import type { Nvr } from './nvr'

export const NS = 'http://www.isapi.org/ver20/XMLSchema'
const STATUS_STRING: Record<number, string> = { 1: 'OK', 2: 'Device Busy', 3: 'Device Error', 4: 'Invalid Operation', 5: 'Invalid XML Format', 6: 'Invalid XML Content', 7: 'Reboot Required' }
/** errorCode some Hikvision firmware sends with a locked user (nvr-reset.md §7.8). */
export const USER_LOCKED_ERROR = 1073741830

export function responseStatus(req: Req, http: number, code: number, sub: string, extra = '', headers: Record<string, string | string[]> = {}): Reply {
  return xml(http, `<?xml version="1.0" encoding="UTF-8"?>
<ResponseStatus version="2.0" xmlns="${NS}">
<requestURL>${esc(req.path)}</requestURL>
<statusCode>${code}</statusCode>
<statusString>${STATUS_STRING[code] ?? 'Error'}</statusString>
<subStatusCode>${sub}</subStatusCode>${extra}
</ResponseStatus>
`, headers)
}

const okStatus = (req: Req) => responseStatus(req, 200, 1, 'ok')

function lockedReply(d: Nvr, req: Req, seconds: number): Reply {
  if (req.path === '/ISAPI/Security/userCheck') return userCheck(403, 'lock', seconds, 0)
  return responseStatus(req, 403, 4, 'invalidOperation', `\n<errorCode>${USER_LOCKED_ERROR}</errorCode>\n<errorMsg>user locked, unlock in ${seconds} s</errorMsg>`)
}

const userCheck = (http: number, lock: 'lock' | 'unlock', unlockTime: number, retry: number): Reply =>
  xml(http, `<?xml version="1.0" encoding="UTF-8"?>
<userCheck version="2.0" xmlns="${NS}">
<statusValue>${http}</statusValue>
<statusString>${http === 200 ? 'OK' : 'Unauthorized'}</statusString>
<isDefaultPassword>false</isDefaultPassword>
<lockStatus>${lock}</lockStatus>
<unlockTime>${unlockTime}</unlockTime>
<retryLoginTime>${retry}</retryLoginTime>
</userCheck>
`)

/** Digest check with the lockout in front of it; returns the user or the reply to send. */
export function authenticate(d: Nvr, req: Req): { user: string } | Reply {
  const locked = d.lockout.lockedFor(req.remote)
  if (locked > 0) return lockedReply(d, req, locked)
  const r = d.digest.verify(req.method, req.headers.authorization, (u) => d.passwordOf(u))
  if (r.ok) {
    d.lockout.succeed(req.remote)
    return { user: r.user }
  }
  if (r.reason === 'bad' || r.reason === 'scheme') {
    d.lockout.fail(req.remote)
    const now = d.lockout.lockedFor(req.remote)
    if (now > 0) return lockedReply(d, req, now)
  }
  const headers = { 'WWW-Authenticate': d.digest.challenge(r.reason === 'stale') }
  if (req.path === '/ISAPI/Security/userCheck') return { ...userCheck(401, 'unlock', 0, d.lockout.remaining(req.remote)), headers: { ...headers, 'Content-Type': 'application/xml' } }
  return responseStatus(req, 401, 4, 'notAuthenticated', '', headers)
}

function deviceInfo(d: Nvr): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<DeviceInfo version="2.0" xmlns="${NS}">
<deviceName>${esc(d.deviceName)}</deviceName>
<deviceID>${d.id.deviceId}</deviceID>
<model>${esc(d.model)}</model>
<serialNumber>${d.serial}</serialNumber>
<macAddress>${d.mac}</macAddress>
<firmwareVersion>${esc(d.id.firmware)}</firmwareVersion>
<firmwareReleasedDate>build ${d.id.firmware.slice(-6)}</firmwareReleasedDate>
<deviceType>NVR</deviceType>
<manufacturer>2M Technology</manufacturer>
<telecontrolID>255</telecontrolID>
<hardwareVersion>0x0001</hardwareVersion>
<decordChannelNums>${d.id.model.channels}</decordChannelNums>
<VGANums>1</VGANums>
<USBNums>2</USBNums>
</DeviceInfo>
`
}

const userXml = (u: Nvr['users'][number]) => `<User><id>${u.id}</id><userName>${esc(u.userName)}</userName><userLevel>${u.level}</userLevel></User>`

/** Simulation choice: at least 8 characters mixing at least two of lower, upper, digit, symbol. */
export function strongEnough(p: string): boolean {
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(p)).length
  return p.length >= 8 && p.length <= 64 && kinds >= 2
}

// Configuration export: an opaque AES-256-GCM blob whose key comes from the secret key the
// client passes, like the real encrypted export (§7.4). Wrong key on import = error.
const CFG_MAGIC = Buffer.from('2MCFG1')
const cfgKey = (secret: string) => createHash('sha256').update(`2mcfg|${secret}`).digest()

function exportConfig(d: Nvr, secret: string): Buffer {
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', cfgKey(secret), iv)
  const plain = JSON.stringify({ serial: d.serial, deviceName: d.deviceName, users: d.users, lockout: d.lockout.settings })
  const enc = Buffer.concat([c.update(plain, 'utf8'), c.final()])
  return Buffer.concat([CFG_MAGIC, iv, c.getAuthTag(), enc])
}

function importConfig(d: Nvr, secret: string, blob: Buffer): boolean {
  if (blob.length < 34 || !blob.subarray(0, 6).equals(CFG_MAGIC)) return false
  try {
    const dc = createDecipheriv('aes-256-gcm', cfgKey(secret), blob.subarray(6, 18))
    dc.setAuthTag(blob.subarray(18, 34))
    const cfg = JSON.parse(Buffer.concat([dc.update(blob.subarray(34)), dc.final()]).toString('utf8'))
    d.deviceName = cfg.deviceName
    d.users = cfg.users
    d.lockout.settings = cfg.lockout
    return true
  } catch {
    return false
  }
}

const secretOk = (s: string | null): s is string => s !== null && s.length >= 1 && s.length <= 16

export async function handleIsapi(d: Nvr, req: Req): Promise<Reply> {
  const path = req.path.replace(/\/+$/, '')
  if (path.startsWith('/ISAPI/Security/retrievePassword')) return retrieve(d, req, path)
  if (path === '/System/configurationFile') {
    // CVE-2017-7921: never a working path here.
    return responseStatus(req, 401, 4, 'notAuthenticated')
  }
  if (!path.startsWith('/ISAPI/')) return { status: 404, headers: { 'Content-Type': 'text/html' }, body: '<html><body>404 Not Found</body></html>' }
  const auth = authenticate(d, req)
  if ('status' in auth) return auth
  const isAdmin = d.users.find((u) => u.userName === auth.user)?.level === 'Administrator'
  const adminOnly = () => responseStatus(req, 403, 4, 'lowPrivilege')
  const m = req.method
  const userId = /^\/ISAPI\/Security\/users\/(\d+)$/.exec(path)
  if (path === '/ISAPI/System/deviceInfo' && m === 'GET') return xml(200, deviceInfo(d))
  if (path === '/ISAPI/Security/userCheck' && m === 'GET') return userCheck(200, 'unlock', 0, d.lockout.remaining(req.remote))
  if (path === '/ISAPI/System/time' && m === 'GET') {
    return xml(200, `<?xml version="1.0" encoding="UTF-8"?>\n<Time version="2.0" xmlns="${NS}"><timeMode>manual</timeMode><localTime>${new Date(d.deviceNow()).toISOString().replace(/\.\d+Z$/, 'Z')}</localTime><timeZone>CST+0:00:00</timeZone></Time>\n`)
  }
  if (path === '/ISAPI/Security/users' && m === 'GET') {
    return xml(200, `<?xml version="1.0" encoding="UTF-8"?>\n<UserList version="2.0" xmlns="${NS}">${d.users.map(userXml).join('')}</UserList>\n`)
  }
  if (userId) {
    const u = d.users.find((x) => x.id === Number(userId[1]))
    if (!u) return responseStatus(req, 404, 4, 'invalidID')
    if (m === 'GET') return xml(200, `<?xml version="1.0" encoding="UTF-8"?>\n${userXml(u).replace('<User>', `<User version="2.0" xmlns="${NS}">`)}\n`)
    if (m === 'PUT') {
      if (!isAdmin && u.userName !== auth.user) return adminOnly()
      const doc = parseXml(req.body.toString('utf8'))
      if (!doc?.User) return responseStatus(req, 400, 5, 'badXmlFormat')
      const pw = text(doc.User.password)
      if (pw === undefined) return responseStatus(req, 400, 6, 'badParameters')
      if (!strongEnough(pw)) return responseStatus(req, 400, 6, 'riskPassword')
      u.password = pw
      return okStatus(req)
    }
  }
  if (path === '/ISAPI/Security/illegalLoginLock') {
    const s = d.lockout.settings
    if (m === 'GET') {
      return xml(200, `<?xml version="1.0" encoding="UTF-8"?>\n<IllegalLoginLock version="2.0" xmlns="${NS}"><enabled>${s.enabled}</enabled><maxIllegalLoginTimes>${s.tries}</maxIllegalLoginTimes><lockTime>${s.lockSeconds}</lockTime></IllegalLoginLock>\n`)
    }
    if (m === 'PUT') {
      if (!isAdmin) return adminOnly()
      const x = parseXml(req.body.toString('utf8'))?.IllegalLoginLock
      if (!x) return responseStatus(req, 400, 5, 'badXmlFormat')
      const tries = Number(text(x.maxIllegalLoginTimes) ?? s.tries), lock = Number(text(x.lockTime) ?? s.lockSeconds)
      // Ranges from the Hikvision manual: 3-10 tries, 10-3600 s.
      if (!(tries >= 3 && tries <= 10) || !(lock >= 10 && lock <= 3600)) return responseStatus(req, 400, 6, 'badParameters')
      d.lockout.settings = { enabled: (text(x.enabled) ?? String(s.enabled)) === 'true', tries, lockSeconds: lock }
      return okStatus(req)
    }
  }
  if (path === '/ISAPI/Security/capabilities' && m === 'GET') {
    return xml(200, `<?xml version="1.0" encoding="UTF-8"?>\n<SecurityCap version="2.0" xmlns="${NS}"><supportUserNums>32</supportUserNums><isSupportConfigFileImport>true</isSupportConfigFileImport><isSupportConfigFileExport>true</isSupportConfigFileExport><cfgFileSecretKeyLenLimit min="1" max="16"/><SecurityAlgorithm><algorithmType opt="MD5,SHA256,MD5/SHA256"/></SecurityAlgorithm><isSupportRetrievePasswordSim>true</isSupportRetrievePasswordSim></SecurityCap>\n`)
  }
  if (path === '/ISAPI/System/configurationData') {
    if (!isAdmin) return adminOnly()
    const secret = req.query.get('secretkey')
    if (!secretOk(secret)) return responseStatus(req, 400, 6, 'badParameters')
    if (m === 'GET') return { status: 200, headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment; filename="configurationData"' }, body: exportConfig(d, secret) }
    if (m === 'PUT' || m === 'POST') {
      if (!importConfig(d, secret, req.body)) return responseStatus(req, 400, 6, 'badConfigurationData')
      setTimeout(() => void d.reboot(), 50)
      return responseStatus(req, 200, 7, 'rebootRequired')
    }
  }
  if (path === '/ISAPI/System/reboot' && m === 'PUT') {
    if (!isAdmin) return adminOnly()
    setTimeout(() => void d.reboot(), 50)
    return okStatus(req)
  }
  if (path === '/ISAPI/System/factoryReset' && m === 'PUT') {
    if (!isAdmin) return adminOnly()
    const mode = req.query.get('mode') ?? 'basic'
    if (mode !== 'basic' && mode !== 'full') return responseStatus(req, 400, 6, 'badParameters')
    d.schedule(0, () => d.factoryReset(mode === 'full'))
    setTimeout(() => void d.tick(), 50)
    return okStatus(req)
  }
  return responseStatus(req, 404, 4, 'notSupport')
}

async function retrieve(d: Nvr, req: Req, path: string): Promise<Reply> {
  const m = req.method
  const sub = path.slice('/ISAPI/Security/retrievePassword'.length)
  const root = (name: string, inner: string) => xml(200, `<?xml version="1.0" encoding="UTF-8"?>\n<${name} version="2.0" xmlns="${NS}">${inner}</${name}>\n`)
  if (sub === '/session' && m === 'POST') {
    const s = d.openRetrievePassword()
    return root('RetrievePasswordSession', `<sessionID>${s.id}</sessionID><issuedAt>${s.issuedAt}</issuedAt>`)
  }
  if (sub === '/session' && m === 'DELETE') {
    d.leaveRetrievePasswordScreen()
    return okStatus(req)
  }
  if (sub === '/qrCode' && m === 'GET') {
    const s = d.retrieve.current()
    if (!s) return responseStatus(req, 404, 4, 'noRetrieveSession')
    return root('RetrievePasswordQRCode', `<sessionID>${s.id}</sessionID><payload>${esc(s.payload)}</payload><issuedAt>${s.issuedAt}</issuedAt><expired>${s.expired}</expired>`)
  }
  if (sub === '/securityCode' && m === 'POST') {
    const code = text(parseXml(req.body.toString('utf8'))?.SecurityCode?.code)
    if (code === undefined) return responseStatus(req, 400, 5, 'badXmlFormat')
    const r = d.retrieve.submit(code)
    if (r.ok) return root('RetrievePasswordResult', `<resetToken>${r.token}</resetToken>`)
    switch (r.reason) {
      case 'noSession': return responseStatus(req, 400, 4, 'noRetrieveSession')
      case 'expired': return responseStatus(req, 400, 4, 'securityCodeExpired')
      case 'limit': return responseStatus(req, 400, 4, 'securityCodeLimitReached')
      case 'locked': return responseStatus(req, 403, 4, 'securityCodeLocked', `\n<unlockTime>${r.retryAfter}</unlockTime>`)
      case 'wrong': return responseStatus(req, 400, 6, 'invalidSecurityCode', `\n<retryTimes>${r.remaining}</retryTimes>${r.retryAfter ? `\n<unlockTime>${r.retryAfter}</unlockTime>` : ''}`)
    }
  }
  if (sub === '/password' && m === 'PUT') {
    const x = parseXml(req.body.toString('utf8'))?.NewPassword
    const token = text(x?.resetToken), pw = text(x?.password)
    if (!token || pw === undefined) return responseStatus(req, 400, 5, 'badXmlFormat')
    if (!strongEnough(pw)) return responseStatus(req, 400, 6, 'riskPassword')
    if (!d.retrieve.consumeToken(token)) return responseStatus(req, 403, 4, 'invalidResetToken')
    d.users.find((u) => u.id === 1)!.password = pw
    d.lockout.clear()
    return okStatus(req)
  }
  return responseStatus(req, 404, 4, 'notSupport')
}
