// Issue 13, finding 4: the browser session must not be a credential the browser sends on its
// own to another local port (cookies ignore ports), must end when idle and when the console
// stops, and the event stream (EventSource cannot send headers) is authorised per connection.
import { request } from 'node:http'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { startBrowserConsole, type BrowserConsole } from './browser-host'
import { startHost } from './server'
import { SessionStore, STREAM_TICKET_MS } from './sessions'

const TOKEN = 'session-token-0123456789'
const open: BrowserConsole[] = []
afterEach(async () => {
  for (const c of open.splice(0)) await c.close()
})

async function start(o: { dataDir?: string; sessionIdleMs?: number } = {}) {
  const rendererDir = tempDir('sc-ui-')
  mkdirSync(join(rendererDir, 'assets'))
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>ui</title>')
  const c = await startBrowserConsole({ dataDir: o.dataDir ?? tempDir(), port: 0, rendererDir, token: TOKEN, sessionIdleMs: o.sessionIdleMs })
  open.push(c)
  return c
}

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }
function send(port: number, path: string, o: { method?: string; headers?: Record<string, string>; body?: string; firstChunkOnly?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...o.headers } }, (res) => {
      let body = ''
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body })
      res.on('data', (x) => {
        body += x
        if (o.firstChunkOnly) {
          done()
          req.destroy()
        }
      })
      res.on('end', done)
    })
    req.on('error', (e) => (String(e).includes('socket hang up') ? undefined : reject(e)))
    req.end(o.body)
  })
}
const json = (port: number) => ({ origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json' })
async function login(port: number): Promise<{ reply: Reply; session: string }> {
  const reply = await send(port, '/api/session', { method: 'POST', headers: json(port), body: JSON.stringify({ token: TOKEN }) })
  const session = reply.status === 200 ? (JSON.parse(reply.body) as { value: { session: string } }).value.session : ''
  return { reply, session }
}
const call = (port: number, headers: Record<string, string>, method = 'tickets.list', body = '{}') => send(port, `/api/rpc/${method}`, { method: 'POST', headers: { ...json(port), ...headers }, body })
const withSession = (s: string) => ({ 'x-console-session': s })
async function ticket(port: number, session: string): Promise<string> {
  const r = await send(port, '/api/events/ticket', { method: 'POST', headers: { ...json(port), ...withSession(session) }, body: '{}' })
  expect(r.status).toBe(200)
  return (JSON.parse(r.body) as { value: { ticket: string } }).value.ticket
}

describe('no credential the browser sends on its own (cookies ignore ports)', () => {
  it('never sends Set-Cookie: not on the start link, the exchange, pages, API calls or events', async () => {
    const { host } = await start()
    const { reply, session } = await login(host.port)
    const replies = [
      reply,
      await send(host.port, `/?token=${TOKEN}`),
      await send(host.port, '/'),
      await send(host.port, '/tickets/1'),
      await call(host.port, withSession(session)),
      await call(host.port, { authorization: `Bearer ${TOKEN}` }),
      await send(host.port, `/api/events?ticket=${await ticket(host.port, session)}`, { firstChunkOnly: true }),
    ]
    for (const r of replies) expect(r.headers['set-cookie']).toBeUndefined()
  })

  it('a request that carries only a cookie (what another local service would receive) is refused', async () => {
    const { host } = await start()
    // Whatever the browser holds after opening the start link, sent the way a browser sends
    // cookies to any port of 127.0.0.1: only as a Cookie header.
    const link = await send(host.port, `/?token=${TOKEN}`)
    const { reply, session } = await login(host.port)
    const given = [link, reply].flatMap((r) => [r.headers['set-cookie'] ?? []].flat()).map((c) => c.split(';')[0])
    const before = (await call(host.port, { authorization: `Bearer ${TOKEN}` }, 'tickets.list')).body
    for (const cookie of [...given, `sc_session_${host.port}=${session}`, `session=${session}`, `x-console-session=${session}`]) {
      const r = await call(host.port, { cookie }, 'tickets.create', '{"customerName":"cookie rider"}')
      expect(r.status, cookie).toBe(401)
      expect((await send(host.port, '/api/events', { headers: { cookie } })).status).toBe(401)
      expect((await send(host.port, '/api/events/ticket', { method: 'POST', headers: { ...json(host.port), cookie }, body: '{}' })).status).toBe(401)
    }
    expect((await call(host.port, { authorization: `Bearer ${TOKEN}` }, 'tickets.list')).body).toBe(before)
  })

  it('the start link carries the token in the fragment, and the exchange checks Origin', async () => {
    const { host } = await start()
    expect(new URL(host.url).search).toBe('')
    expect(new URL(host.url).hash).toBe(`#token=${TOKEN}`)
    const body = JSON.stringify({ token: TOKEN })
    const noOrigin = await send(host.port, '/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(noOrigin.status).toBe(403)
    const foreign = await send(host.port, '/api/session', { method: 'POST', headers: { ...json(host.port), origin: 'http://evil.example' }, body })
    expect(foreign.status).toBe(403)
    const form = await send(host.port, '/api/session', { method: 'POST', headers: { ...json(host.port), 'content-type': 'text/plain' }, body })
    expect(form.status).toBe(415)
    for (const r of [noOrigin, foreign, form]) expect(r.body).not.toMatch(/"session"/)
  })

  it('every tab gets its own session, and each works on its own', async () => {
    const { host } = await start()
    const a = await login(host.port)
    const b = await login(host.port)
    expect(a.session).not.toBe(b.session)
    expect((await call(host.port, withSession(a.session))).status).toBe(200)
    expect((await call(host.port, withSession(b.session))).status).toBe(200)
  })
})

describe("the first screen's reads ride with the session", () => {
  const exchange = (port: number, body: unknown) => send(port, '/api/session', { method: 'POST', headers: json(port), body: JSON.stringify(body) })

  it('are answered as POST /api/rpc would answer them, in order, with the session', async () => {
    const { host } = await start()
    const bearer = { authorization: `Bearer ${TOKEN}` }
    expect((await call(host.port, bearer, 'tickets.create', '{"customerName":"Eva Nováková","externalRef":"ZD-1"}')).status).toBe(200)
    const reads = [{ method: 'tickets.list', input: { search: 'novak', status: 'active', limit: 200 } }, { method: 'tickets.counts', input: {} }, { method: 'tickets.list', input: { limit: 0 } }]
    const r = await exchange(host.port, { token: TOKEN, reads })
    expect(r.status).toBe(200)
    const value = (JSON.parse(r.body) as { value: { session: string; reads: unknown[] } }).value
    const one = JSON.parse((await call(host.port, bearer, 'tickets.list', JSON.stringify(reads[0].input))).body)
    expect(value.reads[0]).toEqual(one)
    expect(value.reads[1]).toMatchObject({ ok: true, value: { open: 1 } })
    // An input the contract refuses is refused on its own, as the call would be.
    expect(value.reads[2]).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    expect((await call(host.port, withSession(value.session))).status).toBe(200)
  })

  it('only reads: a call that changes something is refused, and not made; the session still opens', async () => {
    const { host } = await start()
    const r = await exchange(host.port, { token: TOKEN, reads: [{ method: 'tickets.create', input: { customerName: 'rider' } }, { method: 'system.setAgent', input: { name: 'x' } }] })
    expect(r.status).toBe(200)
    const value = (JSON.parse(r.body) as { value: { session: string; reads: { ok: boolean; error?: { code: string } }[] } }).value
    expect(value.reads.map((x) => x.error?.code)).toEqual(['VALIDATION', 'VALIDATION'])
    const list = JSON.parse((await call(host.port, withSession(value.session))).body) as { value: { total: number } }
    expect(list.value.total).toBe(0)
    // Too many reads at once: refused as a whole, the session opens all the same.
    const many = await exchange(host.port, { token: TOKEN, reads: Array.from({ length: 9 }, () => ({ method: 'tickets.counts', input: {} })) })
    expect(JSON.parse(many.body).value.reads).toEqual([expect.objectContaining({ ok: false })])
  })

  it('nothing is read with a wrong token', async () => {
    const { host } = await start()
    const r = await exchange(host.port, { token: 'wrong-token', reads: [{ method: 'tickets.list', input: {} }] })
    expect(r.status).toBe(401)
    expect(r.body).not.toMatch(/"reads"|"items"/)
  })
})

describe('sessions end', () => {
  it('when the console stops: a restarted host refuses the old session and says it ended', async () => {
    const dataDir = tempDir()
    const first = await start({ dataDir })
    const { session } = await login(first.host.port)
    expect((await call(first.host.port, withSession(session))).status).toBe(200)
    await first.close()
    open.splice(open.indexOf(first), 1)
    const second = await start({ dataDir })
    const r = await call(second.host.port, withSession(session))
    expect(r.status).toBe(401)
    expect(JSON.parse(r.body).error).toMatchObject({ code: 'UNAUTHORIZED', key: 'sessionEnded' })
    expect((await send(second.host.port, '/api/events/ticket', { method: 'POST', headers: { ...json(second.host.port), ...withSession(session) }, body: '{}' })).status).toBe(401)
  })

  it('when idle longer than the setting, with a message saying what to do', async () => {
    const { host } = await start({ sessionIdleMs: 300 })
    const { session } = await login(host.port)
    expect((await call(host.port, withSession(session))).status).toBe(200)
    await new Promise((r) => setTimeout(r, 450))
    const r = await call(host.port, withSession(session))
    expect(r.status).toBe(401)
    const error = JSON.parse(r.body).error
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', key: 'sessionEnded' })
    expect(error.message).toMatch(/npm start/)
    // The start link opens a new one.
    expect((await call(host.port, withSession((await login(host.port)).session))).status).toBe(200)
  })

  it('each call counts as activity; only idle time ends a session (store, with a clock)', () => {
    let now = 0
    const store = new SessionStore(1000, () => now)
    const s = store.open()
    for (let i = 0; i < 5; i++) {
      now += 900
      expect(store.use(s).ok, `call ${i}`).toBe(true)
    }
    now += 1000
    expect(store.use(s)).toEqual({ ok: false, reason: 'ended' })
    expect(store.use(undefined)).toEqual({ ok: false, reason: 'missing' })
    expect(store.size).toBe(0)
  })
})

describe('the event stream is authorised per connection', () => {
  it('refuses a connection without a valid ticket, and a ticket works once', async () => {
    const { host } = await start()
    const { session } = await login(host.port)
    expect((await send(host.port, '/api/events')).status).toBe(401)
    expect((await send(host.port, '/api/events?ticket=')).status).toBe(401)
    expect((await send(host.port, '/api/events?ticket=forged')).status).toBe(401)
    // A session in the query string is not a ticket.
    expect((await send(host.port, `/api/events?ticket=${session}`)).status).toBe(401)
    const t = await ticket(host.port, session)
    const first = await send(host.port, `/api/events?ticket=${t}`, { firstChunkOnly: true })
    expect(first.status).toBe(200)
    expect(first.body).toMatch(/: connected/)
    expect((await send(host.port, `/api/events?ticket=${t}`)).status).toBe(401)
    // Tickets need a session, and a program uses its bearer token instead.
    expect((await send(host.port, '/api/events/ticket', { method: 'POST', headers: json(host.port), body: '{}' })).status).toBe(401)
  })

  it('an open stream ends when its session does', async () => {
    const c = await start()
    const host = await startHost({ dispatch: async () => ({ ok: true, value: null }), bus: c.app.bus, rendererDir: '/nonexistent', token: TOKEN, sessionIdleMs: 400, streamPingMs: 50 })
    try {
      const { session } = await login(host.port)
      const t = await ticket(host.port, session)
      const opened = Date.now()
      const r = await send(host.port, `/api/events?ticket=${t}`) // resolves when the host ends the stream
      expect(r.status).toBe(200)
      expect(r.body).toMatch(/: ping/) // it was open and alive before
      expect(Date.now() - opened).toBeGreaterThanOrEqual(300)
    } finally {
      await host.close()
    }
  })

  it('refuses an expired ticket and a ticket whose session ended', () => {
    let now = 0
    const store = new SessionStore(60_000, () => now)
    const s = store.open()
    const id = store.use(s)
    if (!id.ok) throw new Error('session refused')
    const late = store.streamTicket(id.id)
    now += STREAM_TICKET_MS + 1
    expect(store.redeem(late)).toBeNull()
    store.use(s)
    const orphan = store.streamTicket(id.id)
    now += 60_000
    expect(store.redeem(orphan)).toBeNull()
    now = 0
    const fresh = new SessionStore(60_000, () => now)
    const f = fresh.use(fresh.open())
    if (!f.ok) throw new Error('session refused')
    expect(fresh.redeem(fresh.streamTicket(f.id))).toBe(f.id)
  })
})

describe('only the agent keeps a session alive, not the page polling by itself', () => {
  it('calls that report no input for longer than the idle time end the session (store, with a clock)', () => {
    let now = 0
    const store = new SessionStore(1000, () => now)
    const s = store.open()
    // Polls every 300 ms while nobody touches the page: still counted from the last input.
    for (let idle = 300; idle < 1000; idle += 300) {
      now = idle
      expect(store.use(s, idle).ok, `idle ${idle}`).toBe(true)
    }
    now = 1200
    expect(store.use(s, 1200)).toEqual({ ok: false, reason: 'ended' })
    // An input just now keeps it alive, whatever the calls in between said.
    const t = store.open()
    now += 900
    expect(store.use(t, 900).ok).toBe(true)
    expect(store.use(t, 0).ok).toBe(true)
    now += 900
    expect(store.use(t, 900).ok).toBe(true)
  })

  it('the host reads the idle time the page reports', async () => {
    const { host } = await start({ sessionIdleMs: 1000 })
    const { session } = await login(host.port)
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
    await sleep(500)
    // A refresh the page made by itself, 500 ms after the agent's last input: allowed, not activity.
    expect((await call(host.port, { ...withSession(session), 'x-console-idle-ms': '500' })).status).toBe(200)
    await sleep(600)
    const r = await call(host.port, { ...withSession(session), 'x-console-idle-ms': '1100' })
    expect(r.status).toBe(401)
    expect(JSON.parse(r.body).error.key).toBe('sessionEnded')
  })
})
