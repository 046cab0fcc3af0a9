// The one HTTP client of the console (axios): devices, My2N, the vendor reset-code service
// and the helpdesks all go through httpRequest(). Every exchange gets an idle timeout and a
// total one (joined with the caller's AbortSignal), a limit on the reply's size, no proxy,
// no redirect followed unless asked (a redirect to another host would carry the
// credentials), and HTTPS trusted one of three ways: the system's CAs (public services), a
// pinned SHA-256 fingerprint checked BEFORE any byte of the request (and so any credential)
// is written, or any certificate with its fingerprint reported (a device seen for the first
// time). Transport failures become HttpError with a kind each caller words in its own terms;
// HTTP statuses are never errors here.
//
// axios is loaded at the first request, not at start: the host and `--help` never need it.
import type { AxiosResponse, AxiosStatic } from 'axios'
import http from 'node:http'
import https from 'node:https'
import tls from 'node:tls'

export type NetErrorKind = 'refused' | 'timeout' | 'reset' | 'unreachable' | 'too-large' | 'tls' | 'pin-mismatch' | 'cancelled' | 'other'

export class HttpError extends Error {
  constructor(
    readonly kind: NetErrorKind,
    message: string,
    readonly fingerprint?: string,
    /** The system's code (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED…), when there was one. */
    readonly code?: string,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export interface PinPolicy {
  /** Pinned fingerprint (AA:BB:… SHA-256), or '' when none yet. */
  pinned: string
  /** Called with a first-seen fingerprint (trust on first use) or a changed one; return true to accept. */
  decide(fingerprint: string, previous: string): boolean
}

/** How an HTTPS peer is trusted: the system's CAs, any certificate (its fingerprint reported), or a pin. */
export type Trust = 'system' | 'any' | PinPolicy

export interface HttpOptions {
  method?: string
  headers?: Record<string, string>
  body?: Buffer | Uint8Array | string
  /** Idle timeout for connecting and for each read (default 4 s). */
  timeoutMs?: number
  /** Hard limit for the whole exchange (default 3 × timeoutMs). */
  totalMs?: number
  /** Largest reply body accepted, after decompression (default 2 MiB). */
  maxBytes?: number
  /** Largest request body (default 64 MiB). */
  maxBodyBytes?: number
  /** Redirects followed (default 0: a 3xx is returned as the reply). */
  maxRedirects?: number
  signal?: AbortSignal
  /** Default 'system'. */
  trust?: Trust
  /** Source address (the chosen interface). */
  localAddress?: string
  /** How messages name the peer (default host:port of the URL). */
  where?: string
}

export interface HttpReply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  /** Certificate fingerprint of an HTTPS peer ('' over plain HTTP). */
  fingerprint: string
}

let axiosLoad: Promise<AxiosStatic> | undefined
const loadAxios = () => (axiosLoad ??= import('axios').then((m) => m.default))

const plainAgents = new Map<string, http.Agent>()
function plainAgent(localAddress?: string): http.Agent {
  const k = localAddress ?? ''
  let a = plainAgents.get(k)
  if (!a) {
    a = new http.Agent({ keepAlive: false, localAddress })
    plainAgents.set(k, a)
  }
  return a
}

/** An agent that completes the TLS handshake, checks the peer per its Trust, and only then hands the socket to HTTP. */
class TrustingAgent extends https.Agent {
  lastFingerprint = ''
  constructor(
    private readonly trust: Trust,
    private readonly localAddress: string | undefined,
  ) {
    super({ keepAlive: false })
  }
  // Node's Agent accepts an asynchronous createConnection (callback, no return value).
  // @ts-expect-error the typings only describe the synchronous form
  override createConnection(options: tls.ConnectionOptions, cb?: (err: Error | null, s?: tls.TLSSocket) => void): undefined {
    let called = false
    const done = (err: Error | null, s?: tls.TLSSocket) => {
      if (called) return
      called = true
      cb?.(err, s)
    }
    const pin = typeof this.trust === 'object' ? this.trust : undefined
    const sock = tls.connect({
      ...options,
      // 'system' keeps Node's default: the chain and the name are checked against the CAs.
      ...(this.trust === 'system' ? {} : { rejectUnauthorized: false }),
      ...(this.localAddress ? { localAddress: this.localAddress } : {}),
    } as tls.ConnectionOptions)
    sock.once('secureConnect', () => {
      const fp = sock.getPeerCertificate()?.fingerprint256 ?? ''
      this.lastFingerprint = fp
      const pinned = pin?.pinned ?? ''
      if (pin && fp !== pinned && !pin.decide(fp, pinned)) {
        sock.destroy()
        done(new HttpError('pin-mismatch', pinned ? 'The device presented a different HTTPS certificate than the one pinned for it.' : 'The HTTPS certificate was not accepted.', fp))
        return
      }
      done(null, sock)
    })
    sock.once('error', (e) => done(e))
    return undefined
  }
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN'])

/** A transport failure as an HttpError naming `where`. */
export function classifyError(e: unknown, where: string): HttpError {
  if (e instanceof HttpError) return e
  // axios wraps errors raised while connecting (our pin check) and keeps them as `cause`.
  if ((e as { cause?: unknown })?.cause instanceof HttpError) return (e as { cause: HttpError }).cause
  const err = e as { code?: string; message?: string; cause?: unknown }
  const cause = err.cause as { code?: string } | undefined
  const code = String(err.code ?? cause?.code ?? '')
  const msg = err.message ?? String(e)
  const sys = code || undefined
  if (code === 'ERR_CANCELED' || code === 'ABORT_ERR') return new HttpError('cancelled', `Request to ${where} cancelled.`, undefined, sys)
  if (code === 'ECONNREFUSED') return new HttpError('refused', `${where} refused the connection (port closed).`, undefined, sys)
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(msg)) return new HttpError('timeout', `${where} did not answer in time.`, undefined, sys)
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up|aborted/i.test(msg)) return new HttpError('reset', `${where} dropped the connection mid-reply.`, undefined, sys)
  if (UNREACHABLE.has(code)) return new HttpError('unreachable', `${where} is not reachable from this interface (${code}).`, undefined, sys)
  if (/maxContentLength|content length/i.test(msg)) return new HttpError('too-large', `${where} sent a reply larger than allowed.`, undefined, sys)
  if (/ssl|tls|cert|EPROTO/i.test(`${code} ${msg}`)) return new HttpError('tls', `TLS with ${where} failed: ${msg}`, undefined, sys)
  return new HttpError('other', `${where}: ${msg}`, undefined, sys)
}

