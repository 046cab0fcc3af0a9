// The control interface and the scenarios it drives (issue 3 "Start and control"), plus the
// simulated My2N cloud's answers for the "move a device to another My2N account" workflow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../bench'
import { DigestFetch, jsonBody, reachable, waitFor, type Loose } from '../test-helpers'

let bench: Bench

beforeAll(async () => {
  bench = await startBench({ intercoms: 2, nvrs: 1, seed: 'control-test', hostBase: '127.0.5.', portMode: 'ephemeral', discovery: false, timing: { rebootMs: 150 }, defaultAddress: (i) => `127.0.55.${100 + i}` })
})
afterAll(async () => bench?.stop())

async function control(method: string, path: string, body?: unknown, token = bench.control.token): Promise<{ status: number; body: Loose }> {
  const r = await fetch(`${bench.control.url}${path}`, { method, headers: { Authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: r.status, body: r.headers.get('content-type')?.includes('json') ? await r.json() : null }
}
const info = (d: { ip: string; httpPort: number }) => `http://${d.ip}:${d.httpPort}/api/system/info`

describe('control interface', () => {
  it('needs the bearer token and lists the devices', async () => {
    expect((await control('GET', '/devices', undefined, 'nope')).status).toBe(401)
    const r = await control('GET', '/devices')
    expect(r.body.devices.map((d: { serial: string }) => d.serial)).toEqual(bench.devices.map((d) => d.serial))
    const one = await control('GET', `/devices/${bench.devices[2].ip}`)
    expect(one.body.kind).toBe('nvr')
    expect((await control('GET', '/devices/nothing')).status).toBe(404)
    expect((await control('POST', `/devices/${bench.devices[0].serial}/explode`)).status).toBe(400)
  })

  it('slow: replies are delayed by the given time', async () => {
    const d = bench.devices[0]
    // Wide margins: CI machines are shared and slow, the point is "delayed" vs "not delayed".
    await control('POST', `/devices/${d.serial}/slow`, { ms: 1500 })
    const t = Date.now()
    await fetch(info(d))
    expect(Date.now() - t).toBeGreaterThanOrEqual(1490)
    await control('POST', `/devices/${d.serial}/normal`)
    const t2 = Date.now()
    await fetch(info(d))
    expect(Date.now() - t2).toBeLessThan(1000)
  })

  it('truncate: the connection drops mid-reply', async () => {
    const d = bench.devices[0]
    await control('POST', `/devices/${d.serial}/truncate`, { on: true })
    await expect(fetch(info(d)).then((r) => r.text())).rejects.toThrow()
    await control('POST', `/devices/${d.serial}/truncate`, { on: false })
    expect((await jsonBody(await fetch(info(d)))).success).toBe(true)
  })

  it('malformed: JSON and XML replies no longer parse', async () => {
    const d = bench.devices[0]
    const n = bench.devices[2]
    await control('POST', `/devices/${d.serial}/malformed`, { on: true })
    await control('POST', `/devices/${n.serial}/malformed`, { on: true })
    const r = await fetch(info(d))
    expect(r.status).toBe(200)
    await expect(r.json()).rejects.toThrow()
    const soap = await fetch(`http://${n.ip}:${n.onvifPort}/onvif/device_service`, { method: 'POST', body: '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>' })
    const { XMLValidator } = await import('fast-xml-parser')
    expect(XMLValidator.validate(await soap.text())).not.toBe(true)
    await control('POST', `/devices/${d.serial}/normal`)
    await control('POST', `/devices/${n.serial}/normal`)
  })

  it('powerOff / powerOn and reboot take the device off the network', async () => {
    const d = bench.devices[1]
    await control('POST', `/devices/${d.serial}/powerOff`)
    expect(await reachable(info(d))).toBe(false)
    await control('POST', `/devices/${d.serial}/powerOn`)
    expect(await reachable(info(d))).toBe(true)
    await control('POST', `/devices/${d.serial}/reboot`, { offlineMs: 1500 })
    expect(await reachable(info(d))).toBe(false)
    await waitFor(() => reachable(info(d)), 6000, 'back after reboot')
  })

  it('clockSkew moves the device clock', async () => {
    const d = bench.devices[2]
    await control('POST', `/devices/${d.serial}/clockSkew`, { seconds: 7200 })
    expect((await control('GET', `/devices/${d.serial}`)).body.skewSeconds).toBe(7200)
    await control('POST', `/devices/${d.serial}/clockSkew`, { seconds: 0 })
  })

  it('moveToAddress: the device comes back at another address, found by serial', async () => {
    const d = bench.devices[1]
    const old = d.ip
    const r = await control('POST', `/devices/${d.serial}/moveToAddress`, { ip: '127.0.5.200' })
    expect(r.body.device.ip).toBe('127.0.5.200')
    expect(await reachable(`http://${old}:${d.httpPort}/api/system/info`)).toBe(false)
    expect((await jsonBody(await fetch(info(d)))).result.serialNumber).toBe(d.serial)
    expect(bench.get('127.0.5.200')).toBe(d)
  })

  it('Retrieve Password screen can be opened and left from the control interface', async () => {
    const n = bench.devices[2]
    const open = await control('POST', `/devices/${n.serial}/openRetrievePassword`)
    expect(open.body.result.payload).toMatch(/^2MSIM1:/)
    expect((await fetch(`${bench.control.url}/devices/${n.serial}/screen.png`, { headers: { Authorization: `Bearer ${bench.control.token}` } })).status).toBe(200)
    await control('POST', `/devices/${n.serial}/leaveRetrievePasswordScreen`)
    expect((await control('GET', `/devices/${n.serial}`)).body.retrievePassword).toBeNull()
  })

  it('switches intercom quirks: login page instead of configuration, POST without Content-Type', async () => {
    const d = bench.devices[0]
    expect((await control('POST', `/devices/${d.serial}/quirk`, { name: 'nope' })).status).toBe(400)
    await control('POST', `/devices/${d.serial}/quirk`, { name: 'configLoginPage', on: true })
    const page = await fetch(`http://${d.ip}:${d.httpPort}/api/config`)
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8'])
    expect(await page.text()).toContain('<form')
    await control('POST', `/devices/${d.serial}/quirk`, { name: 'configLoginPage', on: false })
    expect((await fetch(`http://${d.ip}:${d.httpPort}/api/config`)).status).toBe(401)
    await control('POST', `/devices/${d.serial}/quirk`, { name: 'postNeedsContentType', on: true })
    const c = new DigestFetch(d.credentials.username, d.credentials.password)
    expect((await jsonBody(await c.fetch(`http://${d.ip}:${d.httpPort}/api/system/status`, { method: 'POST' }))).error).toMatchObject({ code: 14, description: 'Unsupported Content-Type' })
    const withType = await c.fetch(`http://${d.ip}:${d.httpPort}/api/system/status`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' })
    expect((await jsonBody(withType)).success).toBe(true)
    await control('POST', `/devices/${d.serial}/quirk`, { name: 'postNeedsContentType', on: false })
  })

  it('uses the configured default address for a network factory reset', async () => {
    expect(bench.intercom(1).defaultIp).toBe('127.0.55.101')
    expect(bench.nvr(0).defaultIp).toBe('127.0.55.102')
  })

  it('advances the bench clock', async () => {
    const before = bench.clock.now()
    await control('POST', '/clock/advance', { seconds: 3600 })
    expect(bench.clock.now() - before).toBeGreaterThanOrEqual(3600_000)
  })
})

describe('My2N (simulated)', () => {
  const add = (serialNumber: string, securityCode: string, key = bench.my2n.apiKey, site = bench.my2n.siteId) =>
    fetch(`${bench.my2n.url}/api/v1/sites/${site}/devices`, { method: 'POST', headers: { 'x-api-key': key, 'Content-Type': 'application/json' }, body: JSON.stringify({ serialNumber, securityCode }) })
      .then(async (r) => ({ status: r.status, body: await jsonBody(r) }))
  const code = async (serial: string) => (await control('GET', `/devices/${serial}`)).body.my2n.securityCode as string

  it('answers "The Serial Number does not exist" and a wrong code, then adds the device', async () => {
    const d = bench.devices[0]
    const nope = await add('12-0000-0000', 'AAAA-BBBB-CCCC')
    expect([nope.status, nope.body.error.message]).toEqual([404, 'The Serial Number does not exist'])
    expect((await add(d.serial, 'AAAA-BBBB-CCCC')).status).toBe(403)
    const ok = await add(d.serial, await code(d.serial))
    expect(ok.status).toBe(201)
    const again = await add(d.serial, await code(d.serial))
    expect([again.status, again.body.error.message]).toEqual([409, 'The device is already added'])
    const list = await jsonBody(await fetch(`${bench.my2n.url}/api/v1/sites/${bench.my2n.siteId}/devices`, { headers: { 'x-api-key': bench.my2n.apiKey } }))
    expect(list.devices.map((x: { serialNumber: string }) => x.serialNumber)).toEqual([d.serial])
    const del = await fetch(`${bench.my2n.url}/api/v1/sites/${bench.my2n.siteId}/devices/${d.serial}`, { method: 'DELETE', headers: { 'x-api-key': bench.my2n.apiKey } })
    expect(del.status).toBe(204)
  })

  it('after "Generate New" in the web interface the old code is refused, the new one adds the device', async () => {
    const d = bench.devices[0]
    const ip = `http://${d.ip}:${d.httpPort}`
    const login = await jsonBody(await fetch(`${ip}/web/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password: bench.intercom(0).web.password }) }))
    const session = { 'X-Session': login.result.session }
    const old = (await jsonBody(await fetch(`${ip}/web/my2n`, { headers: session }))).result.securityCode
    expect(old).toBe(await code(d.serial))
    const fresh = (await jsonBody(await fetch(`${ip}/web/my2n/generate`, { method: 'POST', headers: session, body: '{}' }))).result.securityCode
    expect(fresh).not.toBe(old)
    const refused = await add(d.serial, old)
    expect([refused.status, refused.body.error.message]).toEqual([403, 'The security code is not valid'])
    // My2N compares codes case-insensitively; no spelling of the old code passes.
    expect((await add(d.serial, old.toLowerCase())).status).toBe(403)
    expect((await add(d.serial, fresh)).status).toBe(201)
    const del = await fetch(`${bench.my2n.url}/api/v1/sites/${bench.my2n.siteId}/devices/${d.serial}`, { method: 'DELETE', headers: { 'x-api-key': bench.my2n.apiKey } })
    expect(del.status).toBe(204)
  })

  it('a device in another account is "already added" until a new code is generated', async () => {
    const d = bench.devices[1]
    await control('POST', `/devices/${d.serial}/alreadyInMy2nAccount`, { company: 'Previous Owner s.r.o.' })
    expect((await control('GET', `/devices/${d.serial}`)).body.my2n.owner).toBe(bench.my2n.companies[0].id)
    const old = await code(d.serial)
    expect((await add(d.serial, old)).body.error.message).toBe('The device is already added')
    const gen = await control('POST', `/devices/${d.serial}/generateMy2nCode`)
    const fresh = gen.body.result.securityCode
    expect(fresh).not.toBe(old)
    expect((await add(d.serial, old)).body.error.message).toBe('The device is already added')
    const moved = await add(d.serial, fresh)
    expect(moved.status).toBe(201)
    expect(moved.body.movedFrom).toBe(bench.my2n.companies[0].id)
  })

  it('the previous owner deleting the device frees it', async () => {
    const d = bench.devices[0]
    await control('POST', `/devices/${d.serial}/alreadyInMy2nAccount`)
    expect((await add(d.serial, await code(d.serial))).status).toBe(409)
    const prev = bench.my2n.companies[0]
    const del = await fetch(`${bench.my2n.url}/api/v1/sites/${prev.siteId}/devices/${d.serial}`, { method: 'DELETE', headers: { 'x-api-key': prev.apiKey } })
    expect(del.status).toBe(204)
    expect((await add(d.serial, await code(d.serial))).status).toBe(201)
  })
})
