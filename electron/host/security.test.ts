// Thorough checks of the loopback host against the two browser attacks that matter for a
// console on 127.0.0.1: DNS rebinding (a hostile name resolving to 127.0.0.1, so the page
// looks same-origin) and cross-site requests (CSRF). The session is a header the page sends
// (issue 13, finding 4), so there is no cookie for a cross-site request to ride on.
import { request } from 'node:http'
import { connect } from 'node:net'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { startBrowserConsole, type BrowserConsole } from './browser-host'

let c: BrowserConsole
let port: number
let session: string
const TOKEN = 'sec-token-0123456789'

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }
function send(path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...o.headers } }, (res) => {
      let body = ''
      res.on('data', (x) => (body += x))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end(o.body)
  })
}
const good = () => ({ origin: `http://127.0.0.1:${port}`, 'x-console-session': session, 'content-type': 'application/json' })
const rpc = (headers: Record<string, string>, method = 'tickets.create', body = '{"customerName":"Mallory"}') => send(`/api/rpc/${method}`, { method: 'POST', headers, body })
const ticketCount = () => c.app.db.prepare('SELECT count(*) FROM tickets').pluck().get() as number

beforeAll(async () => {
  const rendererDir = tempDir('sc-ui-')
  mkdirSync(join(rendererDir, 'assets'))
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>ui</title>')
  c = await startBrowserConsole({ dataDir: tempDir(), port: 0, rendererDir, token: TOKEN })
  port = c.host.port
  const login = await send('/api/session', { method: 'POST', headers: { origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKEN }) })
  session = (JSON.parse(login.body) as { value: { session: string } }).value.session
})
afterAll(async () => c?.close())

describe('DNS rebinding: only the loopback names of this port are served', () => {
  const hostile = (p: number) => [
    `evil.example:${p}`, 'evil.example', `127.0.0.1`, `127.0.0.1:${p + 1}`, `localhost.evil.example:${p}`, `127.0.0.1.nip.io:${p}`,
    `0.0.0.0:${p}`, `[::ffff:127.0.0.1]:${p}`, `127.1:${p}`, `2130706433:${p}`, `0x7f000001:${p}`, `127.0.0.2:${p}`, `localhost:${p}.evil.example`,
    `127.0.0.1:${p}@evil.example`, `127.0.0.1:0${p}`, `127.0.0.1:${p}.`, `localhost.:${p}`,
  ]
  it('refuses every rebinding-style Host, for pages, API calls and events, even with valid credentials', async () => {
    const before = ticketCount()
    for (const h of hostile(port)) {
      for (const [path, method] of [['/', 'GET'], ['/api/rpc/tickets.create', 'POST'], ['/api/events', 'GET'], [`/?token=${TOKEN}`, 'GET']] as const) {
        const r = await send(path, { method, headers: { ...good(), host: h, authorization: `Bearer ${TOKEN}` }, body: method === 'POST' ? '{"customerName":"Rebound"}' : undefined })
        expect([421, 400], `${method} ${path} with Host "${h}" answered ${r.status}`).toContain(r.status)
        expect(r.headers['set-cookie'], `Host "${h}" got a cookie`).toBeUndefined()
        expect(r.body, `Host "${h}" got a session`).not.toMatch(/"session"/)
      }
    }
    expect(ticketCount()).toBe(before)
  })

  it('refuses a request with no Host header at all', async () => {
    const raw = await new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.0\r\n\r\n'))
      let b = ''
      s.on('data', (x) => (b += x))
      s.on('end', () => resolve(b))
      s.on('error', () => resolve(b))
    })
    expect(raw).toMatch(/^HTTP\/1\.[01] (421|400)/)
  })

  it('serves the allowed names of this port', async () => {
    for (const h of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await send('/healthz', { headers: { host: h } })).status, h).toBe(200)
    }
  })
})

