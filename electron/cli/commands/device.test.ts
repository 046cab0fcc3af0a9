// `support-console discover` and `support-console device …` (info, status, backup, restore,
// reboot, factory-reset) as an agent runs them (child process through
// bin/support-console.mjs), against the lab bench on 127.0.50.0/24.
import { spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import { tempDir } from '../../../db/test/helpers'
import { DevicesRepo } from '../../../db/repos/devices'
import { App } from '../../core/app'
import { memoryKeyProvider, SAFE_KEY_FILE } from '../../infra/secret-box'

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** Polls until `ok()` (bounded). */
async function until(ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not reached in time')
    await sleep(100)
  }
}
/** The audit entries the CLI wrote for a device, read from its data folder. */
async function audited(serial: string, action: string) {
  const app = new App({ dataDir, host: 'browser' })
  try {
    return (await new DevicesRepo(app.db).auditFor([serial])).filter((a) => a.action === action)
  } finally {
    await app.close()
  }
}

describe('support-console device status|reboot|restore', () => {
  const ic = () => bench.intercom(0)
  const icLogin = () => ['--user', 'api', '--password-env', 'DEV_PW', '--data-dir', dataDir]
  const icEnv = () => ({ DEV_PW: ic().info().credentials.password })
  const nvr = () => bench.nvr(0)
  const nvrLogin = () => ['--user', 'admin', '--password-env', 'NVR_PW', '--data-dir', dataDir]
  const nvrEnv = () => ({ NVR_PW: nvr().info().credentials.password })

  it('status prints the uptime the device reports; reboot restarts it (uptime starts again) and is audited', async () => {
    await bench.advance(2 * 3600_000) // up for two hours
    const st = await cli(['device', 'status', ic().ip, ...icLogin(), '--json'], icEnv())
    expect(st.code).toBe(0)
    expect(JSON.parse(st.out)).toMatchObject({ online: true, serial: ic().serial, upTimeS: expect.any(Number) })
    expect(JSON.parse(st.out).upTimeS).toBeGreaterThanOrEqual(7200)
    const text = await cli(['device', 'status', ic().ip, ...icLogin()], icEnv())
    expect(text.out).toMatch(/^Up for 1\d\d min\. Device clock \d{4}-/)
    const boot = ic().bootAt
    const r = await cli(['device', 'reboot', ic().ip, ...icLogin(), '--ticket', '1'], icEnv())
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/restarting/)
    expect(r.err).toMatch(/Confirming the device identity/)
    await until(() => ic().bootAt !== boot && ic().online)
    const again = await cli(['device', 'status', ic().ip, ...icLogin(), '--json'], icEnv())
    expect(JSON.parse(again.out).upTimeS).toBeLessThan(60)
    expect((await audited(ic().serial, 'devices.reboot')).map((a) => [a.outcome, a.ticketId])).toEqual([['ok', 1]])
  }, 60_000)

  it('restore: refused with a wrong serial; with the right one the NVR gets its backed-up configuration back', async () => {
    const b = await cli(['device', 'backup', nvr().ip, ...nvrLogin(), '--ticket', '1', '--json'], nvrEnv())
    expect(b.code).toBe(0)
    expect(JSON.parse(b.out)).toMatchObject({ verified: true, serial: nvr().serial, format: 'isapi-configurationData', verifyDetail: expect.stringMatching(/^Opaque/) })
    nvr().deviceName = 'Renamed after the backup'
    const wrong = await cli(['device', 'restore', nvr().ip, ...nvrLogin(), '--ticket', '1', '--confirm-serial', '210235XX-WRONG'], nvrEnv())
    expect(wrong.code).toBe(1)
    expect(wrong.err).toMatch(/not the serial of this device/)
    expect(nvr().deviceName).toBe('Renamed after the backup')
    const instance = nvr().instanceId
    const ok = await cli(['device', 'restore', nvr().ip, ...nvrLogin(), '--ticket', '1', '--confirm-serial', nvr().serial], nvrEnv())
    expect(ok.code).toBe(0)
    expect(ok.out).toMatch(/uploaded/)
    // The NVR applies the import and restarts, with the name it had at the backup.
    await until(() => nvr().instanceId !== instance && nvr().online)
    expect(nvr().deviceName).toBe('NVR')
    expect((await audited(nvr().serial, 'devices.restore')).map((a) => a.outcome).sort()).toEqual(['ok', 'refused'])
  }, 60_000)

  it('reboot of an NVR: it restarts and the reboot is audited', async () => {
    const instance = nvr().instanceId
    const r = await cli(['device', 'reboot', nvr().ip, ...nvrLogin(), '--json'], nvrEnv())
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ ok: true })
    await until(() => nvr().instanceId !== instance && nvr().online)
    expect(bench.clock.now() - nvr().bootAt).toBeLessThan(60_000)
    expect((await audited(nvr().serial, 'devices.reboot')).map((a) => a.outcome)).toEqual(['ok'])
  }, 60_000)
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

