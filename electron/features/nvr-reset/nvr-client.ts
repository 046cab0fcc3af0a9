// The console's side of the NVR's Retrieve Password screen over HTTP. The endpoints
// (/ISAPI/Security/retrievePassword/*) are the LAB's stand-in for the on-screen form (lab/
// README, lab/nvr/isapi.ts); real 2M devices take the code on their own screen. Logins for
// the verification go through the ISAPI driver of electron/devices, which never retries a
// rejected credential. Every call here is sent once: no retry loop can burn codes.
import { AppError } from '../../../shared/contract/common'
import type { LoginGuard } from '../devices'
import { IsapiClient } from '../devices'
import { AlreadyRejectedError } from '../devices'
import type { Endpoint } from '../devices'
import { at, esc, parseXml, txt } from '../../infra/xml'

export type SubmitOutcome =
  | { kind: 'accepted'; token: string }
  | { kind: 'wrong'; remaining: number | null; retryAfter: number | null }
  | { kind: 'locked'; retryAfter: number | null }
  | { kind: 'no-session' }
  | { kind: 'expired' }
  | { kind: 'limit' }

export interface ScreenState {
  open: boolean
  payload: string | null
  issuedAt: string | null
  expired: boolean
}

/** "127.0.0.13", "127.0.0.13:8080", "http://host:port" -> endpoint (plain HTTP: the lab bench). */
export function endpointOf(address: string, timeoutMs = 5000): Endpoint {
  const s = address.trim().replace(/^https?:\/\//, '').replace(/\/.*$/, '')
  const m = s.match(/^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?$/)
  if (!m) throw new AppError('VALIDATION', `"${address}" is not a device address (IP or host, optionally :port).`, { field: 'address', key: 'nvrReset.badAddress', values: { address } })
  return { host: m[1].replace(/^\[|\]$/g, ''), httpPort: m[2] ? Number(m[2]) : 80, httpsPort: null, preferHttps: false, timeoutMs }
}

function status(body: Buffer) {
  const rs = (at(parseXml(body.toString('utf8')), 'ResponseStatus') ?? {}) as Record<string, unknown>
  const n = (k: string) => (txt(rs[k]) === '' ? null : Number(txt(rs[k])))
  return { sub: txt(rs.subStatusCode), retryTimes: n('retryTimes'), unlockTime: n('unlockTime') }
}

export class RetrievePasswordClient {
  private readonly isapi: IsapiClient
  constructor(private readonly ep: Endpoint) {
    this.isapi = new IsapiClient(ep, null)
  }

  /** What the Retrieve Password screen shows now (lab only: a real screen is read by the customer). */
  async screen(): Promise<ScreenState> {
    const what = 'Checking the Retrieve Password screen'
    const r = await this.isapi.request('GET', '/ISAPI/Security/retrievePassword/qrCode', what)
    if (r.status === 404) return { open: false, payload: null, issuedAt: null, expired: false }
    if (r.status !== 200) throw new AppError('DEVICE', `${what}: the device answered HTTP ${r.status}.`, { key: 'nvrReset.deviceHttp', values: { status: r.status } })
    const q = at(parseXml(r.body.toString('utf8')), 'RetrievePasswordQRCode') as Record<string, unknown> | undefined
    if (!q) throw new AppError('DEVICE', `${what}: the reply is not a Retrieve Password QR.`, { key: 'nvrReset.notQrReply' })
    return { open: true, payload: txt(q.payload), issuedAt: txt(q.issuedAt) || null, expired: txt(q.expired) === 'true' }
  }

  async submitCode(code: string): Promise<SubmitOutcome> {
    const what = 'Entering the security code'
    const body = `<?xml version="1.0" encoding="UTF-8"?><SecurityCode version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><code>${esc(code)}</code></SecurityCode>`
    const r = await this.isapi.request('POST', '/ISAPI/Security/retrievePassword/securityCode', what, { body, headers: { 'Content-Type': 'application/xml' } })
    if (r.status === 200) {
      const token = txt(at(parseXml(r.body.toString('utf8')), 'RetrievePasswordResult.resetToken'))
      if (!token) throw new AppError('DEVICE', `${what}: the device accepted the code but sent no reset token.`, { key: 'nvrReset.noResetToken' })
      return { kind: 'accepted', token }
    }
    const st = status(r.body)
    switch (st.sub) {
      case 'invalidSecurityCode': return { kind: 'wrong', remaining: st.retryTimes, retryAfter: st.unlockTime }
      case 'securityCodeLocked': return { kind: 'locked', retryAfter: st.unlockTime }
      case 'noRetrieveSession': return { kind: 'no-session' }
      case 'securityCodeExpired': return { kind: 'expired' }
      case 'securityCodeLimitReached': return { kind: 'limit' }
    }
    throw new AppError('DEVICE', `${what}: the device answered HTTP ${r.status}${st.sub ? ` (${st.sub})` : ''}.`, { key: 'nvrReset.deviceHttp', values: { status: r.status } })
  }

  async setPassword(token: string, password: string): Promise<void> {
    const what = 'Setting the new password'
    const body = `<?xml version="1.0" encoding="UTF-8"?><NewPassword version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><resetToken>${esc(token)}</resetToken><password>${esc(password)}</password></NewPassword>`
    const r = await this.isapi.request('PUT', '/ISAPI/Security/retrievePassword/password', what, { body, headers: { 'Content-Type': 'application/xml' } })
    if (r.status === 200) return
    const st = status(r.body)
    if (st.sub === 'riskPassword') throw new AppError('VALIDATION', `${what}: the NVR refused the password as too weak. Use 8–64 characters with at least two of: lower case, upper case, digits, symbols.`, { field: 'newPassword', key: 'nvrReset.weakPassword' })
    if (st.sub === 'invalidResetToken') throw new AppError('CONFLICT', `${what}: the NVR no longer accepts this reset (the screen was left, the device restarted, or 10 minutes passed).`, { hint: 'A new QR photo and a new code are needed.', key: 'nvrReset.resetGone' })
    throw new AppError('DEVICE', `${what}: the device answered HTTP ${r.status}${st.sub ? ` (${st.sub})` : ''}.`, { key: 'nvrReset.deviceHttp', values: { status: r.status } })
  }

  /**
   * One login attempt with these credentials: true = accepted, false = rejected (now, or
   * earlier: a password the device already rejected is not sent again). Never retried. It
   * goes through the device's login lease and rejected-login memory like every driver login
   * (issue 13): the check, the send and the record of a rejection happen while no other
   * credentialed attempt to this device is in flight, in any process on the data folder.
   */
  async loginWorks(username: string, password: string, guard: LoginGuard): Promise<boolean> {
    const cr = { username, password }
    return guard.exclusive(async (proven) => {
      try {
        guard.check('device', cr)
      } catch (e) {
        if (e instanceof AlreadyRejectedError) return false
        throw e
      }
      const c = new IsapiClient(this.ep, cr)
      try {
        await c.info()
        proven()
        return true
      } catch (e) {
        if (e instanceof AppError && e.code === 'UNAUTHORIZED') {
          guard.rejected('device', cr)
          return false
        }
        throw e
      }
    }, 'device', cr)
  }
}
