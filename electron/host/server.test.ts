import { request } from 'node:http'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { startBrowserConsole, type BrowserConsole } from './browser-host'
import { startHost } from './server'

const open: BrowserConsole[] = []
afterEach(async () => {
  for (const c of open.splice(0)) await c.close()
})

async function start() {
  const rendererDir = tempDir('sc-ui-')
  mkdirSync(join(rendererDir, 'assets'))
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>ui</title>')
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  const c = await startBrowserConsole({ dataDir: tempDir(), port: 0, rendererDir, token: 'tok-123' })
  open.push(c)
  return c
}

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }
function send(port: number, path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...o.headers } }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end(o.body)
  })
}
const rpc = (port: number, method: string, input: unknown, headers: Record<string, string> = {}) =>
  send(port, `/api/rpc/${method}`, { method: 'POST', body: JSON.stringify(input), headers: { 'content-type': 'application/json', authorization: 'Bearer tok-123', ...headers } })

describe('browser host', () => {
  it('binds loopback only and refuses other addresses', async () => {
    const c = await start()
    expect(c.host.address).toBe('127.0.0.1')
    await expect(startHost({ dispatch: async () => ({ ok: true, value: 1 }), bus: c.app.bus, rendererDir: '/nonexistent', address: '0.0.0.0' })).rejects.toThrow(/loopback/)
  })

  it('requires the token, then trades it for a session the page sends as a header', async () => {
    const { host } = await start()
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=tok-123`)
    expect((await send(host.port, '/?token=wrong')).status).toBe(401)
    expect((await rpc(host.port, 'tickets.list', {}, { authorization: 'Bearer nope' })).status).toBe(401)
    const origin = `http://127.0.0.1:${host.port}`
    const login = await send(host.port, '/api/session', { method: 'POST', body: '{"token":"tok-123"}', headers: { origin, 'content-type': 'application/json' } })
    expect(login.status).toBe(200)
    expect(login.headers['set-cookie']).toBeUndefined()
    const { session } = (JSON.parse(login.body) as { value: { session: string } }).value
    // The shell carries no data: it loads without credentials and then authenticates its calls.
    const page = await send(host.port, '/')
    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/)
    const api = await send(host.port, '/api/rpc/tickets.list', { method: 'POST', body: '{}', headers: { 'x-console-session': session, 'content-type': 'application/json', origin } })
    expect(JSON.parse(api.body)).toMatchObject({ ok: true, value: { items: [], total: 0 } })
    expect((await send(host.port, '/api/rpc/tickets.list', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', origin } })).status).toBe(401)
  })

  it('refuses foreign Host headers (DNS rebinding) and cross-site Origins', async () => {
    const { host } = await start()
    for (const h of ['evil.example:' + host.port, `127.0.0.1:${host.port + 1}`, 'localhost.evil.example', '127.0.0.1']) {
      const r = await send(host.port, '/api/rpc/tickets.list', { method: 'POST', body: '{}', headers: { host: h, 'content-type': 'application/json', authorization: 'Bearer tok-123' } })
      expect(r.status, h).toBe(421)
    }
    const cross = await rpc(host.port, 'tickets.list', {}, { origin: 'http://evil.example' })
    expect(cross.status).toBe(403)
    expect(JSON.parse(cross.body).error.message).toMatch(/Cross-site/)
    expect((await rpc(host.port, 'tickets.list', {}, { 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect((await rpc(host.port, 'tickets.list', {}, { origin: `http://localhost:${host.port}` })).status).toBe(200)
  })

  it('a session without Origin cannot call the API, nor a form (no CSRF through simple requests)', async () => {
    const { host } = await start()
    const login = await send(host.port, '/api/session', { method: 'POST', body: '{"token":"tok-123"}', headers: { origin: `http://127.0.0.1:${host.port}`, 'content-type': 'application/json' } })
    const { session } = (JSON.parse(login.body) as { value: { session: string } }).value
    const r = await send(host.port, '/api/rpc/tickets.list', { method: 'POST', body: '{}', headers: { 'x-console-session': session, 'content-type': 'application/json' } })
    expect(r.status).toBe(403)
    const form = await send(host.port, '/api/rpc/tickets.list', { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer tok-123' } })
    expect(form.status).toBe(415)
  })

  it('answers bad input with validation errors naming the field, never a crash', async () => {
    const { host } = await start()
    const bad = await rpc(host.port, 'tickets.create', { customerName: 42 })
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.body).error).toMatchObject({ code: 'VALIDATION', field: 'customerName' })
    const notJson = await send(host.port, '/api/rpc/tickets.create', { method: 'POST', body: '{"customerName":', headers: { 'content-type': 'application/json', authorization: 'Bearer tok-123' } })
    expect(notJson.status).toBe(400)
    expect((await rpc(host.port, 'nope.nothing', {})).status).toBe(404)
    const ok = await rpc(host.port, 'tickets.create', { customerName: 'Still works' })
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, value: { customerName: 'Still works' } })
  })

  it('streams events to the browser over server-sent events', async () => {
    const { host } = await start()
    const got = new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: '/api/events', headers: { host: `127.0.0.1:${host.port}`, authorization: 'Bearer tok-123' } }, (res) => {
        let buf = ''
        res.on('data', (c) => {
          buf += c
          if (buf.includes('event: tickets.changed')) {
            resolve(buf)
            req.destroy()
          }
        })
      })
      req.on('error', (e) => (String(e).includes('socket hang up') ? undefined : reject(e)))
      req.end()
      setTimeout(() => void rpc(host.port, 'tickets.create', { customerName: 'Live' }), 100)
    })
    expect(await got).toMatch(/event: tickets.changed\ndata: \{"id":1\}/)
  })

  it('serves files of the UI but nothing outside its folder', async () => {
    const { host } = await start()
    expect((await send(host.port, '/assets/app.js')).body).toBe('console.log(1)')
    for (const p of ['/../../etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd']) {
      const r = await send(host.port, p)
      expect(r.body).not.toMatch(/root:/)
    }
  })

  it('explains a taken port, or moves to the next one when no port was asked for', async () => {
    const a = await start()
    const dispatch = async () => ({ ok: true as const, value: null })
    await expect(startHost({ dispatch, bus: a.app.bus, rendererDir: '/x', port: a.host.port })).rejects.toThrow(`Port ${a.host.port} on 127.0.0.1 is already taken`)
    const b = await startHost({ dispatch, bus: a.app.bus, rendererDir: '/x', port: a.host.port, portFallback: true })
    expect(b.port).not.toBe(a.host.port)
    await b.close()
  })
})
