import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AppError, type ApiError } from '../../shared/contract/common'
import type { Dispatch } from '../core/api'
import type { EventBus } from '../core/events'
import { checkHostAndOrigin, CONTENT_SECURITY_POLICY, isLoopbackAddress, parseCookies, safeEqual } from './http-security'
import { readStatic } from './static-files'

export interface HostOptions {
  dispatch: Dispatch
  bus: EventBus
  /** Folder of the built renderer (index.html + assets). */
  rendererDir: string
  address?: string
  /** 0 = any free port. */
  port?: number
  /** When the requested port is taken: try the next ones (default port) or fail (explicit port). */
  portFallback?: boolean
  token?: string
  maxBodyBytes?: number
}

export interface RunningHost {
  server: Server
  port: number
  address: string
  token: string
  /** The URL to open: carries the token once; the page trades it for a session cookie. */
  url: string
  close(): Promise<void>
}

const STATUS: Record<ApiError['code'], number> = {
  VALIDATION: 400, BAD_INPUT: 400, UNKNOWN_METHOD: 404, NOT_FOUND: 404, UNAUTHORIZED: 401, FORBIDDEN: 403,
  CONFLICT: 409, LOCKOUT_RISK: 409, STORAGE: 507, DEVICE: 502, UNREACHABLE: 504, INTERNAL: 500,
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
  res.end(text)
}
const fail = (res: ServerResponse, status: number, code: ApiError['code'], message: string) => sendJson(res, status, { ok: false, error: { code, message } })

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of req) {
    size += (c as Buffer).length
    if (size > limit) throw new AppError('BAD_INPUT', `Request larger than ${Math.round(limit / 1048576)} MB refused.`, { key: 'host.tooLarge', values: { mb: Math.round(limit / 1048576) } })
    chunks.push(c as Buffer)
  }
  return Buffer.concat(chunks)
}

