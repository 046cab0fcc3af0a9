// The lab bench in one step: `support-console lab --fixed-ports` writes its connection file,
// and the console takes My2N, the vendor service and the device accounts from it at once.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import type { Output } from '../../../shared/contract/index'
import { createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { waitFor } from '../../../lab/test-helpers'

const ROOT = join(import.meta.dirname, '../../..')
const ctx = { transport: 'test' as const }
const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})

describe('lab bench in one step', () => {
  it('the lab writes a 0600 connection file at fixed ports; "Use the running lab bench" sets My2N, vendor service and device accounts; a stopped bench says so', async () => {
    const file = join(tempDir(), 'lab.json')
    const child = spawn(process.execPath, [join(ROOT, 'bin/support-console.mjs'), 'lab', '--fixed-ports', '--ephemeral-ports', '--seed', 'one-step', '--intercoms', '1', '--nvrs', '1', '--no-discovery', '--host-base', '127.0.31.', '--connection-file', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (err += c))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    try {
      await waitFor(() => out.includes('Running.'), 30_000, `the bench (stderr: ${err})`)
      expect(out).toContain(`Connection file:    ${file}`)
      expect(out).toContain('My2N (simulated):   http://127.0.0.1:18281')
      expect(out).toContain('Vendor reset:       http://127.0.0.1:18282')
      expect(statSync(file).mode & 0o777).toBe(0o600)

      const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
      apps.push(app)
      const call = createDispatcher(app)
      process.env.SUPPORT_CONSOLE_LAB_FILE = file
      const res = await call('connections.useLab', {}, ctx)
      if (!res.ok) throw new Error(JSON.stringify(res.error))
      const r = { value: res.value as Output<'connections.useLab'> }
      expect(r.value.source).toBe(file)
      expect(r.value.my2n).toMatchObject({ ok: true, sites: [{ id: 's-2002', name: 'New site' }] })
      expect(r.value.my2n.message).toMatch(/^My2N simulator at 127\.0\.0\.1:18281 answered: account “Support Lab Integrator a\.s\.”, 1 site\.$/)
      expect(r.value.vendor).toMatchObject({ ok: true, message: 'The vendor service at 127.0.0.1:18282 answered and accepted the API key.' })
      expect(r.value.devices.map((d) => [d.kind, d.stored])).toEqual([['intercom', true], ['nvr', true]])
      // The accounts are stored sealed with each device, never in clear.
      const creds = app.db.prepare('SELECT username, sealed FROM device_credentials').all() as { username: string; sealed: string }[]
      expect(creds).toHaveLength(2)
      const lab = JSON.parse(readFileSync(file, 'utf8'))
      for (const c of creds) for (const d of lab.devices as { password: string }[]) expect(c.sealed).not.toContain(d.password)
      expect(JSON.stringify(app.db.prepare('SELECT * FROM settings').all())).not.toContain(lab.my2n.apiKey)
      expect(JSON.stringify(app.db.prepare('SELECT inputs FROM audit_log').all())).not.toContain(lab.devices[0].password)
      // Settings now hold the bench: the tests pass on their own.
      expect(await call('connections.testMy2n', {}, ctx)).toMatchObject({ ok: true, value: { ok: true } })
      expect(await call('connections.testVendor', {}, ctx)).toMatchObject({ ok: true, value: { ok: true } })
      // An imported copy of the file works the same.
      const imported = await call('connections.useLab', { file: JSON.stringify(lab) }, ctx)
      expect(imported).toMatchObject({ ok: true, value: { source: 'the imported file', my2n: { ok: true } } })
      expect(await call('connections.useLab', { file: '{"format":"other"}' }, ctx)).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/^The imported file is not a lab connection file this console understands/) } })

      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(existsSync(file)).toBe(false)
      expect(await call('connections.useLab', {}, ctx)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: `No lab bench is running on this machine (no connection file at ${file}).` } })
      // Settings still point at the stopped bench: the test says exactly that.
      expect(await call('connections.testMy2n', {}, ctx)).toMatchObject({ ok: true, value: { ok: false, message: expect.stringMatching(/^Nothing answered at 127\.0\.0\.1:18281/) } })
      // A file left behind by a bench that died is not used.
      writeFileSync(file, JSON.stringify({ ...lab, pid: 2 ** 22 + 1 }), { mode: 0o600 })
      expect(await call('connections.useLab', {}, ctx)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/is no longer running/) } })
    } finally {
      delete process.env.SUPPORT_CONSOLE_LAB_FILE
      child.kill('SIGKILL')
      await exited
    }
  }, 90_000)
})
