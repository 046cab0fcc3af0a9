// SIMULATED web interface of the 2N intercom. The real web UI's internal API is not
// documented, so these /web/* endpoints are a lab invention that models what an operator
// does in the browser (2n-intercom.md §5.3): log in (with lockout and the LoginBlocked
// event, §4), change the admin password that a factory reset set to admin/2n, press
// "Generate New" for the My2N security code, and recreate API accounts and service settings.
import type { Reply, Req } from '../core/http-host'
import { MAX_API_ACCOUNTS, PRIVILEGES, SERVICES, apiError, ok, type ApiAccount, type Privilege, type Service, type ServiceSecurity } from './access'
import { FACTORY_WEB_PASSWORD, type Intercom } from './intercom'

const SESSION_TTL_MS = 30 * 60_000

function body(req: Req): Record<string, unknown> | null {
  try {
    const v = JSON.parse(req.body.toString('utf8') || '{}')
    return v && typeof v === 'object' ? v : null
  } catch {
    return null
  }
}

export function handleWeb(d: Intercom, req: Req): Reply | Promise<Reply> {
  if (req.path === '/' || req.path === '/index.html') {
    return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: page(d) }
  }
  if (!req.path.startsWith('/web/')) return { status: 404, headers: { 'Content-Type': 'text/plain' }, body: 'Not Found' }
  if (req.path === '/web/login' && req.method === 'POST') return login(d, req)
  const token = req.headers['x-session']
  const started = typeof token === 'string' ? d.webSessions.get(token) : undefined
  if (started === undefined || d.ctx.clock.now() - started > SESSION_TTL_MS) return apiError(9, { status: 401, description: 'web session required' })
  const b = body(req)
  if (!b) return apiError(12, { param: 'body', description: 'invalid JSON' })
  if (req.path === '/web/password' && req.method === 'POST') return changePassword(d, b)
  if (d.web.mustChange) return apiError(18, { status: 403, description: 'password change required' })
  switch (`${req.method} ${req.path}`) {
    case 'POST /web/logout':
      d.webSessions.delete(token as string)
      return ok()
    case 'GET /web/my2n':
      return ok({ securityCode: d.my2nCode, enabled: d.config.my2nEnabled, mode: d.config.provisioningMode })
    case 'POST /web/my2n/generate':
      return ok({ securityCode: d.generateMy2nCode() })
    case 'GET /web/api-accounts':
      return ok({ accounts: d.accounts.map((a) => ({ username: a.username, privileges: a.privileges })) })
    case 'PUT /web/api-accounts':
      return setAccounts(d, b)
    case 'GET /web/services':
      return ok({ services: d.services })
    case 'PUT /web/services':
      return setServices(d, b)
  }
  return apiError(2)
}

function login(d: Intercom, req: Req): Reply {
  const now = d.ctx.clock.now()
  const rec = d.webFails.get(req.remote) ?? { count: 0, blockedUntil: 0 }
  if (rec.blockedUntil > now) {
    return apiError(18, { status: 403, description: `login blocked, retry in ${Math.ceil((rec.blockedUntil - now) / 1000)} s` })
  }
  const b = body(req)
  if (b && b.username === d.web.username && b.password === d.web.password) {
    d.webFails.delete(req.remote)
    const token = d.rng.hex(32)
    d.webSessions.set(token, now)
    d.log.emit('UserAuthenticated', { user: d.web.username, address: req.remote })
    return ok({ session: token, mustChangePassword: d.web.mustChange })
  }
  rec.count++
  if (rec.count >= d.webLockout.tries) {
    rec.count = 0
    rec.blockedUntil = now + d.webLockout.blockMs
    d.log.emit('LoginBlocked', { address: req.remote, duration: Math.round(d.webLockout.blockMs / 1000) })
  }
  d.webFails.set(req.remote, rec)
  return apiError(9, { status: 401, description: 'invalid user name or password' })
}

function changePassword(d: Intercom, b: Record<string, unknown>): Reply {
  if (b.currentPassword !== d.web.password) return apiError(12, { param: 'currentPassword' })
  const next = b.newPassword
  // Simulation choice: at least 8 characters with a letter and a digit, never the default.
  if (typeof next !== 'string' || next.length < 8 || !/[A-Za-z]/.test(next) || !/\d/.test(next) || next === FACTORY_WEB_PASSWORD) {
    return apiError(12, { param: 'newPassword', description: 'password too weak' })
  }
  d.web = { username: d.web.username, password: next, mustChange: false }
  return ok()
}

function setAccounts(d: Intercom, b: Record<string, unknown>): Reply {
  const list = b.accounts
  if (!Array.isArray(list)) return apiError(11, { param: 'accounts' })
  if (list.length > MAX_API_ACCOUNTS) return apiError(13, { param: 'accounts' })
  const next: ApiAccount[] = []
  for (const a of list as Record<string, unknown>[]) {
    const privileges = Array.isArray(a.privileges) ? a.privileges : []
    if (typeof a.username !== 'string' || !a.username || typeof a.password !== 'string' || !a.password) return apiError(12, { param: 'accounts' })
    if (!privileges.every((p) => PRIVILEGES.includes(p as Privilege))) return apiError(12, { param: 'privileges' })
    next.push({ username: a.username, password: a.password, privileges: privileges as Privilege[] })
  }
  d.accounts = next
  return ok()
}

function setServices(d: Intercom, b: Record<string, unknown>): Reply {
  const s = b.services as Record<string, Partial<ServiceSecurity>> | undefined
  if (!s || typeof s !== 'object') return apiError(11, { param: 'services' })
  for (const [name, v] of Object.entries(s)) {
    if (!SERVICES.includes(name as Service)) return apiError(12, { param: name })
    const cur = d.services[name as Service]
    if (v.auth && !['none', 'basic', 'digest'].includes(v.auth)) return apiError(12, { param: `${name}.auth` })
    if (v.transport && !['http', 'https'].includes(v.transport)) return apiError(12, { param: `${name}.transport` })
    d.services[name as Service] = { enabled: v.enabled ?? cur.enabled, transport: v.transport ?? cur.transport, auth: v.auth ?? cur.auth }
  }
  return ok()
}

function page(d: Intercom): string {
  return `<!doctype html><html><head><title>${d.model}</title></head><body>
<h1>${d.model}</h1><p>Simulated 2N web interface (Support Console lab). Serial ${d.serial}.</p>
<form method="post" action="/web/login"><input name="username"><input name="password" type="password"><button>Log in</button></form>
</body></html>`
}