/** The loopback HTTP host: the same contract as Electron IPC, for the console in a browser. */
export async function startHost(o: HostOptions): Promise<RunningHost> {
  const address = o.address ?? '127.0.0.1'
  if (!isLoopbackAddress(address)) throw new AppError('FORBIDDEN', `The browser host binds loopback addresses only (asked for ${address}).`, { key: 'host.loopbackOnly', values: { address } })
  const token = o.token ?? randomBytes(24).toString('base64url')
  const sessions = new Set<string>()
  const maxBody = o.maxBodyBytes ?? 64 * 1024 * 1024
  let port = 0
  const cookieName = () => `sc_session_${port}` // cookies ignore ports: keep two consoles apart

  const authed = (req: IncomingMessage): boolean => {
    const auth = req.headers.authorization
    if (auth?.startsWith('Bearer ') && safeEqual(auth.slice(7), token)) return true
    const s = parseCookies(req.headers.cookie)[cookieName()]
    return !!s && sessions.has(s)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const verdict = checkHostAndOrigin(req, port)
    if (!verdict.ok) return fail(res, verdict.status, 'UNAUTHORIZED', verdict.message)
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)

    if (url.pathname === '/healthz') return sendJson(res, 200, { ok: true })

    // Token exchange: /?token=… sets an HttpOnly session cookie and drops the token from the address bar.
    const given = url.searchParams.get('token')
    if (req.method === 'GET' && given !== null) {
      if (!safeEqual(given, token)) return sendHtml(res, 401, 'This link is not valid for the running console. Use the URL printed in the terminal where it was started.')
      const s = randomBytes(24).toString('base64url')
      sessions.add(s)
      // Always to the console's own root (issue 13: "/.//evil.example?token=…" answered
      // "Location: //evil.example", a redirect to another site with a valid token).
      res.writeHead(302, { location: '/', 'set-cookie': `${cookieName()}=${s}; HttpOnly; SameSite=Strict; Path=/`, 'cache-control': 'no-store' })
      return res.end()
    }
    if (!authed(req)) {
      if (url.pathname.startsWith('/api/')) return fail(res, 401, 'UNAUTHORIZED', 'Missing or wrong token. Open the URL printed by "support-console serve".')
      return sendHtml(res, 401, 'Open the console with the URL (including its token) printed in the terminal where it was started.')
    }

    if (url.pathname.startsWith('/api/rpc/')) {
      if (req.method !== 'POST') return fail(res, 405, 'VALIDATION', 'Use POST for API calls.')
      // A browser page always sends Origin with a POST; a request without one must be a
      // program using the bearer token, not a cookie riding along.
      if (!req.headers.origin && !req.headers.authorization) return fail(res, 403, 'UNAUTHORIZED', 'API calls need an Origin header or a bearer token.')
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return fail(res, 415, 'VALIDATION', 'API calls take a JSON body (content-type: application/json).')
      let input: unknown
      try {
        const body = await readBody(req, maxBody)
        input = body.length ? JSON.parse(body.toString('utf8')) : {}
      } catch (e) {
        return fail(res, 400, e instanceof AppError ? e.code : 'VALIDATION', e instanceof AppError ? e.message : 'The request body is not valid JSON.')
      }
      let method: string
      try {
        method = decodeURIComponent(url.pathname.slice('/api/rpc/'.length))
      } catch {
        return fail(res, 404, 'UNKNOWN_METHOD', 'The method name in the address is not valid.') // malformed %-escape
      }
      const result = await o.dispatch(method, input, { transport: 'http' })
      return sendJson(res, result.ok ? 200 : STATUS[result.error.code], result)
    }

    if (url.pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
      res.write(': connected\n\n')
      const off = o.bus.subscribe((name, payload) => res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`))
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000)
      req.on('close', () => {
        off()
        clearInterval(ping)
      })
      return
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'VALIDATION', 'Method not allowed.')
    // Anything that is not a file is a client-side route: serve the app shell.
    const file = (url.pathname !== '/' && (await readStatic(o.rendererDir, url.pathname))) || (await readStatic(o.rendererDir, '/index.html'))
    if (!file) return sendHtml(res, 500, 'The console UI is not built. Run "npm run build:renderer" (npm start does it for you).')
    const headers: Record<string, string> = { 'content-type': file.type, 'x-content-type-options': 'nosniff' }
    if (file.type.startsWith('text/html')) Object.assign(headers, { 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-store', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' })
    else headers['cache-control'] = url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'
    res.writeHead(200, headers)
    res.end(req.method === 'HEAD' ? undefined : file.body)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) fail(res, 500, 'INTERNAL', `Unexpected error: ${(e as Error).message}`)
      else res.destroy()
    })
  })
  server.headersTimeout = 10_000
  server.requestTimeout = 120_000

  port = await listen(server, address, o.port ?? 0, o.portFallback ?? false)
  return {
    server,
    port,
    address,
    token,
    url: `http://${address}:${port}/?token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function listen(server: Server, address: string, wanted: number, fallback: boolean): Promise<number> {
  const attempts = fallback && wanted !== 0 ? [...Array.from({ length: 10 }, (_, i) => wanted + i), 0] : [wanted]
  for (const p of attempts) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(p, address, () => {
          server.off('error', reject)
          resolve()
        })
      })
      return (server.address() as AddressInfo).port
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code !== 'EADDRINUSE' || p === attempts[attempts.length - 1]) {
        throw new AppError('CONFLICT', code === 'EADDRINUSE' ? `Port ${p} on ${address} is already taken (another Support Console or another program).` : `Cannot listen on ${address}:${p}: ${(e as Error).message}`, {
          hint: code === 'EADDRINUSE' ? 'Stop the other program, choose another port with --port N, or use --port 0 for any free port.' : undefined,
 key: code === 'EADDRINUSE' ? 'host.portTaken' : 'host.cannotListen', values: { port: p, address, detail: (e as Error).message },        })
      }
    }
  }
  throw new AppError('CONFLICT', 'No free port found.', { key: 'host.noFreePort' })
}

function sendHtml(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-store' })
  const esc = message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
  res.end(`<!doctype html><meta charset="utf-8"><title>Support Console</title><body><h1>Support Console</h1><p>${esc}</p></body>`)
}
