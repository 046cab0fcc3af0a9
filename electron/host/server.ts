import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AppError, type ApiError } from '../../shared/contract/common'
import type { Dispatch } from '../core/api'
import type { EventBus } from '../infra/events'
import { checkHostAndOrigin, CONTENT_SECURITY_POLICY, isLoopbackAddress, safeEqual } from '../infra/http-security'
import { DEFAULT_SESSION_IDLE_MS, INPUT_IDLE_HEADER, SESSION_HEADER, SessionStore } from './sessions'
import { readStatic } from '../infra/static-files'
import { firstReads } from './first-reads'

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
  /** A browser session ends after this long without the agent's input (default 12 h). */
  sessionIdleMs?: number
  /** Keep-alive of the event stream, which also ends a stream whose session ended (default 15 s). */
  streamPingMs?: number
}

export interface RunningHost {
  server: Server
  port: number
  address: string
  token: string
  /** The URL to open: the token rides in the fragment (never sent to a server); the page trades it for a session. */
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

/** A JSON request body, or undefined once an error was answered. */
async function jsonBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<unknown> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
    fail(res, 415, 'VALIDATION', 'API calls take a JSON body (content-type: application/json).')
    return undefined
  }
  try {
    const body = await readBody(req, limit)
    return body.length ? (JSON.parse(body.toString('utf8')) as unknown) : {}
  } catch (e) {
    fail(res, 400, e instanceof AppError ? e.code : 'VALIDATION', e instanceof AppError ? e.message : 'The request body is not valid JSON.')
    return undefined
  }
}

