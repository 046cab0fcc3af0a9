// Retrieve Password flow end to end (nvr-reset.md §5, §6): device screen → QR PNG →
// decoded by Debian's zbarimg and by jsqr → vendor service → security code → new password;
// and every invalidation and lockout rule.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import jsQR from 'jsqr'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../bench'
import { parseXml } from '../core/xml'
import { CODE_ALPHABET, decodePayload, encodePayload, securityCode } from '../reset-code'
import { DigestFetch, jsonBody, waitFor } from '../test-helpers'
import type { Nvr } from './nvr'

let bench: Bench
let dir: string

beforeAll(async () => {
  bench = await startBench({ intercoms: 0, nvrs: 2, seed: 'retrieve-test', hostBase: '127.0.3.', portMode: 'ephemeral', discovery: false, timing: { rebootMs: 150 }, vendorRateLimit: { requests: 1000, windowMs: 60_000 } })
  dir = mkdtempSync(join(tmpdir(), 'sc-lab-qr-'))
})
afterAll(async () => {
  await bench?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const isapi = (n: Nvr, path: string, init?: RequestInit) => fetch(`http://${n.ip}:${n.httpPort}/ISAPI/Security/retrievePassword${path}`, init)
const xmlOf = async (r: Response) => parseXml(await r.text())!

async function openSession(n: Nvr): Promise<string> {
  expect((await isapi(n, '/session', { method: 'POST' })).status).toBe(200)
  const q = await xmlOf(await isapi(n, '/qrCode'))
  return q.RetrievePasswordQRCode.payload
}
async function vendorCode(payload: string, apiKey = bench.vendor.apiKey) {
  const r = await fetch(`${bench.vendor.url}/api/v1/reset-codes`, { method: 'POST', headers: { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' }, body: JSON.stringify({ payload }) })
  return { status: r.status, body: await jsonBody(r), headers: r.headers }
}
const submit = (n: Nvr, code: string) => isapi(n, '/securityCode', { method: 'POST', body: `<SecurityCode><code>${code}</code></SecurityCode>` })

function zbarimg(png: Buffer): string {
  const f = join(dir, `screen-${Date.now()}.png`)
  writeFileSync(f, png)
  try {
    return execFileSync('zbarimg', ['--quiet', '--raw', f], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('zbarimg is not installed: apt-get install zbar-tools (required by this test)', { cause: e })
    throw e
  }
}

describe('QR screen', () => {
  it('renders a screen PNG whose QR decodes (zbarimg and jsqr) to the signed payload', async () => {
    const n = bench.nvr(0)
    const payload = await openSession(n)
    expect(payload).toMatch(/^2MSIM1:[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    const res = await fetch(`${bench.control.url}/devices/${n.serial}/screen.png`, { headers: { Authorization: `Bearer ${bench.control.token}` } })
    expect(res.headers.get('content-type')).toBe('image/png')
    const png = Buffer.from(await res.arrayBuffer())
    const meta = await sharp(png).metadata()
    expect([meta.width, meta.height]).toEqual([1024, 768])
    // Screen-like: the corner pixel is the dark UI background, not white paper.
    const { data } = await sharp(png).extract({ left: 5, top: 700, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true })
    expect(data[0] + data[1] + data[2]).toBeLessThan(200)
    expect(zbarimg(png)).toBe(payload)
    const raw = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
    expect(jsQR(new Uint8ClampedArray(raw.data), raw.info.width, raw.info.height)?.data).toBe(payload)
    const decoded = decodePayload(payload, bench.vendorService['key'])
    expect(decoded.ok && decoded.payload).toMatchObject({ v: 1, serial: n.serial, mac: n.mac, model: n.model })
    expect(decoded.ok && decoded.payload.nonce).toMatch(/^[0-9a-f]{32}$/)
  })

  it('has no screen when the Retrieve Password screen is closed', async () => {
    const n = bench.nvr(1)
    n.leaveRetrievePasswordScreen()
    const res = await fetch(`${bench.control.url}/devices/${n.serial}/screen.png`, { headers: { Authorization: `Bearer ${bench.control.token}` } })
    expect(res.status).toBe(404)
    expect((await isapi(n, '/qrCode')).status).toBe(404)
  })
})

describe('vendor reset service', () => {
  it('turns a payload into an 8-character case-sensitive code, at most 2 per QR', async () => {
    const n = bench.nvr(0)
    const payload = await openSession(n)
    const a = await vendorCode(payload)
    expect(a.status).toBe(200)
    expect(a.body).toMatchObject({ serial: n.serial, codeIndex: 1 })
    expect(a.body.securityCode).toMatch(new RegExp(`^[${CODE_ALPHABET}]{8}$`))
    expect((await vendorCode(payload)).body.codeIndex).toBe(2)
    const third = await vendorCode(payload)
    expect(third.status).toBe(409)
    expect(third.body.error.code).toBe('code_limit')
  })

  it('rejects malformed, badly signed, expired and unknown payloads, and a wrong API key', async () => {
    const n = bench.nvr(0)
    const payload = await openSession(n)
    expect((await vendorCode('hello')).body.error.code).toBe('malformed')
    const [body, sig] = payload.split('.')
    const flipped = `${body}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`
    expect((await vendorCode(flipped)).body.error.code).toBe('bad_signature')
    const key = bench.vendorService['key'] as Buffer
    const decoded = decodePayload(payload, key)
    if (!decoded.ok) throw new Error('payload must decode')
    const old = encodePayload({ ...decoded.payload, issuedAt: new Date(bench.clock.now() - 25 * 3600_000).toISOString() }, key)
    const e = await vendorCode(old)
    expect([e.status, e.body.error.code]).toEqual([410, 'expired'])
    const stranger = encodePayload({ ...decoded.payload, serial: '210235990000000000XX' }, key)
    expect((await vendorCode(stranger)).status).toBe(404)
    const noKey = await fetch(`${bench.vendor.url}/api/v1/reset-codes`, { method: 'POST', body: JSON.stringify({ payload }) })
    expect(noKey.status).toBe(401)
  })

  it('rate-limits per API key with 429 and Retry-After', async () => {
    const saved = bench.vendorService.rateLimit
    bench.vendorService.rateLimit = { requests: 2, windowMs: 60_000 }
    await bench.advance(61_000)
    try {
      const other = bench.vendorService.addApiKey()
      await vendorCode('x')
      await vendorCode('x')
      const r = await vendorCode('x')
      expect(r.status).toBe(429)
      expect(r.body.error.code).toBe('rate_limited')
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0)
      // Another key is not limited by the first one's requests, and has its own limit.
      expect((await vendorCode('x', other)).status).toBe(400)
      expect((await vendorCode('x', other)).status).toBe(400)
      expect((await vendorCode('x', other)).status).toBe(429)
      expect((await vendorCode('x')).status).toBe(429)
      expect((await vendorCode('x', 'vendor-not-a-key')).status).toBe(401)
      await bench.advance(61_000)
      expect((await vendorCode('x')).status).toBe(400)
      expect((await vendorCode('x', other)).status).toBe(400)
    } finally {
      bench.vendorService.rateLimit = saved
    }
  })
})

describe('security code on the device', () => {
  it('accepts the code case-sensitively and lets the user set a new password', async () => {
    const n = bench.nvr(0)
    const payload = await openSession(n)
    const { securityCode: code } = (await vendorCode(payload)).body
    const swapped = code.replace(/[a-zA-Z]/, (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))
    if (swapped !== code) expect((await submit(n, swapped)).status).toBe(400)
    const ok = await submit(n, code)
    expect(ok.status).toBe(200)
    const token = (await xmlOf(ok)).RetrievePasswordResult.resetToken
    const setPw = (pw: string, t = token) => isapi(n, '/password', { method: 'PUT', body: `<NewPassword><resetToken>${t}</resetToken><password>${pw}</password></NewPassword>` })
    expect((await setPw('weak')).status).toBe(400)
    expect((await setPw('Recovered2026', 'f'.repeat(32))).status).toBe(403)
    expect((await setPw('Recovered2026')).status).toBe(200)
    expect((await setPw('Another2026x')).status).toBe(403)
    expect((await new DigestFetch('admin', 'Recovered2026').fetch(`http://${n.ip}:${n.httpPort}/ISAPI/System/deviceInfo`)).status).toBe(200)
    // The same code cannot be used twice.
    expect((await submit(n, code)).status).toBe(400)
  })

  it('accepts at most 2 codes per QR', async () => {
    const n = bench.nvr(0)
    const payload = await openSession(n)
    const c1 = (await vendorCode(payload)).body.securityCode
    const c2 = (await vendorCode(payload)).body.securityCode
    expect((await submit(n, c1)).status).toBe(200)
    expect((await submit(n, c2)).status).toBe(200)
    const nonce = (decodePayload(payload, bench.vendorService['key']) as { payload: { nonce: string } }).payload.nonce
    const r = await submit(n, securityCode(bench.vendorService['key'], n.serial, nonce, 1))
    expect(await r.text()).toContain('securityCodeLimitReached')
  })

  it('invalidates the code when the screen is left, on reboot, after 24 h and when a new QR is shown', async () => {
    const n = bench.nvr(1)
    const codeFor = async () => (await vendorCode(await openSession(n))).body.securityCode as string

    let code = await codeFor()
    n.leaveRetrievePasswordScreen()
    expect(await (await submit(n, code)).text()).toContain('noRetrieveSession')

    code = await codeFor()
    await n.reboot(100)
    await waitFor(() => n.online, 3000, 'reboot')
    expect(await (await submit(n, code)).text()).toContain('noRetrieveSession')

    code = await codeFor()
    await bench.advance(24 * 3600_000)
    expect(await (await submit(n, code)).text()).toContain('securityCodeExpired')

    // Judged by the device clock: a clock that jumps a day ahead expires the QR too.
    code = await codeFor()
    n.clockSkew(24 * 3600 + 60)
    expect(await (await submit(n, code)).text()).toContain('securityCodeExpired')
    n.clockSkew(0)
    expect((await submit(n, code)).status).toBe(200)

    const oldCode = await codeFor()
    await openSession(n)
    expect(await (await submit(n, oldCode)).text()).toContain('invalidSecurityCode')
  })

  it('locks code entry for 5 minutes after 5 wrong codes, even for the right code', async () => {
    const n = bench.nvr(1)
    await n.reboot(50)
    await waitFor(() => n.online, 3000, 'reboot')
    const code = (await vendorCode(await openSession(n))).body.securityCode
    for (let i = 4; i >= 1; i--) expect(await (await submit(n, 'WRONGxx0')).text()).toContain(`<retryTimes>${i}</retryTimes>`)
    expect(await (await submit(n, 'WRONGxx0')).text()).toContain('<unlockTime>300</unlockTime>')
    const locked = await submit(n, code)
    expect(locked.status).toBe(403)
    expect(await locked.text()).toContain('securityCodeLocked')
    await bench.advance(4 * 60_000)
    expect((await submit(n, code)).status).toBe(403)
    await bench.advance(61_000)
    expect((await submit(n, code)).status).toBe(200)
  })
})
