// The My2N side of the move workflow: "add this device (serial + security code) to this site".
// Providers: the lab's My2N simulator over HTTP, and the My2N Partner API where a partner key
// is configured. The add-device request shape of the real Partner API is not public
// (2n-intercom.md §5.4, [?]): the partner provider follows the documented base URL and
// x-api-key header and maps the HTTP status classes; verify it against a partner account
// before relying on it.
import { AppError } from '../../shared/contract/common'

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
}

/** `url` is the API base: the lab simulator's `<url>/api/v1`, or the Partner API's `https://my2n.com/middleware/api/partner/v1`. */
export interface My2nProviderConfig { kind: 'lab' | 'partner'; url: string; apiKey: string }

async function post(url: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<{ status: number; json: Record<string, unknown> }> {
  let res: Response
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: signal ?? AbortSignal.timeout(15_000) })
  } catch (e) {
    throw new AppError('UNREACHABLE', `My2N (${new URL(url).host}) did not answer.`, { hint: 'Check the network connection and the My2N provider in Settings, then run the step again.', cause: e })
  }
  let json: Record<string, unknown> = {}
  try {
    json = (await res.json()) as Record<string, unknown>
  } catch {
    // A non-JSON reply is judged by its status only.
  }
  return { status: res.status, json }
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
  const base = cfg.url.replace(/\/+$/, '')
  const headers: Record<string, string> = { 'x-api-key': cfg.apiKey }
  return {
    kind: cfg.kind,
    label: cfg.kind === 'lab' ? `My2N simulator at ${new URL(base).host}` : `My2N Partner API at ${new URL(base).host}`,
    async inSite(req, signal) {
      if (!req.site) return null
      try {
        const res = await fetch(`${base}/sites/${encodeURIComponent(req.site)}/devices`, { headers, signal: signal ?? AbortSignal.timeout(15_000) })
        if (!res.ok) return null
        const body = (await res.json()) as { devices?: unknown }
        if (!Array.isArray(body.devices)) return null
        return body.devices.some((d) => typeof d === 'object' && d !== null && (d as { serialNumber?: unknown }).serialNumber === req.serial)
      } catch {
        return null
      }
    },
    async addDevice(req, signal) {
      if (!req.site) throw new AppError('VALIDATION', 'Type the ID of the new My2N site.', { field: 'inputs.site' })
      const { status, json } = await post(`${base}/sites/${encodeURIComponent(req.site)}/devices`, { serialNumber: req.serial, securityCode: req.securityCode }, headers, signal)
      const c = classify(status, json)
      if (c) return c
      if (status === 404) throw new AppError('VALIDATION', `My2N does not know the site “${req.site}” for this account.`, { field: 'inputs.site', hint: 'Check the site ID in the customer’s My2N account (Sites).' })
      if (status === 401) throw new AppError('UNAUTHORIZED', 'My2N refused the console’s API key.', { hint: 'Check the My2N partner key in Settings.' })
      throw new AppError('DEVICE', `My2N answered ${status}.`, { hint: 'Try again later; if it repeats, add the device in the My2N web portal and record the result.' })
    },
  }
}