/** Server-sent events; the stream ends when its session does (checked with every ping). */
function stream(req: IncomingMessage, res: ServerResponse, bus: EventBus, pingMs: number, stillAllowed: () => boolean): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
  res.write(': connected\n\n')
  const off = bus.subscribe((name, payload) => res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`))
  const ping = setInterval(() => (stillAllowed() ? res.write(': ping\n\n') : res.end()), pingMs)
  req.on('close', () => {
    off()
    clearInterval(ping)
  })
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL, rendererDir: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'VALIDATION', 'Method not allowed.')
  // Anything that is not a file is a client-side route: serve the app shell.
  const file = (url.pathname !== '/' && (await readStatic(rendererDir, url.pathname))) || (await readStatic(rendererDir, '/index.html'))
  if (!file) return sendHtml(res, 500, 'The console UI is not built. Run "npm run build:renderer" (npm start does it for you).')
  const headers: Record<string, string> = { 'content-type': file.type, 'x-content-type-options': 'nosniff' }
  if (file.type.startsWith('text/html')) Object.assign(headers, { 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-store', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' })
  else headers['cache-control'] = url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'
  res.writeHead(200, headers)
  res.end(req.method === 'HEAD' ? undefined : file.body)
}

/** How the host answers a request without a valid session (the page shows it in plain words). */
const NO_SESSION = {
  token: { message: 'Wrong token. Use the token printed by "support-console serve" (or its --token).', key: 'sessionMissing' },
  missing: { message: 'No console session. Open the console with the link printed by "npm start" or "support-console serve".', key: 'sessionMissing' },
  ended: { message: 'This console session has ended (it was idle too long, or the console was restarted). Open the console again with the link printed by "npm start" or "support-console serve".', key: 'sessionEnded' },
} as const

/** The loopback HTTP host: the same contract as Electron IPC, for the console in a browser. */
export async function startHost(o: HostOptions): Promise<RunningHost> {
  const address = o.address ?? '127.0.0.1'
  if (!isLoopbackAddress(address)) throw new AppError('FORBIDDEN', `The browser host binds loopback addresses only (asked for ${address}).`, { key: 'host.loopbackOnly', values: { address } })
  const token = o.token ?? randomBytes(24).toString('base64url')
  // In memory only: a restarted host knows none of the sessions of the one before.
  const sessions = new SessionStore(o.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS)
  const maxBody = o.maxBodyBytes ?? 64 * 1024 * 1024
  const pingMs = o.streamPingMs ?? 15_000
  let port = 0

  /**
   * Who is calling: a program with the start token as a bearer token, or a page with its
   * session header. Cookies are never read: a browser sends them to every port of 127.0.0.1.
   */
  const caller = (req: IncomingMessage): { ok: true; session?: string } | { ok: false; reason: keyof typeof NO_SESSION } => {
    const auth = req.headers.authorization
    if (auth?.startsWith('Bearer ') && safeEqual(auth.slice(7), token)) return { ok: true }
    const header = req.headers[SESSION_HEADER]
    const idle = req.headers[INPUT_IDLE_HEADER]
    const r = sessions.use(typeof header === 'string' ? header : undefined, typeof idle === 'string' ? Number(idle) : undefined)
    if (r.ok) return { ok: true, session: r.id }
    return { ok: false, reason: r.reason === 'missing' && auth ? 'token' : r.reason }
  }
  const refuse = (res: ServerResponse, reason: keyof typeof NO_SESSION) =>
    sendJson(res, 401, { ok: false, error: { code: 'UNAUTHORIZED', ...NO_SESSION[reason] } })

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const verdict = checkHostAndOrigin(req, port)
    if (!verdict.ok) return fail(res, verdict.status, 'UNAUTHORIZED', verdict.message)
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)

    if (url.pathname === '/healthz') return sendJson(res, 200, { ok: true })

    // Old links (/?token=…) still work: the token moves to the fragment, which the page trades
    // for a session; always to the console's own root (issue 13: "/.//evil.example?token=…"
    // once answered "Location: //evil.example", a redirect to another site with a valid token).
    const given = url.searchParams.get('token')
    if (req.method === 'GET' && given !== null) {
      if (!safeEqual(given, token)) return sendHtml(res, 401, 'This link is not valid for the running console. Use the URL printed in the terminal where it was started.')
      res.writeHead(302, { location: `/#token=${encodeURIComponent(token)}`, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' })
      return res.end()
    }

    // Token exchange: the page POSTs the token from its address fragment once and keeps the
    // session it gets in sessionStorage. A browser page always sends Origin with a POST, and
    // checkHostAndOrigin accepted only the console's own.
    if (url.pathname === '/api/session') {
      if (req.method !== 'POST') return fail(res, 405, 'VALIDATION', 'Use POST to open a session.')
      if (!req.headers.origin) return fail(res, 403, 'UNAUTHORIZED', 'Opening a session needs the Origin header of the console page.')
      const input = await jsonBody(req, res, maxBody)
      if (input === undefined) return
      const t = (input as { token?: unknown } | null)?.token
      if (typeof t !== 'string' || !safeEqual(t, token)) {
        return sendJson(res, 401, { ok: false, error: { code: 'UNAUTHORIZED', message: 'This link is not valid for the running console. Use the URL printed in the terminal where it was started.', key: 'startLinkInvalid' } })
      }
      const session = sessions.open()
      // The first screen's reads ride along, so the page needs no second round trip before it
      // can show them: each dispatched exactly as POST /api/rpc/<method> would be.
      const reads = await firstReads((input as { reads?: unknown }).reads, (method, args) => o.dispatch(method, args, { transport: 'http' }))
      return sendJson(res, 200, { ok: true, value: reads ? { session, reads } : { session } })
    }

    // The app shell and its files carry no data: served to anyone on this Host, so a page can
    // load and then authenticate its API calls with the session header.
    if (!url.pathname.startsWith('/api/')) return serveStatic(req, res, url, o.rendererDir)

    if (url.pathname === '/api/events' && req.method === 'GET') {
      // EventSource cannot send headers: each connection spends a single-use ticket.
      const ticket = url.searchParams.get('ticket')
      if (ticket !== null) {
        const session = sessions.redeem(ticket)
        if (!session) return fail(res, 401, 'UNAUTHORIZED', 'This event-stream ticket is not valid (used already, expired or unknown). Ask for a new one.')
        return stream(req, res, o.bus, pingMs, () => sessions.alive(session))
      }
      const who = caller(req)
      if (!who.ok) return refuse(res, who.reason)
      const session = who.session
      return stream(req, res, o.bus, pingMs, session ? () => sessions.alive(session) : () => true)
    }

    const who = caller(req)
    if (!who.ok) return refuse(res, who.reason)

    if (url.pathname === '/api/events/ticket') {
      if (req.method !== 'POST') return fail(res, 405, 'VALIDATION', 'Use POST for a stream ticket.')
      if (!who.session) return fail(res, 400, 'VALIDATION', 'Stream tickets are for browser sessions; a program reads /api/events with its bearer token.')
      return sendJson(res, 200, { ok: true, value: { ticket: sessions.streamTicket(who.session) } })
    }

    if (url.pathname.startsWith('/api/rpc/')) {
      if (req.method !== 'POST') return fail(res, 405, 'VALIDATION', 'Use POST for API calls.')
      // A browser page always sends Origin with a POST; a request without one must be a
      // program using the bearer token.
      if (!req.headers.origin && !req.headers.authorization) return fail(res, 403, 'UNAUTHORIZED', 'API calls need an Origin header or a bearer token.')
      const input = await jsonBody(req, res, maxBody)
      if (input === undefined) return
      let method: string
      try {
        method = decodeURIComponent(url.pathname.slice('/api/rpc/'.length))
      } catch {
        return fail(res, 404, 'UNKNOWN_METHOD', 'The method name in the address is not valid.') // malformed %-escape
      }
      const result = await o.dispatch(method, input, { transport: 'http' })
      return sendJson(res, result.ok ? 200 : STATUS[result.error.code], result)
    }

    return fail(res, 404, 'NOT_FOUND', 'No such API address.')
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
    url: `http://${address}:${port}/#token=${token}`,
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
          key: code === 'EADDRINUSE' ? 'host.portTaken' : 'host.cannotListen', values: { port: p, address, detail: (e as Error).message },
        })
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