// Issue 4: every `device` command starts by adding the device by address; a password the
// device rejected in one run must not be sent by the next run.
describe('support-console device with a password the device rejected', () => {
  const n = () => bench.nvr(0)
  const REMOTE = '127.0.0.1'

  it('the first run sends it once; the second run refuses without sending; the right one still works', async () => {
    const dir = tempDir('sc-cli-rejected-')
    const args = ['device', 'info', n().ip, '--user', 'admin', '--password-env', 'NVR_PW', '--data-dir', dir]
    const before = n().lockout.remaining(REMOTE)
    const first = await cli(args, { NVR_PW: 'Wrong-cli-pass-1' })
    expect(first.code).toBe(1)
    expect(first.err).toMatch(/rejected the user name or password/)
    expect(n().lockout.remaining(REMOTE)).toBe(before - 1)
    const second = await cli(args, { NVR_PW: 'Wrong-cli-pass-1' })
    expect(second.code).toBe(1)
    expect(second.err).toMatch(/already rejected this password for admin .*the console did not send it again/)
    expect(second.err).toMatch(/Check the password .*lock/)
    expect(n().lockout.remaining(REMOTE)).toBe(before - 1)
    const right = await cli([...args, '--json'], { NVR_PW: n().info().credentials.password })
    expect(right.code).toBe(0)
    expect(JSON.parse(right.out)).toMatchObject({ serial: n().serial, kind: 'nvr' })
    expect(n().lockout.remaining(REMOTE)).toBe(n().lockout.settings.tries)
  }, 60_000)

  it('refuses a data folder sealed by the desktop app instead of overwriting its stored passwords', async () => {
    const desk = tempDir('sc-cli-desktop-')
    const ic = bench.intercom(0)
    const app = new App({ dataDir: desk, host: 'electron', keys: memoryKeyProvider() })
    const repo = new DevicesRepo(app.db)
    const id = (await repo.recordSeen({ serial: ic.serial, kind: 'intercom', ip: ic.ip, protocols: ['http-2n'] }))!
    const sealed = app.secrets.seal('the-desktop-password')
    await repo.setCredentials(id, 'api', sealed)
    await app.close()
    writeFileSync(join(desk, SAFE_KEY_FILE), 'data key wrapped by the OS keychain')

    const r = await cli(['device', 'info', ic.ip, '--user', 'api', '--password-env', 'DEV_PW', '--data-dir', desk], { DEV_PW: 'typed-on-the-cli' })
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/belongs to the desktop app.*keychain.*Nothing was changed/)
    expect(existsSync(join(desk, 'secret.key'))).toBe(false)
    const nvrBefore = n().lockout.remaining(REMOTE)
    const r2 = await cli(['device', 'info', n().ip, '--user', 'admin', '--password-env', 'DEV_PW', '--data-dir', desk], { DEV_PW: 'Wrong-cli-pass-2' })
    expect(r2.code).toBe(1)
    expect(r2.err).toMatch(/belongs to the desktop app/)
    expect(n().lockout.remaining(REMOTE)).toBe(nvrBefore)
    const check = new App({ dataDir: desk, host: 'electron', keys: memoryKeyProvider() })
    try {
      expect(await new DevicesRepo(check.db).credentials(id)).toMatchObject({ username: 'api', sealed })
    } finally {
      await check.close()
    }
  }, 60_000)
})

describe('support-console device --iface', () => {
  it('reaches a device on the chosen interface; an address outside its networks is an error, nothing sent', async () => {
    const ic = bench.intercom(0)
    const dir = tempDir('sc-cli-iface-')
    const ok = await cli(['device', 'info', ic.ip, '--iface', 'lo', '--data-dir', dir, '--json'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.out)).toMatchObject({ serial: ic.serial, ip: ic.ip })
    expect(ok.err).toMatch(/on lo/)
    // 192.0.2.0/24 is TEST-NET-1: on no interface here, and never routed.
    const off = await cli(['device', 'info', '192.0.2.10', '--iface', 'lo', '--data-dir', dir])
    expect(off.code).toBe(1)
    expect(off.err).toMatch(/192\.0\.2\.10 is not on the network of lo \(127\.0\.0\.0\/8\).*Nothing was sent/)
    const unknown = await cli(['device', 'info', ic.ip, '--iface', 'nosuch0', '--data-dir', dir])
    expect(unknown.code).toBe(1)
    expect(unknown.err).toMatch(/no network interface "nosuch0"/)
  }, 60_000)
})
