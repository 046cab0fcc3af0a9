// Per-service security of the 2N HTTP API (2n-intercom.md §1, §2, §9.1): each service can
// be disabled (error 4), HTTPS-only (error 7) and use None/Basic/Digest (error 8 on the
// wrong scheme). Up to 5 API accounts, separate from the web admin, each with privileges
// (error 10 when one is missing).
//
// Services are the groups of the manual's function table (2N HTTP API manual, §5 "Overview
// of HTTP API Functions", column "Service"; §1 lists System, Switch, I/O, Audio, Camera,
// Display, E-mail, Phone/Call, Logging): /api/config, /api/config/factoryreset,
// /api/firmware/*, /api/cert/* and /api/dir/* all belong to System (§5.14.3 "Service is
// System"), so there are no separate config/firmware/cert settings. The lab implements the
// functions of System, Switch, I/O, Audio and Logging.
import { parseBasic, type DigestAuth } from '../core/digest'
import { json, type Reply, type Req } from '../core/http-host'

export type AuthScheme = 'none' | 'basic' | 'digest'
export interface ServiceSecurity { enabled: boolean; transport: 'http' | 'https'; auth: AuthScheme }

export const SERVICES = ['system', 'switch', 'io', 'audio', 'log'] as const
export type Service = (typeof SERVICES)[number]

export const PRIVILEGES = ['system', 'switch', 'io', 'audio', 'keypad', 'uid', 'call'] as const
export type Privilege = (typeof PRIVILEGES)[number]

/** Privilege each service needs; the log service filters events per privilege instead. */
export const SERVICE_PRIVILEGE: Record<Service, Privilege | null> = {
  system: 'system', switch: 'switch', io: 'io', audio: 'audio', log: null,
}

/** The service of an API path's first segment (function group), per the manual's §5 table. */
export const GROUP_SERVICE: Record<string, Service> = {
  system: 'system', config: 'system', firmware: 'system', cert: 'system', dir: 'system',
  switch: 'switch', io: 'io', audio: 'audio', log: 'log',
}

export const MAX_API_ACCOUNTS = 5

export interface ApiAccount { username: string; password: string; privileges: Privilege[] }

export const defaultServices = (): Record<Service, ServiceSecurity> =>
  Object.fromEntries(SERVICES.map((s) => [s, { enabled: true, transport: 'http', auth: 'digest' }])) as Record<Service, ServiceSecurity>

export const ERROR_TEXT: Record<number, string> = {
  1: 'function is not supported', 2: 'invalid request path', 3: 'invalid request method', 4: 'function is disabled',
  7: 'invalid connection type', 8: 'invalid authentication method', 9: 'authorization required',
  10: 'insufficient user privileges', 11: 'missing mandatory parameter', 12: 'invalid parameter value',
  13: 'parameter data too big', 14: 'unspecified processing error', 15: 'no data available',
}

export function apiError(code: number, opts: { param?: string; description?: string; status?: number; headers?: Record<string, string | string[]> } = {}): Reply {
  const error: Record<string, unknown> = { code }
  if (opts.param) error.param = opts.param
  error.description = opts.description ?? ERROR_TEXT[code] ?? 'error'
  return json(opts.status ?? 200, { success: false, error }, opts.headers)
}

export const ok = (result?: unknown): Reply => json(200, result === undefined ? { success: true } : { success: true, result })

/** `badLogin`: a user name and password were sent and are wrong (not merely missing or stale). */
export type AccessResult = { ok: true; account: ApiAccount | null } | { ok: false; reply: Reply; badLogin?: boolean }

export function checkAccess(req: Req, sec: ServiceSecurity, service: Service, accounts: ApiAccount[], digest: DigestAuth, realm: string): AccessResult {
  if (!sec.enabled) return { ok: false, reply: apiError(4) }
  if (sec.transport === 'https' && !req.secure) return { ok: false, reply: apiError(7) }
  if (sec.auth === 'none') return { ok: true, account: null }
  const header = req.headers.authorization
  const basicChallenge = `Basic realm="${realm}"`
  if (sec.auth === 'basic') {
    if (header && !/^basic\s/i.test(header)) return { ok: false, reply: apiError(8, { status: 401, headers: { 'WWW-Authenticate': basicChallenge } }) }
    const b = parseBasic(header)
    const acc = b && accounts.find((a) => a.username === b.user && a.password === b.password)
    if (!acc) return { ok: false, reply: apiError(9, { status: 401, headers: { 'WWW-Authenticate': basicChallenge } }), badLogin: !!b }
    return privileged(acc, service)
  }
  const r = digest.verify(req.method, header, (u) => accounts.find((a) => a.username === u)?.password)
  if (r.ok) return privileged(accounts.find((a) => a.username === r.user)!, service)
  const code = r.reason === 'scheme' ? 8 : 9
  return { ok: false, reply: apiError(code, { status: 401, headers: { 'WWW-Authenticate': digest.challenge(r.reason === 'stale') } }), badLogin: r.reason === 'bad' }
}

function privileged(acc: ApiAccount, service: Service): AccessResult {
  const need = SERVICE_PRIVILEGE[service]
  if (need && !acc.privileges.includes(need)) return { ok: false, reply: apiError(10) }
  return { ok: true, account: acc }
}
