// Routes of the simulated 2N HTTP API (/api/<service>/<function>), per 2n-intercom.md §3.
import { createHash } from 'node:crypto'
import type { Reply, Req } from '../core/http-host'
import { parseMultipart } from '../core/multipart'
import { apiError, checkAccess, GROUP_SERVICE, ok, type ApiAccount } from './access'
import { parseConfig, renderConfig } from './config-xml'
import { EVENT_PRIVILEGE as EVENTS } from './event-log'
import { buildTypeFor, INTERCOM_MODELS } from './identity'
import { audioTest, dirRoutes, ioRoutes, switchRoutes } from './functions'
import type { Intercom } from './intercom'

/** Firmware uploads are auto-rejected after 5 minutes (§3.5). */
export const FIRMWARE_AUTO_REJECT_MS = 5 * 60_000

type Route = { methods: string[]; run: (d: Intercom, req: Req, acc: ApiAccount | null) => Promise<Reply> | Reply }

const GP = ['GET', 'POST']

const routes: Record<string, Route> = {
  'system/status': { methods: GP, run: (d) => ok({ systemTime: Math.floor(d.deviceNow() / 1000), upTime: d.upTime() }) },
  'system/caps': {
    methods: GP,
    run: () => ok({ options: { rtspServer: 'active,licensed', codecG729: 'active', motionDetection: 'active,licensed', smtpClient: 'active', my2n: 'active' } }),
  },
  'system/time': {
    methods: ['GET', 'PUT'],
    run: (d, req) => {
      if (req.method === 'PUT') {
        const q = req.query
        if (q.has('automatic')) d.time.automatic = q.get('automatic') === '1'
        if (q.has('server')) { d.time.server = q.get('server') ?? ''; d.time.source = d.time.server || d.time.source }
        if (q.has('utcTime')) {
          const t = Number(q.get('utcTime'))
          if (!Number.isFinite(t)) return apiError(12, { param: 'utcTime' })
          d.clockSkew(Math.round(t - d.ctx.clock.now() / 1000))
        }
        return ok()
      }
      return ok({ utcTime: Math.floor(d.deviceNow() / 1000), source: d.time.automatic ? d.time.source : 'Manual', automatic: d.time.automatic })
    },
  },
  'system/restart': {
    methods: GP,
    run: (d) => {
      // Reply first, then go down, like the device does.
      setTimeout(() => void d.reboot(), 50)
      return ok()
    },
  },
  config: {
    methods: ['GET', 'POST', 'PUT'],
    run: (d, req) => {
      if (req.method !== 'PUT') return { status: 200, headers: { 'Content-Type': 'application/xml' }, body: renderConfig(d.id, d.config, d.ip) }
      const parts = parseMultipart(req.body, req.headers['content-type'])
      if (!parts) return apiError(14, { description: 'Unsupported Content-Type' })
      const blob = parts.find((p) => p.name === 'blob-cfg')
      if (!blob) return apiError(11, { param: 'blob-cfg' })
      const next = parseConfig(blob.data.toString('utf8'), d.config)
      if (!next) return apiError(12, { param: 'blob-cfg' })
      d.schedule(d.ctx.timing.applyDelayMs, () => {
        d.config = next
        d.log.emit('ConfigurationChanged', { source: 'api' })
      })
      return ok()
    },
  },
  'config/factoryreset': {
    methods: GP,
    run: (d, req) => {
      const section = req.query.get('section')
      if (section !== null && section !== 'network') return apiError(12, { param: 'section' })
      d.schedule(d.ctx.timing.applyDelayMs, () => d.factoryReset(section === 'network'))
      return ok()
    },
  },
  firmware: { methods: ['PUT'], run: uploadFirmware },
  'firmware/apply': {
    methods: GP,
    run: (d, req) => {
      const p = pending(d)
      if (!p) return apiError(14, { description: 'new firmware not found' })
      if (req.query.get('fileid') !== p.fileId) return apiError(12, { param: 'fileid', description: 'invalid parameter' })
      d.pendingFirmware = null
      d.id.swVersion = p.version
      setTimeout(() => void d.reboot(), 50)
      return ok()
    },
  },
  'firmware/reject': {
    methods: GP,
    run: (d, req) => {
      const p = pending(d)
      if (!p) return apiError(14, { description: 'new firmware not found' })
      if (req.query.get('fileId') !== p.fileId) return apiError(12, { param: 'fileId', description: 'invalid parameter' })
      d.pendingFirmware = null
      return ok()
    },
  },
  'log/caps': { methods: GP, run: () => ok({ events: Object.keys(EVENTS) }) },
  'log/subscribe': {
    methods: GP,
    run: (d, req, acc) => {
      const include = req.query.get('include') ?? 'new'
      if (!/^(new|all|-\d+)$/.test(include)) return apiError(12, { param: 'include' })
      const duration = Number(req.query.get('duration') ?? 90)
      if (!Number.isInteger(duration) || duration < 1 || duration > 3600) return apiError(12, { param: 'duration' })
      return ok({ id: d.log.subscribe(include, req.query.get('filter'), duration, acc ? new Set(acc.privileges) : 'all') })
    },
  },
  'log/pull': {
    methods: GP,
    run: async (d, req) => {
      const id = Number(req.query.get('id'))
      if (!req.query.has('id')) return apiError(11, { param: 'id' })
      const timeout = Math.max(0, Number(req.query.get('timeout') ?? 0) || 0)
      const events = await d.log.pull(id, timeout)
      if (!events) return apiError(12, { param: 'id' })
      return ok({ events })
    },
  },
  'log/unsubscribe': {
    methods: GP,
    run: (d, req) => (d.log.unsubscribe(Number(req.query.get('id'))) ? ok() : apiError(12, { param: 'id' })),
  },
  // §5.4 switch, §5.5 io (GET/POST), §5.11.1 audio/test (GET/POST), §5.14 dir: template
  // GET/POST, query POST, update PUT (methods as in each function's "Methods" section).
  'switch/caps': { methods: GP, run: switchRoutes['switch/caps'] },
  'switch/status': { methods: GP, run: switchRoutes['switch/status'] },
  'switch/ctrl': { methods: GP, run: switchRoutes['switch/ctrl'] },
  'io/caps': { methods: GP, run: ioRoutes['io/caps'] },
  'io/status': { methods: GP, run: ioRoutes['io/status'] },
  'io/ctrl': { methods: GP, run: ioRoutes['io/ctrl'] },
  'audio/test': { methods: GP, run: audioTest },
  'dir/template': { methods: GP, run: dirRoutes['dir/template'] },
  'dir/query': { methods: ['POST'], run: dirRoutes['dir/query'] },
  'dir/update': { methods: ['PUT'], run: dirRoutes['dir/update'] },
  'cert/user': {
    methods: ['GET'],
    run: (d) => ok({ certificates: [{ id: '#1', fingerprint: d.cert.fingerprint256, subject: { CN: d.serial }, issuer: { CN: d.serial }, protected: true, systemUseOnly: true }] }),
  },
}

