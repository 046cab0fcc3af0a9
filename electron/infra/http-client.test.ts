import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { makeCert } from '../../lab/core/cert'
import { failureReason, HttpError, httpRequest } from './http-client'

const servers: (http.Server | https.Server)[] = []
afterAll(() => servers.forEach((s) => s.close()))

/** A server on 127.0.0.1 that records every request it gets. */
async function serve(handler: http.RequestListener, tlsOpts?: { key: string; cert: string }) {
  const seen: { method: string; url: string; body: string }[] = []
  const onRequest: http.RequestListener = (req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body })
      handler(req, res)
    })
  }
  const s = tlsOpts ? https.createServer(tlsOpts, onRequest) : http.createServer(onRequest)
  servers.push(s)
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  return { url: `${tlsOpts ? 'https' : 'http'}://127.0.0.1:${port}`, port, seen }
}

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure') }, (e: unknown) => e as HttpError)

describe('the console HTTP client', () => {
  it('HTTPS: the system trust refuses a self-signed certificate, a pin that does not match stops before the request, "any" reports the fingerprint', async () => {
    const cert = await makeCert('test', '127.0.0.1')
    const s = await serve((_q, r) => r.end('ok'), cert)

    const sys = await failure(httpRequest(`${s.url}/secret?token=x`))
    expect(sys).toBeInstanceOf(HttpError)
    expect(sys.kind).toBe('tls')

    const decided: string[] = []
    const pinned = await failure(httpRequest(`${s.url}/secret`, { method: 'POST', body: 'password=1', trust: { pinned: 'AA:BB', decide: (fp) => (decided.push(fp), false) } }))
    expect(pinned.kind).toBe('pin-mismatch')
    expect(pinned.fingerprint).toBe(cert.fingerprint256)
    expect(decided).toEqual([cert.fingerprint256])
    expect(s.seen).toEqual([]) // neither request reached the server

    const any = await httpRequest(`${s.url}/hello`, { trust: 'any' })
    expect(any).toMatchObject({ status: 200, fingerprint: cert.fingerprint256 })
    expect(any.body.toString()).toBe('ok')
    const pin = await httpRequest(`${s.url}/hello`, { trust: { pinned: cert.fingerprint256, decide: () => false } })
    expect(pin.status).toBe(200)
  })

  it('does not follow a redirect (it would carry the credentials elsewhere): the 3xx is the reply', async () => {
    const other = await serve((_q, r) => r.end('elsewhere'))
    const s = await serve((_q, r) => {
      r.writeHead(302, { location: `${other.url}/steal` })
      r.end()
    })
    const r = await httpRequest(`${s.url}/api`, { headers: { authorization: 'Bearer secret' } })
    expect(r.status).toBe(302)
    expect(r.headers.location).toBe(`${other.url}/steal`)
    expect(other.seen).toEqual([])
  })

  it('refuses a reply larger than the limit', async () => {
    const s = await serve((_q, r) => r.end(Buffer.alloc(300_000, 120)))
    expect((await httpRequest(s.url, { maxBytes: 400_000 })).body.length).toBe(300_000)
    const e = await failure(httpRequest(s.url, { maxBytes: 100_000 }))
    expect(e.kind).toBe('too-large')
    expect(failureReason(e)).toBe('reply larger than allowed')
  })

  it('sends a string body byte for byte, whatever its content type says', async () => {
    const s = await serve((_q, r) => r.end())
    await httpRequest(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '  {"a": 1}\n' })
    await httpRequest(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'not json' })
    expect(s.seen.map((x) => x.body)).toEqual(['  {"a": 1}\n', 'not json'])
  })

  it('stops at the total limit or at the caller’s signal, and names a closed port', async () => {
    // Headers at once, then the body a byte at a time: only the total limit ends it.
    const s = await serve((_q, r) => {
      r.writeHead(200, { 'content-length': '1000' })
      const t = setInterval(() => r.write('x'), 50)
      r.on('close', () => clearInterval(t))
    })
    const slow = await failure(httpRequest(s.url, { timeoutMs: 1000, totalMs: 400 }))
    expect(slow.kind).toBe('timeout')
    expect(slow.message).toMatch(/^127\.0\.0\.1:\d+ did not finish its reply in time\.$/)

    const ac = new AbortController()
    setTimeout(() => ac.abort(), 150)
    const cancelled = await failure(httpRequest(s.url, { timeoutMs: 5000, signal: ac.signal }))
    expect(cancelled.kind).toBe('cancelled')

    const closed = await serve(() => {})
    const port = closed.port
    servers.pop()!.close()
    await new Promise((r) => setTimeout(r, 50))
    const refused = await failure(httpRequest(`http://127.0.0.1:${port}/`, { where: 'the service' }))
    expect(refused).toMatchObject({ kind: 'refused', code: 'ECONNREFUSED', message: 'the service refused the connection (port closed).' })
    expect(failureReason(refused)).toBe('connection refused')
  })
})
