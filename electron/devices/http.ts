// The one HTTP client for device traffic (axios): explicit timeouts (idle and total), a
// reply size limit, the chosen interface as the source address, and HTTPS certificates
// checked against a pinned SHA-256 fingerprint BEFORE any byte of the request (and so any
// credential) is written. Device errors become DeviceHttpError with an agent-readable kind.
import axios, { type AxiosResponse } from 'axios'
import http from 'node:http'
import https from 'node:https'
import tls from 'node:tls'

export type NetErrorKind = 'refused' | 'timeout' | 'reset' | 'unreachable' | 'too-large' | 'tls' | 'pin-mismatch' | 'cancelled' | 'other'

export class DeviceHttpError extends Error {
  constructor(
    readonly kind: NetErrorKind,
    message: string,
    readonly fingerprint?: string,
  ) {
    super(message)
    this.name = 'DeviceHttpError'
  }
}

export interface HttpTarget {
  host: string
  port: number
  tls: boolean
  /** Source address (the chosen interface). */
  localAddress?: string
}

export interface PinPolicy {
  /** Pinned fingerprint (AA:BB:… SHA-256), or '' when none yet. */
  pinned: string
  /** Called with a first-seen fingerprint (trust on first use) or a changed one; return true to accept. */
  decide(fingerprint: string, previous: string): boolean
}

export interface RequestOptions {
  method?: string
  path: string
  headers?: Record<string, string>
  body?: Buffer | string
  /** Idle timeout for connect and each read (default 4 s). */
  timeoutMs?: number
  /** Hard limit for the whole exchange (default 3 × timeoutMs). */
  totalMs?: number
  maxBytes?: number
  signal?: AbortSignal
  pin?: PinPolicy
}

export interface DeviceReply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  /** Certificate fingerprint of an HTTPS peer. */
  fingerprint: string
}

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

/** An agent that completes the TLS handshake, checks the peer's fingerprint, and only then hands the socket to HTTP. */
class PinningAgent extends https.Agent {
  lastFingerprint = ''
  constructor(
    private readonly pin: PinPolicy | undefined,
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
    const sock = tls.connect({ ...options, rejectUnauthorized: false, ...(this.localAddress ? { localAddress: this.localAddress } : {}) } as tls.ConnectionOptions)
    sock.once('secureConnect', () => {
      const fp = sock.getPeerCertificate()?.fingerprint256 ?? ''
      this.lastFingerprint = fp
      const pinned = this.pin?.pinned ?? ''
      if (this.pin && fp !== pinned && !this.pin.decide(fp, pinned)) {
        sock.destroy()
        done(new DeviceHttpError('pin-mismatch', pinned ? 'The device presented a different HTTPS certificate than the one pinned for it.' : 'The HTTPS certificate was not accepted.', fp))
        return
      }
      done(null, sock)
    })
    sock.once('error', (e) => done(e))
    return undefined
  }
}

function classify(e: unknown, target: HttpTarget): DeviceHttpError {
  if (e instanceof DeviceHttpError) return e
  // axios wraps errors raised while connecting (our pin check) and keeps them as `cause`.
  if ((e as { cause?: unknown })?.cause instanceof DeviceHttpError) return (e as { cause: DeviceHttpError }).cause
  const err = e as { code?: string; message?: string; cause?: unknown }
  const cause = err.cause as { code?: string } | undefined
  const code = String(err.code ?? cause?.code ?? '')
  const where = `${target.host}:${target.port}`
  if (code === 'ERR_CANCELED' || code === 'ABORT_ERR') return new DeviceHttpError('cancelled', `Request to ${where} cancelled.`)
  if (code === 'ECONNREFUSED') return new DeviceHttpError('refused', `${where} refused the connection (port closed).`)
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(err.message ?? '')) return new DeviceHttpError('timeout', `${where} did not answer in time.`)
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up|aborted/i.test(err.message ?? '')) return new DeviceHttpError('reset', `${where} dropped the connection mid-reply.`)
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL' || code === 'EHOSTDOWN') return new DeviceHttpError('unreachable', `${where} is not reachable from this interface (${code}).`)
  if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/i.test(err.message ?? '')) return new DeviceHttpError('too-large', `${where} sent a reply larger than allowed.`)
  if (/maxContentLength|content length/i.test(err.message ?? '')) return new DeviceHttpError('too-large', `${where} sent a reply larger than allowed.`)
  if (/ssl|tls|certificate|EPROTO/i.test(`${code} ${err.message}`)) return new DeviceHttpError('tls', `TLS with ${where} failed: ${err.message}`)
  return new DeviceHttpError('other', `${where}: ${err.message ?? String(e)}`)
}

/** One HTTP exchange with a device. Never throws for HTTP statuses; throws DeviceHttpError for transport failures. */
export async function deviceRequest(target: HttpTarget, o: RequestOptions): Promise<DeviceReply> {
  const timeout = o.timeoutMs ?? 4000
  const total = AbortSignal.timeout(o.totalMs ?? timeout * 3)
  const signal = o.signal ? AbortSignal.any([o.signal, total]) : total
  const pinAgent = target.tls ? new PinningAgent(o.pin, target.localAddress) : undefined
  const hostPart = target.host.includes(':') ? `[${target.host}]` : target.host
  let res: AxiosResponse<ArrayBuffer>
  try {
    res = await axios.request<ArrayBuffer>({
      url: `${target.tls ? 'https' : 'http'}://${hostPart}:${target.port}${o.path}`,
      method: o.method ?? 'GET',
      headers: { 'User-Agent': 'SupportConsole/0.1', Connection: 'close', ...o.headers },
      data: o.body,
      timeout,
      signal,
      maxContentLength: o.maxBytes ?? 2 * 1024 * 1024,
      maxBodyLength: 64 * 1024 * 1024,
      maxRedirects: 0,
      decompress: true,
      responseType: 'arraybuffer',
      validateStatus: () => true,
      proxy: false,
      httpAgent: target.tls ? undefined : plainAgent(target.localAddress),
      httpsAgent: pinAgent,
      transitional: { clarifyTimeoutError: true },
    })
  } catch (e) {
    if (total.aborted && !o.signal?.aborted) throw new DeviceHttpError('timeout', `${target.host}:${target.port} did not finish its reply in time.`)
    throw classify(e, target)
  }
  return {
    status: res.status,
    headers: res.headers as Record<string, string | string[] | undefined>,
    body: Buffer.from(res.data ?? new ArrayBuffer(0)),
    fingerprint: pinAgent?.lastFingerprint ?? '',
  }
}

/** All values of a header, whether Node joined repeats or not (WWW-Authenticate may come twice). */
export function headerValues(h: DeviceReply['headers'], name: string): string[] {
  const v = h[name.toLowerCase()]
  if (v === undefined) return []
  return Array.isArray(v) ? v : [v]
}
