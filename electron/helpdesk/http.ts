// One HTTP helper for the providers: a timeout on every request, Retry-After parsed on 429
// and 503, no redirects followed (a redirect to another host would carry the credentials),
// and error messages that name the helpdesk and the status but never the token.
import { HelpdeskError } from './provider'

export interface HttpRequest {
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  timeoutMs?: number
}

/** Retry-After is either seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(v: string | null, now = Date.now()): number | null {
  if (!v) return null
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000
  const t = Date.parse(v)
  return Number.isNaN(t) ? null : Math.max(0, t - now)
}

export async function request(label: string, url: string, r: HttpRequest = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  let res: Response
  try {
    res = await fetch(url, {
      method: r.method ?? 'GET',
      headers: r.headers,
      body: typeof r.body === 'string' || r.body === undefined ? r.body : new Uint8Array(r.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(r.timeoutMs ?? 30_000),
    })
  } catch (e) {
    const why = (e as Error).name === 'TimeoutError' ? 'did not answer in time' : `cannot be reached (${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message})`
    throw new HelpdeskError(`${label} at ${new URL(url).origin} ${why}.`, 0)
  }
  const body = Buffer.from(await res.arrayBuffer())
  if (res.status >= 200 && res.status < 300) return { status: res.status, headers: res.headers, body }
  const retry = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get('retry-after')) : null
  throw new HelpdeskError(`${label} answered ${res.status}${describe(res.status)}${detail(body)}.`, res.status, retry)
}

function describe(status: number): string {
  if (status === 401) return ' (the user or token was refused: check them in Settings or with "helpdesk connect --test")'
  if (status === 403) return ' (this account may not do that)'
  if (status === 404) return ' (no such ticket or attachment)'
  if (status === 429) return ' (rate limited)'
  if (status >= 300 && status < 400) return ' (a redirect: check the helpdesk URL)'
  return ''
}

/** The server's own short error text, if it sent one (never echoes request headers). */
function detail(body: Buffer): string {
  try {
    const j = JSON.parse(body.toString('utf8')) as Record<string, unknown>
    const m = [j.message, j.error, j.description].filter((x) => typeof x === 'string').join(': ')
    return m ? `: ${m.slice(0, 200)}` : ''
  } catch {
    return ''
  }
}

export const json = <T>(b: Buffer): T => JSON.parse(b.toString('utf8')) as T
