// The My2N side of the move workflow: "add this device (serial + security code) to this site".
// Providers: the lab's My2N simulator over HTTP, and the My2N Partner API where a partner key
// is configured. The add-device request shape of the real Partner API is not public
// (2n-intercom.md §5.4, [?]): the partner provider follows the documented base URL and
// x-api-key header and maps the HTTP status classes; verify it against a partner account
// before relying on it.
import { AppError } from '../../../../shared/contract/common'
import { failureReason, httpRequest, type HttpReply } from '../../../infra/http-client'

export type My2nResult = 'added' | 'not-found' | 'already-added' | 'wrong-code'

export interface My2nAddRequest { serial: string; securityCode: string; site: string }

export interface My2nClient {
  readonly kind: 'lab' | 'partner'
  readonly label: string
  addDevice(req: My2nAddRequest, signal?: AbortSignal): Promise<{ result: My2nResult; message: string }>
  /**
   * Whether the device is in that site already, so that adding it again (after a crash or a
   * lost reply) is seen as done rather than as "already added" to somebody else. null when
   * My2N cannot say (unreachable, or a reply the console does not understand).
   */
  inSite(req: { serial: string; site: string }, signal?: AbortSignal): Promise<boolean | null>
  /**
   * Asks My2N who this key belongs to and which sites it has: the "Test connection" of
   * Settings and the site list of the move. Throws an AppError that says exactly what is
   * wrong (no answer, not My2N at that address, key refused).
   */
  account(signal?: AbortSignal): Promise<My2nAccount>
}

export interface My2nAccount { company: string; sites: { id: string; name: string }[] }

/**
 * The API base for an address as an agent types or copies it. The lab prints its server's
 * root (http://127.0.0.1:PORT), whose API lives under /api/v1; the Partner API's documented
 * base is https://my2n.com/middleware/api/partner/v1. A root address gets that path; any
 * other path is taken as given (a proxy, a test server), and a wrong one is named by
 * `account()` and by a failed add.
 */
export function apiBase(kind: 'lab' | 'partner', url: string): string {
  const base = url.trim().replace(/\/+$/, '')
  let path: string
  try {
    path = new URL(base).pathname
  } catch {
    return base
  }
  if (path !== '/' && path !== '') return base
  return `${base}${kind === 'lab' ? '/api/v1' : '/middleware/api/partner/v1'}`
}

/** `url` as typed: the lab simulator's address (with or without /api/v1), or the Partner API's base; see apiBase. */
export interface My2nProviderConfig { kind: 'lab' | 'partner'; url: string; apiKey: string }

/** Replies larger than this are not My2N's (a site list of a few thousand devices is well under it). */
const MAX_REPLY = 4 * 1024 * 1024

/** A GET or POST to My2N through the console's HTTP client; transport failures throw HttpError. */
const call = (url: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal, body?: unknown): Promise<HttpReply> =>
  httpRequest(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    timeoutMs,
    totalMs: timeoutMs,
    maxBytes: MAX_REPLY,
    signal,
  })

/** The reply's JSON, or null when it is not JSON. */
function jsonOf(res: HttpReply): unknown {
  try {
    return JSON.parse(res.body.toString('utf8')) as unknown
  } catch {
    return null
  }
}

const ok = (status: number) => status >= 200 && status < 300

