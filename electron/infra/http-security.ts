// Rules the loopback host applies before any request reaches the API. A page on another
// site can make the browser send requests to 127.0.0.1 (CSRF), and a DNS name that
// resolves to 127.0.0.1 can make them look same-origin (DNS rebinding): the Host and
// Origin checks close both; the token (and the session the page trades it for, sent as a
// header, never a cookie) keeps other local users and programs out.
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]']

export function isLoopbackAddress(addr: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(addr) || addr === '::1' || addr === 'localhost'
}

export function allowedHosts(port: number): Set<string> {
  return new Set(LOOPBACK_HOSTS.map((h) => `${h}:${port}`))
}

export function allowedOrigins(port: number): Set<string> {
  return new Set(LOOPBACK_HOSTS.map((h) => `http://${h}:${port}`))
}

export type Verdict = { ok: true } | { ok: false; status: number; message: string }

/** Host and Origin checks, independent of authentication. */
export function checkHostAndOrigin(req: IncomingMessage, port: number): Verdict {
  const host = (req.headers.host ?? '').toLowerCase()
  if (!allowedHosts(port).has(host)) {
    return { ok: false, status: 421, message: `Host "${host.slice(0, 100)}" is not allowed: the console answers only on 127.0.0.1:${port}.` }
  }
  const origin = req.headers.origin
  if (origin !== undefined && !allowedOrigins(port).has(origin.toLowerCase())) {
    return { ok: false, status: 403, message: `Cross-site request from "${origin.slice(0, 100)}" refused.` }
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') {
    return { ok: false, status: 403, message: 'Cross-site request refused.' }
  }
  return { ok: true }
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Served with every HTML page of the browser host; the Electron shell sets the same policy. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')