describe('cross-site requests cannot use the session', () => {
  it('refuses foreign, null, other-port and other-scheme Origins on API calls', async () => {
    const before = ticketCount()
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${port + 1}`, `https://127.0.0.1:${port}`, `http://127.0.0.1:${port}.evil.example`, `http://localhost.evil.example:${port}`, `http://127.0.0.1`, 'file://', `http://[::1]:${port + 1}`]) {
      const r = await rpc({ ...good(), origin })
      expect(r.status, origin).toBe(403)
      expect(r.headers['access-control-allow-origin']).toBeUndefined()
    }
    expect(ticketCount()).toBe(before)
  })

  it('refuses Sec-Fetch-Site cross-site even when Origin is missing or spoofed by an old browser', async () => {
    for (const h of [{ ...good(), 'sec-fetch-site': 'cross-site' }, { 'x-console-session': session, 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }]) {
      expect((await rpc(h)).status).toBe(403)
    }
  })

  it('refuses the forms a page can send without a preflight (text/plain, urlencoded, multipart)', async () => {
    const before = ticketCount()
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await rpc({ ...good(), 'content-type': ct })
      expect([403, 415], ct).toContain(r.status)
    }
    // A session without Origin (an old browser or a non-browser client) is not enough either.
    expect((await rpc({ 'x-console-session': session, 'content-type': 'application/json' })).status).toBe(403)
    expect(ticketCount()).toBe(before)
  })

  it('answers a CORS preflight without granting anything', async () => {
    const r = await send('/api/rpc/tickets.create', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
    expect(r.status).toBeGreaterThanOrEqual(400)
    expect(r.headers['access-control-allow-origin']).toBeUndefined()
    expect(r.headers['access-control-allow-credentials']).toBeUndefined()
  })

  it('does not call methods with GET (links and images cannot act)', async () => {
    const r = await send('/api/rpc/tickets.create', { headers: { 'x-console-session': session } })
    expect(r.status).toBe(405)
  })

  it('refuses the event stream to a foreign Origin and without a session', async () => {
    expect((await send('/api/events', { headers: { origin: 'http://evil.example', 'x-console-session': session } })).status).toBe(403)
    expect((await send('/api/events')).status).toBe(401)
  })

  it('the token in a query string does not authenticate API calls, and near-miss tokens fail', async () => {
    const h = { origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json' }
    expect((await send(`/api/rpc/system.info?token=${TOKEN}`, { method: 'POST', headers: h, body: '{}' })).status).toBe(401)
    for (const t of [TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase(), '', ' ' + TOKEN]) {
      expect((await rpc({ ...h, authorization: `Bearer ${t}` }, 'system.info', '{}')).status, t).toBe(401)
      expect((await send(`/?token=${encodeURIComponent(t)}`)).status, t).toBe(401)
      expect((await send('/api/session', { method: 'POST', headers: h, body: JSON.stringify({ token: t }) })).status, t).toBe(401)
    }
    expect((await rpc({ ...h, 'x-console-session': 'forged' }, 'system.info', '{}')).status).toBe(401)
    expect((await rpc({ ...h, 'x-console-session': session.slice(0, -1) }, 'system.info', '{}')).status).toBe(401)
  })

  it('a same-origin page with its session works (the checks are not just refusing everything)', async () => {
    const before = ticketCount()
    const r = await rpc({ ...good(), 'sec-fetch-site': 'same-origin' })
    expect(r.status).toBe(200)
    expect(ticketCount()).toBe(before + 1)
  })

  it('pages cannot be framed and do not send a Referer', async () => {
    const page = await send('/')
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(String(page.headers['content-security-policy'])).toMatch(/frame-ancestors 'none'/)
    expect(page.headers['referrer-policy']).toBe('no-referrer')
  })
})

describe('the token exchange redirects only to the console itself (issue 13, finding 10)', () => {
  it('"/.//evil.example?token=…" and friends redirect to "/" (token in the fragment), never to another site', async () => {
    for (const path of [`/.//evil.example?token=${TOKEN}`, `//evil.example/?token=${TOKEN}`, `/\\evil.example?token=${TOKEN}`, `/%2F%2Fevil.example?token=${TOKEN}`, `/tickets/5?token=${TOKEN}`]) {
      const r = await send(path)
      expect([path, r.status, r.headers.location, r.headers['set-cookie']]).toEqual([path, 302, `/#token=${TOKEN}`, undefined])
    }
  })
})
