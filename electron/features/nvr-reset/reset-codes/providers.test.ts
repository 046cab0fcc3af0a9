import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../../lab/bench'
import { checkCode, httpVendorProvider, labVendorProvider, manualProvider, maskCode, pick, spellCode } from './providers'

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0)) await s()
})

async function bench(o: { requests?: number } = {}): Promise<{ b: Bench; payload: string }> {
  const b = await startBench({ intercoms: 0, nvrs: 1, portMode: 'ephemeral', discovery: false, seed: 'providers', vendorRateLimit: o.requests ? { requests: o.requests, windowMs: 60_000 } : undefined })
  stops.push(() => b.stop())
  return { b, payload: b.nvr(0).openRetrievePassword().payload }
}

async function server(handler: (body: string, headers: Record<string, unknown>) => { status: number; body: unknown }): Promise<string> {
  const s: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const r = handler(body, req.headers)
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body))
    })
  })
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  stops.push(() => new Promise((r) => s.close(() => r())))
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`
}

describe('security-code providers', () => {
  it('lab: gets two codes per QR, the second different, then a clear refusal', async () => {
    const { b, payload } = await bench()
    const p = labVendorProvider({ url: b.vendor.url, apiKey: b.vendor.apiKey })
    const c1 = await p.obtain({ payload })
    const c2 = await p.obtain({ payload })
    expect(c1.code).toMatch(/^[A-Za-z0-9]{8}$/)
    expect(c2.code).not.toBe(c1.code)
    expect(c1.reference).toBe('code 1 of this QR')
    await expect(p.obtain({ payload })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/At most 2 codes/) })
  })

  it('lab: maps refusals (key, malformed, signature, unknown device, rate limit, unreachable) to messages for the agent', async () => {
    const { b, payload } = await bench({ requests: 2 })
    await expect(labVendorProvider({ url: b.vendor.url, apiKey: 'wrong' }).obtain({ payload })).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    const p = labVendorProvider({ url: b.vendor.url, apiKey: b.vendor.apiKey })
    await expect(p.obtain({ payload: 'hello' })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/could not read/) })
    await expect(p.obtain({ payload: payload.slice(0, -4) + 'AAAA' })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/not genuine/) })
    await expect(p.obtain({ payload })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/rate-limiting.*try again in \d+ s/) })
    b.vendorService.rateLimit = { requests: 100, windowMs: 60_000 }
    b.vendorService.forget(b.nvr(0).serial)
    await expect(p.obtain({ payload })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(labVendorProvider({ url: 'http://127.0.0.1:9', apiKey: 'x' }).obtain({ payload })).rejects.toMatchObject({ code: 'UNREACHABLE' })
    await expect(labVendorProvider({ url: '', apiKey: '' }).obtain({ payload })).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })

  it('http: fills the body template, sends the key header, reads the code at the configured path', async () => {
    let seen: { body: string; auth: unknown } | null = null
    const url = await server((body, h) => ((seen = { body, auth: h.authorization }), { status: 200, body: { data: { code: 'aB3dE6gH' } } }))
    const p = httpVendorProvider({ url: `${url}/codes`, keyHeader: 'Authorization', keyPrefix: 'Bearer ', apiKey: 'k-1', bodyTemplate: '{"qr": "{{payload}}", "who": "support"}', codePath: 'data.code' })
    expect((await p.obtain({ payload: 'X"Y\\Z' })).code).toBe('aB3dE6gH')
    expect(JSON.parse(seen!.body)).toEqual({ qr: 'X"Y\\Z', who: 'support' })
    expect(seen!.auth).toBe('Bearer k-1')
    const bad = httpVendorProvider({ url: `${url}/codes`, keyHeader: '', keyPrefix: '', apiKey: '', bodyTemplate: '{"qr": "{{payload}}"}', codePath: 'nope' })
    await expect(bad.obtain({ payload: 'p' })).rejects.toMatchObject({ code: 'DEVICE', message: expect.stringMatching(/without a code/) })
    const denied = await server(() => ({ status: 403, body: { error: { message: 'key revoked' } } }))
    await expect(httpVendorProvider({ url: denied, keyHeader: 'X-Key', keyPrefix: '', apiKey: 'k', bodyTemplate: '{"p":"{{payload}}"}', codePath: 'code' }).obtain({ payload: 'p' })).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/key revoked/) })
    await expect(httpVendorProvider({ url, keyHeader: '', keyPrefix: '', apiKey: '', bodyTemplate: '{"p": {{payload}}}', codePath: 'code' }).obtain({ payload: 'p' })).rejects.toMatchObject({ code: 'VALIDATION' })
    expect(pick({ a: { b: [1, { c: 'x' }] } }, 'a.b.1.c')).toBe('x')
  })

  it('manual: keeps case, refuses spaces and odd characters', async () => {
    expect((await manualProvider('  aO0lI1xY ').obtain({ payload: '' })).code).toBe('aO0lI1xY')
    expect(() => checkCode('ab cd1234')).toThrow(/spaces/)
    expect(() => checkCode('abc')).toThrow(/4–32 letters and digits/)
    expect(() => checkCode('abcd-1234')).toThrow(/4–32/)
  })

  it('spells and masks codes', () => {
    expect(spellCode('O0lI1')).toEqual(['capital O', 'digit zero', 'lower-case l', 'capital I', 'digit one'])
    expect(maskCode('aB3dE6gH')).toBe('••••••gH')
  })
})
