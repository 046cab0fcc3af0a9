// The structured log: size-rotated files in <data>/logs, secrets masked by the audit trail's
// rule, photos cut, one request id per dispatcher call, error keys next to the English text.
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { createDispatcher } from '../core/api'
import { App } from '../core/app'
import { logFiles, openLogger, RotatingFile, scrub } from './log'
import { memoryKeyProvider } from './secret-box'

const lines = (dataDir: string) => logFiles(dataDir).reverse().flatMap((f) => readFileSync(f, 'utf8').trim().split('\n')).filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})

describe('log', () => {
  it('rotates by size and keeps at most N old files', () => {
    const dir = tempDir('sc-log-')
    const f = new RotatingFile(`${dir}/logs`, 'support-console.log', 1000, 3)
    for (let i = 0; i < 100; i++) f.write(`${JSON.stringify({ i, pad: 'x'.repeat(80) })}\n`)
    f.close()
    const files = logFiles(dir)
    expect(files.map((p) => p.split('/').pop())).toEqual(['support-console.log', 'support-console.log.1', 'support-console.log.2', 'support-console.log.3'])
    for (const p of files) expect(readFileSync(p).length).toBeLessThanOrEqual(1000)
    // The newest line is in the current file; the oldest kept ones in .3.
    expect(readFileSync(files[0]!, 'utf8')).toContain('"i":99')
  })

  it('masks secret-bearing keys as the audit trail does, and cuts long strings (photos)', () => {
    const e = Object.assign(new Error('boom'), { code: 'EX' })
    const out = scrub({ password: 'Pw-123456', nested: { apiKey: 'k-99999999', securityCode: 'ABCdef12' }, dataBase64: 'A'.repeat(5000), serial: '54-0562', err: e }) as Record<string, unknown>
    expect(out).toMatchObject({ password: '[masked]', nested: { apiKey: '[masked]', securityCode: '[masked]' }, dataBase64: '[5000 chars]', serial: '54-0562', err: { message: 'boom', code: 'EX' } })
  })

  it('writes each call with its request id; an error with its key and values beside the English text', async () => {
    const dataDir = tempDir('sc-log-')
    const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider() })
    apps.push(app)
    const dispatch = createDispatcher(app)
    const t = await dispatch('tickets.create', { customerName: 'Acme', procedure: 'nvr-password-reset' }, { transport: 'test' })
    expect(t.ok).toBe(true)
    const ticketId = (t as { value: { id: number } }).value.id
    const r = await dispatch('nvrReset.update', { ticketId, customerTz: 'Mars/Olympus' }, { transport: 'test' })
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION', key: 'nvrReset.badZone', values: { zone: 'Mars/Olympus' } } })
    const calls = lines(dataDir).filter((l) => l.method)
    expect(calls.map((l) => [l.method, l.level])).toEqual([['tickets.create', 'info'], ['nvrReset.update', 'warn']])
    expect(new Set(calls.map((l) => l.rid)).size).toBe(2)
    for (const l of calls) expect(l.rid).toMatch(/^[0-9a-f]{8}$/)
    expect(calls[1]).toMatchObject({ errorCode: 'VALIDATION', key: 'nvrReset.badZone', msg: expect.stringContaining('"Mars/Olympus" is not a time zone') })
  })

  it('a second logger on the same folder appends to the same file', () => {
    const dir = tempDir('sc-log-')
    const a = openLogger(dir)
    a.log.info({ n: 1 }, 'first')
    a.close()
    const b = openLogger(dir)
    b.log.info({ n: 2 }, 'second')
    b.close()
    expect(lines(dir).map((l) => l.msg)).toEqual(['first', 'second'])
  })
})
