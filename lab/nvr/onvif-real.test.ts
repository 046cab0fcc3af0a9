// Issue 16, points 2, 3, 5, 6 and 7: the NVR's ONVIF service as real devices answer —
// GetNetworkInterfaces (MAC) and GetScopes, SOAP 1.2 faults with nested Subcode elements,
// UsernameToken without Created, a minimal Media service, and the Digest challenge for an
// empty POST. Independent clients check the same in lab/conformance/onvif.conformance.test.ts.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../bench'
import { parseXml } from '../core/xml'
import { DigestFetch } from '../test-helpers'
import type { Nvr } from './nvr'

let bench: Bench
let n: Nvr
let url: string

beforeAll(async () => {
  bench = await startBench({ intercoms: 0, nvrs: 1, seed: 'onvif-real-test', hostBase: '127.0.164.', portMode: 'ephemeral', discovery: false, nvrLockout: { tries: 50 } })
  n = bench.nvr(0)
  url = n.xaddr()
})
afterAll(async () => bench?.stop())

/** PasswordText token without Nonce or Created, as a standard SOAP stack (e.g. zeep, .NET) sends it. */
const textToken = (user: string, pw: string) => `<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken><wsse:Username>${user}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">${pw}</wsse:Password></wsse:UsernameToken></wsse:Security>`
const envelope = (body: string, header = '') => `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
const post = (body: string, header = textToken('admin', n.credentials.password), target = url) => fetch(target, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml' }, body: envelope(body, header) })
const bodyOf = async (r: Response) => parseXml(await r.text())!.Envelope.Body

describe('ONVIF as real devices answer', () => {
  it('accepts a UsernameToken without Created (PasswordText, and PasswordDigest over nonce + password)', async () => {
    const r = await post('<tds:GetDeviceInformation/>')
    expect(r.status).toBe(200)
    expect((await bodyOf(r)).GetDeviceInformationResponse.SerialNumber).toBe(n.serial)
    const nonce = randomBytes(16)
    const { createHash } = await import('node:crypto')
    const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(n.credentials.password)])).digest('base64')
    const header = `<Security xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken><Username>admin</Username><Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</Password><Nonce>${nonce.toString('base64')}</Nonce></UsernameToken></Security>`
    expect((await post('<tds:GetDeviceInformation/>', header)).status).toBe(200)
    // Without Created the password still has to be right.
    expect((await post('<tds:GetDeviceInformation/>', textToken('admin', 'wrong'))).status).toBe(400)
  })

  it('GetNetworkInterfaces gives the MAC as tt:HwAddress; GetScopes the name, hardware and location scopes', async () => {
    const ni = (await bodyOf(await post('<tds:GetNetworkInterfaces/>'))).GetNetworkInterfacesResponse.NetworkInterfaces
    expect(ni['@token']).toBe('eth0')
    expect(ni.Info.HwAddress).toBe(n.mac)
    expect(ni.IPv4.Config.Manual.Address).toBe(n.ip)
    const items = (await bodyOf(await post('<tds:GetScopes/>'))).GetScopesResponse.Scopes.map((s: { ScopeDef: string; ScopeItem: string }) => [s.ScopeDef, s.ScopeItem])
    expect(items).toContainEqual(['Fixed', `onvif://www.onvif.org/hardware/${n.model}`])
    expect(items).toContainEqual(['Configurable', `onvif://www.onvif.org/name/2M_${n.model}`])
    expect(items).toContainEqual(['Configurable', 'onvif://www.onvif.org/location/lab'])
    // Both need credentials (READ_SYSTEM).
    expect((await post('<tds:GetScopes/>', '')).status).toBe(401)
  })

  it('writes SOAP 1.2 faults with nested Subcode elements (password too weak, not authorised, action not supported)', async () => {
    const weak = await post('<tds:SetUser><tds:User><tt:Username>operator</tt:Username><tt:Password>1</tt:Password><tt:UserLevel>Operator</tt:UserLevel></tds:User></tds:SetUser>')
    expect(weak.status).toBe(400)
    const code = (await bodyOf(weak)).Fault.Code
    expect(code.Value).toBe('SOAP-ENV:Sender')
    expect(code.Subcode.Value).toBe('ter:OperationProhibited')
    expect(code.Subcode.Subcode.Value).toBe('ter:PasswordTooWeak')
    const na = (await bodyOf(await post('<tds:GetDeviceInformation/>', textToken('admin', 'nope')))).Fault.Code
    expect([na.Value, na.Subcode.Value, na.Subcode.Subcode]).toEqual(['SOAP-ENV:Sender', 'ter:NotAuthorized', undefined])
    const ans = (await bodyOf(await post('<tds:GetZeroConfiguration/>'))).Fault.Code
    expect([ans.Value, ans.Subcode.Value]).toEqual(['SOAP-ENV:Receiver', 'ter:ActionNotSupported'])
  })

  it('has a minimal Media service: advertised by GetCapabilities and GetServices, GetProfiles and GetStreamUri', async () => {
    const caps = (await bodyOf(await post('<tds:GetCapabilities/>', ''))).GetCapabilitiesResponse.Capabilities
    expect(caps.Media.XAddr).toBe(n.mediaXaddr())
    const services = (await bodyOf(await post('<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>', ''))).GetServicesResponse.Service
    expect(services.map((s: { Namespace: string }) => s.Namespace)).toContain('http://www.onvif.org/ver10/media/wsdl')
    const media = n.mediaXaddr()
    const profiles = (await bodyOf(await post('<trt:GetProfiles/>', undefined, media))).GetProfilesResponse.Profiles
    expect(profiles).toHaveLength(n.id.model.channels)
    expect(profiles[0]).toMatchObject({ '@token': 'Profile_101', VideoEncoderConfiguration: { Encoding: 'H264', Resolution: { Width: '1920', Height: '1080' } } })
    const uri = (await bodyOf(await post('<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>Profile_201</trt:ProfileToken></trt:GetStreamUri>', undefined, media))).GetStreamUriResponse.MediaUri
    expect(uri.Uri).toBe(`rtsp://${n.ip}:554/Streaming/Channels/201`)
    const none = await post('<trt:GetStreamUri><trt:ProfileToken>nope</trt:ProfileToken></trt:GetStreamUri>', undefined, media)
    expect((await bodyOf(none)).Fault.Code.Subcode.Subcode.Value).toBe('ter:NoProfile')
    expect((await post('<trt:GetProfiles/>', '', media)).status).toBe(401)
  })

  it('answers an empty POST (a Digest-only client\'s first request) with the 401 challenge, then serves the Digest retry', async () => {
    const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml' } })
    expect(r.status).toBe(401)
    expect(r.headers.get('www-authenticate')).toMatch(/^Digest /)
    // With valid Digest credentials an empty body is a WellFormed fault, as before.
    const authed = await new DigestFetch('admin', n.credentials.password).fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml' } })
    expect(authed.status).toBe(400)
    expect(await authed.text()).toContain('ter:WellFormed')
  })
})
