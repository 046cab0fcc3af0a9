import QRCode from 'qrcode'
import sharp from 'sharp'
import { threadId } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/contract/common'
import { DecoderPool, decodeInWorker, shutdownDecoderPool } from './decoder-pool'

const TEXT = 'pool test payload'

/** A large photo without a code: the decoder goes through all its variants, which takes a while. */
async function slowPhoto(): Promise<Buffer> {
  const w = 3000
  const h = 2250
  const noise = Buffer.alloc(w * h)
  let s = 11
  for (let i = 0; i < noise.length; i++) noise[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24
  return sharp(noise, { raw: { width: w, height: h, channels: 1 } }).blur(1.5).jpeg({ quality: 80 }).toBuffer()
}

describe('DecoderPool', () => {
  const pool = new DecoderPool({ size: 2 })
  afterAll(() => pool.close())

  it('decodes in worker threads started from the TypeScript source through tsx', async () => {
    const png = await QRCode.toBuffer(TEXT, { scale: 6 })
    const [a, b] = await Promise.all([pool.decode(png), pool.decode(png)])
    expect(a.codes.map((c) => c.text)).toEqual([TEXT])
    expect(b.codes.map((c) => c.text)).toEqual([TEXT])
    expect(pool.threadCount).toBe(2)
    expect(pool.threadIds).not.toContain(threadId)
    // The caller's buffer is copied, not transferred away.
    expect(png.length).toBeGreaterThan(0)
  })

  it('keeps the main thread responsive during a long decode', async () => {
    const photo = await slowPhoto()
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    const t0 = performance.now()
    const r = await pool.decode(photo, { timeBudgetMs: 1500 })
    const elapsed = performance.now() - t0
    clearInterval(timer)
    expect(r.codes).toEqual([])
    expect(r.attempts).toBeGreaterThan(2)
    expect(elapsed).toBeGreaterThan(300)
    // A blocked event loop would tick about once; a free one about elapsed/10 times.
    expect(ticks).toBeGreaterThan((elapsed / 10) * 0.3)
  })

  it('reports unreadable files as BAD_INPUT', async () => {
    const e = await pool.decode(Buffer.from('%PDF-1.4 not a photo')).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(AppError)
    expect((e as AppError).code).toBe('BAD_INPUT')
    expect((e as AppError).message).toMatch(/PDF/)
  })

  it('stops a decode that exceeds its timeout, and keeps working afterwards', async () => {
    const photo = await slowPhoto()
    const t0 = performance.now()
    await expect(pool.decode(photo, { timeoutMs: 150, timeBudgetMs: 10_000 })).rejects.toThrow(/took longer than/)
    expect(performance.now() - t0).toBeLessThan(1500)
    const png = await QRCode.toBuffer(TEXT, { scale: 4 })
    expect((await pool.decode(png)).codes[0].text).toBe(TEXT)
  })

  it('cancels a queued or running decode through an AbortSignal', async () => {
    const photo = await slowPhoto()
    const ac = new AbortController()
    const p = pool.decode(photo, { signal: ac.signal, timeBudgetMs: 10_000 })
    setTimeout(() => ac.abort(new Error('agent closed the ticket')), 50)
    await expect(p).rejects.toThrow('agent closed the ticket')
    await expect(pool.decode(photo, { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already')
  })

  it('shuts down: workers exit and later calls are refused', async () => {
    const p = new DecoderPool({ size: 1 })
    const png = await QRCode.toBuffer(TEXT, { scale: 4 })
    expect((await p.decode(png)).codes).toHaveLength(1)
    expect(p.threadCount).toBe(1)
    const pending = p.decode(await slowPhoto(), { timeBudgetMs: 10_000 }).catch((e: unknown) => e)
    await p.close()
    expect(String(await pending)).toMatch(/shut down/)
    expect(p.threadCount).toBe(0)
    await expect(p.decode(png)).rejects.toThrow(/shut down/)
  })

  it('offers a process-wide pool', async () => {
    const png = await QRCode.toBuffer(TEXT, { scale: 4 })
    expect((await decodeInWorker(png)).codes[0].text).toBe(TEXT)
    await shutdownDecoderPool()
  })
})
