// The devices methods through the dispatcher (what IPC and the loopback host call): events
// of a scan reach the bus, passwords go in and never come out, audit entries mask them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import { tempDir } from '../../../db/test/helpers'
import { createDispatcher, type Dispatch } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'

let bench: Bench
let app: App
let dispatch: Dispatch
const ctx = { transport: 'test' as const }
const call = async (m: string, input: unknown) => {
  const r = await dispatch(m, input, ctx)
  if (!r.ok) throw Object.assign(new Error(r.error.message), r.error)
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads loosely typed results
  return r.value as Record<string, any>
}

beforeAll(async () => {
  bench = await startBench({ intercoms: 1, nvrs: 1, seed: 'handlers-devices', hostBase: '127.0.51.', portMode: 'standard' })
  app = new App({ dataDir: tempDir('sc-hdev-'), host: 'browser', keys: memoryKeyProvider() })
  dispatch = createDispatcher(app)
})
afterAll(async () => {
  await app?.close()
  await bench?.stop()
})

describe('devices handlers', () => {
  it('a scan streams its results as events and ends with discovery.done', async () => {
    const seen: string[] = []
    const devices: string[] = []
    const off = app.bus.subscribe((name, p) => {
      seen.push(name)
      if (name === 'discovery.device') devices.push((p as { device: { serial: string } }).device.serial)
    })
    const { scanId } = await call('devices.scan', { ifaces: ['lo'], cidr: '127.0.51.0/24', timeoutS: 5, protocols: ['http-2n', 'isapi', 'onvif', 'wsd'] })
    for (let i = 0; i < 100 && !seen.includes('discovery.done'); i++) await new Promise((r) => setTimeout(r, 100))
    off()
    expect(seen).toContain('discovery.progress')
    expect(devices).toContain(bench.intercom(0).serial)
    expect(seen.indexOf('discovery.device')).toBeLessThan(seen.indexOf('discovery.done'))
    const s = await call('devices.scanResult', { scanId })
    expect(s.devices.some((d: { serial: string }) => d.serial === bench.intercom(0).serial)).toBe(true)
  })

  it('an unknown interface is a validation error, nothing is sent', async () => {
    const r = await dispatch('devices.scan', { ifaces: ['eth9-nope'] }, ctx)
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('passwords go in and never come out', async () => {
    const n = bench.nvr(0)
    const { username, password } = n.info().credentials
    const r = await call('devices.addByAddress', { address: n.ip, username, password })
    expect(r.device.serial).toBe(n.serial)
    const detail = await call('devices.get', { id: r.device.id })
    const list = await call('devices.list', {})
    for (const out of [r, detail, list]) expect(JSON.stringify(out)).not.toContain(password)
    expect(detail.hasCredentials).toBe(true)
    const rows = app.db.prepare("SELECT inputs FROM audit_log WHERE action LIKE 'devices.%'").pluck().all() as string[]
    expect(rows.join('\n')).not.toContain(password)
    expect(rows.join('\n')).toContain('[masked]')
    const sealed = app.db.prepare('SELECT sealed FROM device_credentials').pluck().get() as string
    expect(sealed).not.toContain(password)
  })

  it('only devices.addByAddress takes an address; the rest take inventory ids', async () => {
    const r = await dispatch('devices.info', { id: 1, url: 'http://example.com/' }, ctx)
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
    const bad = await dispatch('devices.addByAddress', { address: 'example.com' }, ctx)
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })
})
