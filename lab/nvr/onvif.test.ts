// ONVIF device service of the NVR with hand-built SOAP (nvr-reset.md §9): PRE_AUTH time,
// WS-UsernameToken with its time window, Digest, SOAP faults and status codes, users,
// reboot and factory default. Third-party clients are in lab/conformance/.
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../bench'
import { parseXml } from '../core/xml'
import { DigestFetch, waitFor } from '../test-helpers'
import type { Nvr } from './nvr'

let bench: Bench
let n: Nvr
let url: string

beforeAll(async () => {
  bench = await startBench({ intercoms: 0, nvrs: 2, seed: 'onvif-test', hostBase: '127.0.4.', portMode: 'ephemeral', discovery: false, timing: { rebootMs: 150 }, nvrLockout: { tries: 4, lockSeconds: 30 } })
  n = bench.nvr(0)
  url = `http://${n.ip}:${n.onvifPort}/onvif/device_service`
})
afterAll(async () => bench?.stop())

function token(user: string, password: string, created = new Date(bench.clock.now()).toISOString(), text = false): string {
  const nonce = randomBytes(16)
  const pw = text ? password : createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(password)])).digest('base64')
  const type = text ? 'PasswordText' : 'PasswordDigest'
  return `<Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken><Username>${user}</Username><Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#${type}">${pw}</Password><Nonce>${nonce.toString('base64')}</Nonce><Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${created}</Created></UsernameToken></Security>`
}
const envelope = (body: string, header = '') => `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
const post = (body: string, header = '', target = url) => fetch(target, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml' }, body: envelope(body, header) })
const parsed = async (r: Response) => parseXml(await r.text())!.Envelope.Body

describe('ONVIF device service', () => {
  it('answers GetSystemDateAndTime without credentials, with the device clock (skew included)', async () => {
    n.clockSkew(-3600)
    const r = await post('<tds:GetSystemDateAndTime/>')
    expect(r.status).toBe(200)
    const utc = (await parsed(r)).GetSystemDateAndTimeResponse.SystemDateAndTime.UTCDateTime
    const t = Date.UTC(+utc.Date.Year, +utc.Date.Month - 1, +utc.Date.Day, +utc.Time.Hour, +utc.Time.Minute, +utc.Time.Second)
    expect(Math.abs(t - (bench.clock.now() - 3600_000))).toBeLessThan(5000)
    n.clockSkew(0)
  })

  it('needs authentication for GetDeviceInformation: 401 + Digest challenges without a token', async () => {
    const r = await post('<tds:GetDeviceInformation/>')
    expect(r.status).toBe(401)
    expect(r.headers.get('www-authenticate')).toMatch(/^Digest /)
    const b = await r.text()
    expect(b).toContain('ter:NotAuthorized')
  })

  it('accepts a WS-UsernameToken PasswordDigest and PasswordText', async () => {
    const r = await post('<tds:GetDeviceInformation/>', token('admin', n.credentials.password))
    expect(r.status).toBe(200)
    expect((await parsed(r)).GetDeviceInformationResponse).toMatchObject({ Manufacturer: '2M Technology', Model: n.model, SerialNumber: n.serial, FirmwareVersion: n.id.firmware })
    expect((await post('<tds:GetDeviceInformation/>', token('admin', n.credentials.password, undefined, true))).status).toBe(200)
  })

  it('rejects a bad token with HTTP 400 and a ter:NotAuthorized fault, and a token outside the time window', async () => {
    const bad = await post('<tds:GetDeviceInformation/>', token('admin', 'wrong'))
    expect(bad.status).toBe(400)
    const f = (await parsed(bad)).Fault
    expect(f.Code.Value).toBe('SOAP-ENV:Sender')
    expect(f.Code.Subcode.Value).toBe('ter:NotAuthorized')
    const stale = await post('<tds:GetDeviceInformation/>', token('admin', n.credentials.password, new Date(bench.clock.now() - 600_000).toISOString()))
    expect(stale.status).toBe(400)
    expect(await stale.text()).toContain('time window')
    // A client that synchronised with the skewed device clock gets in.
    n.clockSkew(900)
    expect((await post('<tds:GetDeviceInformation/>', token('admin', n.credentials.password, new Date(n.deviceNow()).toISOString()))).status).toBe(200)
    n.clockSkew(0)
  })

  it('accepts HTTP Digest instead of WS-Security', async () => {
    const r = await new DigestFetch('admin', n.credentials.password).fetch(url, { method: 'POST', body: envelope('<tds:GetDeviceInformation/>') })
    expect(r.status).toBe(200)
    expect(await r.text()).toContain(n.serial)
  })

  it('lists users and changes a password with SetUser; unknown operations give ActionNotSupported', async () => {
    const t = () => token('admin', n.credentials.password)
    const users = (await parsed(await post('<tds:GetUsers/>', t()))).GetUsersResponse.User
    expect(users.map((u: { Username: string }) => u.Username)).toEqual(['admin', 'operator'])
    const weak = await post('<tds:SetUser><tds:User><tt:Username>operator</tt:Username><tt:Password>1</tt:Password><tt:UserLevel>Operator</tt:UserLevel></tds:User></tds:SetUser>', t())
    expect(weak.status).toBe(400)
    const ok = await post('<tds:SetUser><tds:User><tt:Username>operator</tt:Username><tt:Password>0nvifOper8</tt:Password><tt:UserLevel>Operator</tt:UserLevel></tds:User></tds:SetUser>', t())
    expect(ok.status).toBe(200)
    expect(n.passwordOf('operator')).toBe('0nvifOper8')
    // An operator may read but not manage users.
    expect((await post('<tds:GetUsers/>', token('operator', '0nvifOper8'))).status).toBe(400)
    const un = await post('<tds:GetZeroConfiguration/>', t())
    expect(un.status).toBe(500)
    expect(await un.text()).toContain('ter:ActionNotSupported')
  })

  it('counts ONVIF failures towards the same per-address lockout as ISAPI', async () => {
    const d = bench.nvr(1)
    const u = `http://${d.ip}:${d.onvifPort}/onvif/device_service`
    for (let i = 0; i < 4; i++) await post('<tds:GetDeviceInformation/>', token('admin', 'wrong'), u)
    const r = await post('<tds:GetDeviceInformation/>', token('admin', d.credentials.password), u)
    expect(r.status).toBe(400)
    expect(await r.text()).toContain('locked')
    expect((await new DigestFetch('admin', d.credentials.password).fetch(`http://${d.ip}:${d.httpPort}/ISAPI/System/deviceInfo`)).status).toBe(403)
    await bench.advance(31_000)
    expect((await post('<tds:GetDeviceInformation/>', token('admin', d.credentials.password), u)).status).toBe(200)
  })

  it('SystemReboot reboots; SetSystemFactoryDefault needs Hard or Soft and resets', async () => {
    const t = () => token('admin', n.credentials.password)
    const r = await post('<tds:SystemReboot/>', t())
    expect((await parsed(r)).SystemRebootResponse.Message).toMatch(/Rebooting/)
    await waitFor(() => !n.online, 2000, 'reboot')
    await waitFor(() => n.online, 3000, 'back')
    expect((await post('<tds:SetSystemFactoryDefault><tds:FactoryDefault>Maybe</tds:FactoryDefault></tds:SetSystemFactoryDefault>', t())).status).toBe(400)
    expect((await post('<tds:SetSystemFactoryDefault><tds:FactoryDefault>Soft</tds:FactoryDefault></tds:SetSystemFactoryDefault>', t())).status).toBe(200)
    await waitFor(() => n.passwordOf('admin') === '123456', 2000, 'reset')
    await waitFor(() => n.online, 3000, 'back after reset')
    expect(n.ip).toBe('127.0.4.10')
  })
})
