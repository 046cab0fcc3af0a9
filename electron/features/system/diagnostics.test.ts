// The diagnostics bundle from the API (Settings) and from `support-console diagnostics`: a zip
// any unzip opens, with logs, versions, settings without secrets, database and audit checks,
// the last discovery notes and disk space, and no photo, key or sealed value in it.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { zip } from '../../infra/zip'

/** Reads a stored-only zip through its central directory, checking every CRC. */
export function unzip(b: Buffer): Map<string, Buffer> {
  const end = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (end < 0) throw new Error('no end of central directory')
  const n = b.readUInt16LE(end + 10)
  let p = b.readUInt32LE(end + 16)
  const out = new Map<string, Buffer>()
  for (let i = 0; i < n; i++) {
    if (b.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central header ${i}`)
    const crc = b.readUInt32LE(p + 16)
    const size = b.readUInt32LE(p + 20)
    const nameLen = b.readUInt16LE(p + 28)
    const local = b.readUInt32LE(p + 42)
    const name = b.subarray(p + 46, p + 46 + nameLen).toString('utf8')
    const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28)
    const data = b.subarray(start, start + size)
    if (crc32(data) >>> 0 !== crc) throw new Error(`CRC of ${name}`)
    out.set(name, data)
    p += 46 + nameLen
  }
  return out
}

const ROOT = join(import.meta.dirname, '..', '..', '..')
const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})

describe('diagnostics bundle', () => {
  it('the zip writer makes archives unzip reads (names in UTF-8, empty files)', () => {
    const z = zip([{ name: 'a.txt', data: Buffer.from('hello') }, { name: 'složka/ž.json', data: Buffer.from('{}') }, { name: 'empty', data: Buffer.alloc(0) }])
    expect([...unzip(z)].map(([k, v]) => [k, v.toString()])).toEqual([['a.txt', 'hello'], ['složka/ž.json', '{}'], ['empty', '']])
    const file = join(tempDir('sc-zip-'), 'x.zip')
    writeFileSync(file, z)
    const t = spawnSync('unzip', ['-t', file], { encoding: 'utf8' })
    if (!t.error) expect(t.stdout).toContain('No errors detected')
  })

  it('from Settings and from the CLI: logs, versions, settings without secrets, checks, discovery, disk; no photo, key or sealed value', async () => {
    const dataDir = tempDir('sc-diag-')
    const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider(), version: '9.9.9' })
    apps.push(app)
    const call = createDispatcher(app)
    const ok = async <T>(m: string, i: unknown) => {
      const r = await call(m, i, { transport: 'test' })
      expect(r.ok, `${m}: ${JSON.stringify(r).slice(0, 300)}`).toBe(true)
      return (r as { value: T }).value
    }
    await ok('system.setAgent', { name: 'Eva', email: 'eva@example.com' })
    const API_KEY = 'Diag-Api-Key-77Q2xZ'
    await ok('nvrReset.settings.set', { lab: { url: 'http://127.0.0.1:9/', apiKey: API_KEY } })
    const ticket = await ok<{ id: number }>('tickets.create', { customerName: 'Jan Novák', procedure: 'nvr-password-reset' })
    const photo = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } }).png().toBuffer()
    await ok('evidence.add', { ticketId: ticket.id, kind: 'label-photo', name: 'label.png', dataBase64: photo.toString('base64') })
    app.log.info({ scan: { id: 's1', found: 0 }, diagnostics: [{ kind: 'no-answer', ip: '127.0.0.9', message: 'nothing answered' }] }, 'discovery finished')

    const d = await ok<{ fileName: string; entries: string[]; dataBase64: string; size: number }>('system.diagnostics', {})
    expect(d.fileName).toMatch(/^support-console-diagnostics-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.zip$/)
    const bytes = Buffer.from(d.dataBase64, 'base64')
    expect(bytes.length).toBe(d.size)
    const files = unzip(bytes)
    expect([...files.keys()]).toEqual(['logs/support-console.log', 'versions.json', 'settings.json', 'database.json', 'audit-verify.json', 'discovery.json', 'disk.json'])
    const j = (n: string) => JSON.parse(files.get(n)!.toString('utf8'))
    expect(j('versions.json')).toMatchObject({ app: '9.9.9', host: 'browser', node: process.versions.node, os: { platform: process.platform } })
    expect(j('database.json')).toMatchObject({ integrityCheck: ['ok'], migrationLevel: app.schemaVersion })
    expect(j('audit-verify.json')).toMatchObject({ ok: true, entries: expect.any(Number) })
    expect(j('discovery.json')).toMatchObject({ msg: 'discovery finished', diagnostics: [{ kind: 'no-answer' }] })
    expect(j('disk.json').freeBytes).toBeGreaterThan(0)
    expect(j('settings.json').agent).toEqual({ name: 'Eva', email: 'eva@example.com' })
    const log = files.get('logs/support-console.log')!.toString('utf8')
    expect(log).toMatch(/"rid":"[0-9a-f]{8}","method":"tickets.create"/)
    // Nothing secret or personal beyond the agent's own name: no key, no sealed value, no photo.
    for (const hay of [bytes, ...files.values()]) {
      expect(hay.includes(Buffer.from(API_KEY))).toBe(false)
      expect(hay.includes(Buffer.from(API_KEY).toString('base64').slice(0, 16))).toBe(false)
      expect(hay.includes(photo.subarray(0, 64))).toBe(false)
      expect(hay.toString('latin1')).not.toMatch(/v1:[A-Za-z0-9+/]{20,}/)
    }
    expect(JSON.stringify(j('settings.json'))).toMatch(/\[sealed\]|\[masked\]/)
    await app.close()
    apps.length = 0

    // The same from a terminal, read-only on the folder.
    const out = join(tempDir('sc-diag-out-'), 'diag.zip')
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'support-console.mjs'), 'diagnostics', '--out', out, '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain('Wrote')
    const cli = unzip(readFileSync(out))
    expect([...cli.keys()]).toEqual(['logs/support-console.log', 'versions.json', 'settings.json', 'database.json', 'audit-verify.json', 'discovery.json', 'disk.json'])
    expect(JSON.parse(cli.get('versions.json')!.toString()).host).toBe('cli')
    expect(cli.get('logs/support-console.log')!.toString()).toContain('diagnostics exported')
    expect(readFileSync(out).includes(Buffer.from(API_KEY))).toBe(false)

    const missing = spawnSync(process.execPath, [join(ROOT, 'bin', 'support-console.mjs'), 'diagnostics', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(missing.status).not.toBe(0)
    expect(missing.stderr).toContain('--out FILE')
  }, 90_000)
})