function pending(d: Intercom) {
  const p = d.pendingFirmware
  if (p && d.ctx.clock.now() - p.uploadedAt > FIRMWARE_AUTO_REJECT_MS) d.pendingFirmware = null
  return d.pendingFirmware
}

/**
 * Simulated firmware file: a first line `2N-FW;variant=<variantId>;version=<a.b.c.d.e>`,
 * then anything. A real image is an opaque signed blob; this keeps "corrupt" and
 * "wrong model" testable (both answer error 12).
 */
function uploadFirmware(d: Intercom, req: Req): Reply {
  const parts = parseMultipart(req.body, req.headers['content-type'])
  if (!parts) return apiError(14, { description: 'Unsupported Content-Type' })
  const blob = parts.find((p) => p.name === 'blob-fw')
  if (!blob) return apiError(11, { param: 'blob-fw' })
  const current = pending(d)
  // While an upload is pending, new uploads are ignored: the pending file is reported again.
  if (current) return ok(fwResult(current))
  const head = /^2N-FW;variant=(\d+);version=(\d+\.\d+\.\d+\.\d+\.\d+)\r?\n/.exec(blob.data.subarray(0, 200).toString('latin1'))
  if (!head) return apiError(12, { param: 'blob-fw', description: 'invalid parameter' })
  if (Number(head[1]) !== d.id.model.variantId || !INTERCOM_MODELS.some((m) => m.variantId === Number(head[1]))) {
    return apiError(12, { param: 'blob-fw', description: 'invalid parameter' })
  }
  const version = head[2]
  const fileId = createHash('sha256').update(blob.data).update(String(d.ctx.clock.now())).digest('hex').slice(0, 8)
  const downgrade = compareVersions(version, d.id.swVersion) < 0
  d.pendingFirmware = { fileId, version, downgrade, note: downgrade ? 'Downgrade may reset the configuration.' : '', uploadedAt: d.ctx.clock.now() }
  return ok(fwResult(d.pendingFirmware))
}