/** A failure in a few words without the peer, for a caller's own sentence ("Nothing answered at X (…)"). */
export function failureReason(e: unknown): string {
  if (!(e instanceof HttpError)) return (e as Error)?.message ?? String(e)
  switch (e.kind) {
    case 'refused':
      return 'connection refused'
    case 'timeout':
      return 'no answer in time'
    case 'reset':
      return 'connection dropped'
    case 'unreachable':
      return `not reachable: ${e.code ?? 'no route'}`
    case 'too-large':
      return 'reply larger than allowed'
    case 'cancelled':
      return 'cancelled'
    default:
      return e.code ? `${e.code}: ${e.message}` : e.message
  }
}

/** The peer as messages name it: host:port, the port written out. */
function whereOf(u: URL): string {
  return `${u.hostname.replace(/^\[|\]$/g, '')}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`
}

/** One HTTP exchange. Never throws for HTTP statuses; throws HttpError for transport failures. */
export async function httpRequest(url: string | URL, o: HttpOptions = {}): Promise<HttpReply> {
  const u = typeof url === 'string' ? new URL(url) : url
  const where = o.where ?? whereOf(u)
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new HttpError('other', `${where}: only http and https addresses are supported.`)
  const timeout = o.timeoutMs ?? 4000
  const total = AbortSignal.timeout(o.totalMs ?? timeout * 3)
  const signal = o.signal ? AbortSignal.any([o.signal, total]) : total
  const secure = u.protocol === 'https:'
  const agent = secure ? new TrustingAgent(o.trust ?? 'system', o.localAddress) : undefined
  let res: AxiosResponse<ArrayBuffer>
  try {
    const axios = await loadAxios()
    res = await axios.request<ArrayBuffer>({
      url: u.href,
      method: o.method ?? 'GET',
      headers: { 'User-Agent': 'SupportConsole/0.1', ...o.headers },
      // A Buffer goes out as it is: axios would re-encode a string it takes for JSON.
      data: o.body === undefined ? undefined : typeof o.body === 'string' ? Buffer.from(o.body) : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body.buffer, o.body.byteOffset, o.body.byteLength),
      timeout,
      signal,
      maxContentLength: o.maxBytes ?? 2 * 1024 * 1024,
      maxBodyLength: o.maxBodyBytes ?? 64 * 1024 * 1024,
      maxRedirects: o.maxRedirects ?? 0,
      decompress: true,
      responseType: 'arraybuffer',
      validateStatus: () => true,
      proxy: false,
      adapter: 'http',
      httpAgent: secure ? undefined : plainAgent(o.localAddress),
      httpsAgent: agent,
      transitional: { clarifyTimeoutError: true },
    })
  } catch (e) {
    if (total.aborted && !o.signal?.aborted) throw new HttpError('timeout', `${where} did not finish its reply in time.`)
    throw classifyError(e, where)
  }
  return {
    status: res.status,
    headers: res.headers as Record<string, string | string[] | undefined>,
    body: Buffer.from(res.data ?? new ArrayBuffer(0)),
    fingerprint: agent?.lastFingerprint ?? '',
  }
}

/** All values of a header, whether Node joined repeats or not (WWW-Authenticate may come twice). */
export function headerValues(h: HttpReply['headers'], name: string): string[] {
  const v = h[name.toLowerCase()]
  if (v === undefined) return []
  return Array.isArray(v) ? v : [v]
}

/** A header's value (repeats joined with ", "), or null. */
export function headerValue(h: HttpReply['headers'], name: string): string | null {
  const v = headerValues(h, name)
  return v.length ? v.join(', ') : null
}