async function post(url: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<{ status: number; json: Record<string, unknown> }> {
  let res: HttpReply
  try {
    res = await call(url, headers, 15_000, signal, body)
  } catch (e) {
    throw new AppError('UNREACHABLE', `My2N (${new URL(url).host}) did not answer.`, { hint: 'Check the network connection and the My2N provider in Settings, then run the step again.', cause: e, key: 'my2n.noAnswer', values: { host: new URL(url).host } })
  }
  // A non-JSON reply is judged by its status only.
  const json = jsonOf(res)
  return { status: res.status, json: json && typeof json === 'object' ? (json as Record<string, unknown>) : {} }
}

/** Maps the simulator's (and, by assumption, the Partner API's) answer to the four outcomes of the FAQ. */
export function classify(status: number, body: Record<string, unknown>): { result: My2nResult; message: string } | null {
  const json = (typeof body.error === 'object' && body.error ? body.error : body) as Record<string, unknown>
  const text = String(json.message ?? json.description ?? '')
  const code = String(json.code ?? '')
  if (status >= 200 && status < 300) return { result: 'added', message: text || 'The device was added.' }
  if (/does not exist/i.test(text) || code === 'serialNotFound') return { result: 'not-found', message: text || 'The serial number does not exist.' }
  if (/already added/i.test(text) || code === 'alreadyAdded' || status === 409) return { result: 'already-added', message: text || 'The device is already added.' }
  if (/security code/i.test(text) || code === 'invalidSecurityCode' || status === 403) return { result: 'wrong-code', message: text || 'The security code does not match.' }
  return null
}

export function my2nClient(cfg: My2nProviderConfig): My2nClient {
  const base = apiBase(cfg.kind, cfg.url)
  const headers: Record<string, string> = { 'x-api-key': cfg.apiKey }
  const host = new URL(base).host
  async function account(signal?: AbortSignal): Promise<My2nAccount> {
    let res: HttpReply
    try {
      res = await call(`${base}/company`, headers, 10_000, signal)
    } catch (e) {
      throw new AppError('UNREACHABLE', `Nothing answered at ${host} (${failureReason(e)}).`, { hint: cfg.kind === 'lab' ? 'Is the lab bench running? Start it (support-console lab) and use the My2N address it prints.' : 'Check the network connection and the address.', cause: e, key: cfg.kind === 'lab' ? 'my2n.labUnreachable' : 'my2n.unreachable', values: { host, detail: failureReason(e) } })
    }
    if (res.status === 401 || res.status === 403) throw new AppError('UNAUTHORIZED', `My2N at ${host} refused the API key (HTTP ${res.status}).`, { field: 'apiKey', hint: cfg.kind === 'lab' ? 'Copy the x-api-key the lab bench printed (it changes at every start unless the bench has a fixed --seed).' : 'Check the partner API key in the My2N partner portal.', key: cfg.kind === 'lab' ? 'my2n.labKeyRefused' : 'my2n.keyRefused', values: { host, status: res.status } })
    const body = jsonOf(res) as { name?: unknown; sites?: unknown } | null
    if (!ok(res.status) || !body || !Array.isArray(body.sites)) {
      throw new AppError('VALIDATION', `${base} does not look like the My2N API: GET ${new URL(`${base}/company`).pathname} answered HTTP ${res.status}${ok(res.status) ? ' without the account' : ''}.`, {
        field: 'url',
        hint: cfg.kind === 'lab' ? 'Use the address the lab bench prints after “My2N (simulated):”, e.g. http://127.0.0.1:PORT, as it is.' : `Use the Partner API address, ${'https://my2n.com/middleware/api/partner/v1'}.`,
        key: cfg.kind === 'lab' ? 'my2n.labNotApi' : 'my2n.notApi', values: { base, status: res.status },
      })
    }
    const sites = (body.sites as { id?: unknown; name?: unknown }[]).filter((x) => typeof x?.id === 'string').map((x) => ({ id: String(x.id), name: typeof x.name === 'string' ? x.name : String(x.id) }))
    return { company: typeof body.name === 'string' ? body.name : '', sites }
  }
  return {
    account,
    kind: cfg.kind,
    label: cfg.kind === 'lab' ? `My2N simulator at ${new URL(base).host}` : `My2N Partner API at ${new URL(base).host}`,
    async inSite(req, signal) {
      if (!req.site) return null
      try {
        const res = await call(`${base}/sites/${encodeURIComponent(req.site)}/devices`, headers, 15_000, signal)
        if (!ok(res.status)) return null
        const body = jsonOf(res) as { devices?: unknown } | null
        if (!Array.isArray(body?.devices)) return null
        return body.devices.some((d) => typeof d === 'object' && d !== null && (d as { serialNumber?: unknown }).serialNumber === req.serial)
      } catch {
        return null
      }
    },
    async addDevice(req, signal) {
      if (!req.site) throw new AppError('VALIDATION', 'Type the ID of the new My2N site.', { field: 'inputs.site', key: 'my2n.typeSite' })
      const { status, json } = await post(`${base}/sites/${encodeURIComponent(req.site)}/devices`, { serialNumber: req.serial, securityCode: req.securityCode }, headers, signal)
      const c = classify(status, json)
      if (c) return c
      if (status === 404) {
        // An unknown site and a wrong base URL both answer 404: ask for the account to tell them apart.
        const acc = await account(signal) // throws "does not look like the My2N API" for a wrong base
        const list = acc.sites.map((x) => `${x.id} (${x.name})`).join(', ')
        throw new AppError('VALIDATION', `My2N does not know the site “${req.site}” for this account.`, { field: 'inputs.site', hint: list ? `This account's sites: ${list}.` : 'Check the site ID in the customer’s My2N account (Sites).', key: list ? 'my2n.unknownSiteList' : 'my2n.unknownSite', values: { site: req.site, sites: list } })
      }
      if (status === 401) throw new AppError('UNAUTHORIZED', 'My2N refused the console’s API key.', { hint: 'Check the My2N partner key in Settings.', key: 'my2n.consoleKeyRefused' })
      throw new AppError('DEVICE', `My2N answered ${status}.`, { hint: 'Try again later; if it repeats, add the device in the My2N web portal and record the result.', key: 'my2n.failed', values: { status } })
    },
  }
}