const fwResult = (p: NonNullable<Intercom['pendingFirmware']>) => ({ fileId: p.fileId, version: p.version, downgrade: p.downgrade, note: p.note })

function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number), y = b.split('.').map(Number)
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0)
  return 0
}

export async function handleApi(d: Intercom, req: Req): Promise<Reply> {
  const reply = await route(d, req)
  return d.quirks.newerFirmwareFields ? withNewerFields(reply) : reply
}

/** The newerFirmwareFields quirk: unknown fields in the envelope and in every result object. */
function withNewerFields(reply: Reply): Reply {
  if (!/json/.test(String(reply.headers?.['Content-Type'] ?? '')) || typeof reply.body !== 'string') return reply
  const env = JSON.parse(reply.body) as { success: boolean; result?: Record<string, unknown> }
  const extra = { capabilitiesHash: 'a1b2c3d4', tzShift: 60, futureOptions: { level: 2, tags: ['x', 'y'] } }
  if (env.result && typeof env.result === 'object' && !Array.isArray(env.result)) env.result = { ...env.result, ...extra }
  return { ...reply, body: JSON.stringify({ ...env, apiVersion: '3.9' }, null, 2) }
}

async function route(d: Intercom, req: Req): Promise<Reply> {
  const path = req.path.replace(/^\/api\//, '').replace(/\/+$/, '')
  if (path === 'system/info') {
    // Identification answers whatever the access settings are (§3.1).
    if (!GP.includes(req.method)) return apiError(3)
    if (d.quirks.infoFollowsTransport && d.services.system.transport === 'https' && !req.secure) return apiError(7)
    return ok({
      devType: d.id.model.devType, variant: d.id.model.variant, variantId: d.id.model.variantId, customerId: 0,
      serialNumber: d.serial, macAddr: d.mac, hwVersion: d.id.model.hwVersion, swVersion: d.id.swVersion,
      buildType: buildTypeFor(d.id.swVersion), firmwarePackage: `${d.id.model.variant.replace(/^2N /, '').replace(/ /g, '-')}-${d.id.swVersion}`,
      deviceName: d.config.deviceName,
    })
  }
  const route = routes[path]
  if (!route) return apiError(2)
  // Security settings are per service, and a function's service is its group in the
  // manual's §5 table (/api/config, /api/firmware, /api/cert, /api/dir → System).
  const service = GROUP_SERVICE[path.split('/')[0]]
  if (!service) return apiError(2)
  const access = checkAccess(req, d.services[service], service, d.accounts, d.digest, d.realm)
  if (!access.ok) {
    if (access.badLogin) d.apiFails.set(req.remote, (d.apiFails.get(req.remote) ?? 0) + 1)
    // Field quirk (2n-intercom.md §2, [I]): a failed configuration download returns the web
    // login page instead of XML or JSON, with 200 OK.
    if (d.quirks.configLoginPage && path === 'config' && req.method !== 'PUT') {
      return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: '<!doctype html><html><head><title>Login</title></head><body><form action="/web/login" method="post"><input name="username"><input name="password" type="password"></form></body></html>' }
    }
    return access.reply
  }
  if (!route.methods.includes(req.method)) return apiError(3)
  // Field quirk seen on 2.50 (§8): a POST without Content-Type fails with 14.
  if (d.quirks.postNeedsContentType && req.method === 'POST' && !req.headers['content-type']) return apiError(14, { description: 'Unsupported Content-Type' })
  return route.run(d, req, access.account)
}
