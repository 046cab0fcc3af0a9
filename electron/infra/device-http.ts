// Device traffic over the console's one HTTP client (electron/infra/http-client.ts): the
// chosen interface as the source address, short timeouts, a 2 MiB reply limit, and HTTPS
// certificates checked against the device's pinned SHA-256 fingerprint before any byte of
// the request (and so any credential) is written; with no pin yet, any certificate is
// accepted and its fingerprint reported (trust on first use happens in the caller).
import { HttpError, httpRequest, type HttpReply, type PinPolicy } from './http-client'

export { headerValues, type NetErrorKind, type PinPolicy } from './http-client'
/** Device transport failures are the client's HttpError (kind, message, fingerprint). */
export { HttpError as DeviceHttpError }

export interface HttpTarget {
  host: string
  port: number
  tls: boolean
  /** Source address (the chosen interface). */
  localAddress?: string
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

export type DeviceReply = HttpReply

/** One HTTP exchange with a device. Never throws for HTTP statuses; throws DeviceHttpError for transport failures. */
export async function deviceRequest(target: HttpTarget, o: RequestOptions): Promise<DeviceReply> {
  const hostPart = target.host.includes(':') ? `[${target.host}]` : target.host
  return httpRequest(`${target.tls ? 'https' : 'http'}://${hostPart}:${target.port}${o.path}`, {
    method: o.method,
    headers: { Connection: 'close', ...o.headers },
    body: o.body,
    timeoutMs: o.timeoutMs,
    totalMs: o.totalMs,
    maxBytes: o.maxBytes ?? 2 * 1024 * 1024,
    signal: o.signal,
    trust: o.pin ?? 'any',
    localAddress: target.localAddress,
    where: `${target.host}:${target.port}`,
  })
}
