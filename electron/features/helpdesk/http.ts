// One HTTP helper for the providers: a timeout on every request, Retry-After parsed on 429
// and 503, no redirects followed (a redirect to another host would carry the credentials),
// and error messages that name the helpdesk and the status but never the token.
import { headerValue, HttpError, httpRequest, type HttpReply } from '../../infra/http-client'
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

/** A reply's headers by name (the part of WHATWG Headers the providers use; that class would load undici). */
export interface ReplyHeaders {
  get(name: string): string | null
}

/** Attachments the console takes in are at most 60 MB (an .eml, electron/features/nvr-reset/photos/eml.ts): a little more is allowed. */
const MAX_REPLY = 64 * 1024 * 1024

export async function request(label: string, url: string, r: HttpRequest = {}): Promise<{ status: number; headers: ReplyHeaders; body: Buffer }> {
  let res: HttpReply
  const timeoutMs = r.timeoutMs ?? 30_000
  try {
    res = await httpRequest(url, { method: r.method ?? 'GET', headers: r.headers, body: r.body, timeoutMs, totalMs: timeoutMs, maxBytes: MAX_REPLY, maxBodyBytes: MAX_REPLY })
  } catch (e) {
    const kind = e instanceof HttpError ? e.kind : 'other'
    const why =
      kind === 'timeout' ? 'did not answer in time' : kind === 'too-large' ? `sent a reply larger than ${MAX_REPLY / 1024 / 1024} MB` : `cannot be reached (${(e as { code?: string }).code ?? (e as Error).message})`
    throw new HelpdeskError(`${label} at ${new URL(url).origin} ${why}.`, 0)
  }
  const headers: ReplyHeaders = { get: (name) => headerValue(res.headers, name) }
  if (res.status >= 200 && res.status < 300) return { status: res.status, headers, body: res.body }
  const retry = res.status === 429 || res.status === 503 ? parseRetryAfter(headers.get('retry-after')) : null
  throw new HelpdeskError(`${label} answered ${res.status}${describe(res.status)}${detail(res.body)}.`, res.status, retry)
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
