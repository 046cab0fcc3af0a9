// `support-console discover` and `support-console device …` as an agent runs them (child
// process through bin/support-console.mjs), against the lab bench on 127.0.50.0/24.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import { tempDir } from '../../../db/test/helpers'
import { App } from '../../core/app'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
let bench: Bench
let dataDir: string

function cli(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [`${ROOT}bin/support-console.mjs`, ...args], { cwd: ROOT, env: { ...process.env, ...env } })
    let out = ''
    let err = ''
    c.stdout.on('data', (d) => (out += d))
    c.stderr.on('data', (d) => (err += d))
    c.stdin.end(stdin)
    c.on('exit', (code) => resolve({ code: code ?? -1, out, err }))
  })
}

beforeAll(async () => {
  bench = await startBench({ intercoms: 1, nvrs: 1, seed: 'cli-device-test', hostBase: '127.0.50.', portMode: 'standard', timing: { applyDelayMs: 200, rebootMs: 300 } })
  dataDir = tempDir('sc-cli-dev-')
  const app = new App({ dataDir, host: 'browser' })
  await app.tickets.create({ externalRef: 'ZD-9', customerName: 'CLI', contact: '', deviceSerial: '', deviceModel: '', procedure: 'my2n-move', notes: '' })
  await app.close()
})
afterAll(async () => bench?.stop())

describe('support-console discover', () => {
  it('needs --iface', async () => {
    const r = await cli(['discover'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/--iface is required/)
  })

  it('prints the devices found as JSON, progress and notes on stderr', async () => {
    const r = await cli(['discover', '--iface', 'lo', '--cidr', '127.0.50.0/24', '--json', '--timeout', '5', '--protocols', 'wsd,http-2n,isapi,onvif'])
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out) as { devices: { serial: string; addresses: string[] }[]; diagnostics: { kind: string }[] }
    expect(j.devices.map((d) => d.serial)).toContain(bench.intercom(0).serial)
    expect(j.devices.some((d) => d.addresses.includes(bench.nvr(0).ip))).toBe(true)
    expect(r.err).toMatch(/found \d/)
    expect(j.diagnostics.some((d) => d.kind === 'needs-credentials')).toBe(true)
  }, 30_000)
})

describe('support-console device', () => {
  const d = () => bench.intercom(0)
  const env = () => ({ DEV_PW: d().info().credentials.password })

  it('never takes a password on the command line', async () => {
    const r = await cli(['device', 'info', d().ip, '--user', 'api', '--password', 'secret'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/never taken on the command line/)
  })

  it('info works without a login for a 2N', async () => {
    const r = await cli(['device', 'info', d().ip, '--data-dir', dataDir, '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ serial: d().serial, kind: 'intercom' })
  }, 30_000)

  it('backup, refused reset with a wrong serial, then factory reset', async () => {
    const b = await cli(['device', 'backup', d().ip, '--user', 'api', '--password-env', 'DEV_PW', '--ticket', '1', '--data-dir', dataDir, '--json'], env())
    expect(b.code).toBe(0)
    expect(JSON.parse(b.out)).toMatchObject({ verified: true, serial: d().serial })
    expect(b.err).toMatch(/Downloading the configuration/)
    const wrong = await cli(['device', 'factory-reset', d().ip, '--ticket', '1', '--confirm-serial', '00-0000-0000', '--data-dir', dataDir])
    expect(wrong.code).toBe(1)
    expect(wrong.err).toMatch(/not the serial of this device/)
    expect(bench.intercom(0).web.password).not.toBe('2n')
    const ok = await cli(['device', 'factory-reset', d().ip, '--password-stdin', '--user', 'api', '--ticket', '1', '--confirm-serial', d().serial, '--data-dir', dataDir], {}, `${d().info().credentials.password}\n`)
    expect(ok.code).toBe(0)
    expect(ok.out).toMatch(/Factory reset/)
    await new Promise((r) => setTimeout(r, 900))
    expect(bench.intercom(0).web.password).toBe('2n')
  }, 60_000)
})
