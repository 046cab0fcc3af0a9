// Third-party clients that nobody here wrote talk to the bench (issue 3, "Proof that the
// simulators are real enough"): agsh `onvif` and `node-onvif` discover the NVRs over
// loopback multicast and read device information and time; Debian's onvif-util and nmap's
// broadcast-wsdd-discover find them. All of it runs inside a throwaway namespace with only
// a loopback interface (netns.ts), so no probe reaches a real network.
// Issue 16 adds: GetNetworkInterfaces/GetScopes, the Media service, nested SOAP 1.2 fault
// subcodes read by a SOAP/XML stack that is not ours (@xmldom/xmldom), UsernameToken without
// Created, and curl --digest's empty first POST. The 2N API is in 2n.conformance.test.ts.
import { DOMParser } from '@xmldom/xmldom'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLoopbackNetns, deleteNetns, haveTool, runInNetns, uniqueNetnsName } from './netns'

const NS = uniqueNetnsName('onvif')

beforeAll(() => createLoopbackNetns(NS))
afterAll(() => deleteNetns(NS))

interface Nvr { serial: string; ip: string; model: string; onvifPort: number }

function requireTool(cmd: string, pkg: string): void {
  if (!haveTool(cmd)) throw new Error(`${cmd} is not installed; this conformance test needs it: apt-get install ${pkg}`)
}

describe('WS-Discovery responder', () => {
  it('answers tds:Device probes unicast from each NVR address with RelatesTo, ignores other Types', async () => {
    const { result } = await runInNetns(NS, 'raw')
    const nvrs: Nvr[] = result.nvrs
    expect(result.device.map((r: { from: string }) => r.from).sort()).toEqual(nvrs.map((n) => n.ip).sort())
    for (const r of result.device) {
      expect(r.xml).toContain('<wsa:RelatesTo>urn:uuid:1111</wsa:RelatesTo>')
      expect(r.xml).toContain('http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches')
      expect(r.xml).toContain(`<wsdd:XAddrs>http://${r.from}:8000/onvif/device_service</wsdd:XAddrs>`)
    }
    expect(result.display).toEqual([])
  }, 60_000)
})

describe('ONVIF conformance with third-party clients', () => {
  it('agsh onvif: Discovery.probe finds both NVRs, then getSystemDateAndTime and getDeviceInformation work', async () => {
    const { result } = await runInNetns(NS, 'agsh')
    const nvrs: Nvr[] = result.nvrs
    expect(result.devices).toHaveLength(nvrs.length)
    for (const n of nvrs) {
      const d = result.devices.find((x: { info: { serialNumber: string } }) => x.info.serialNumber === n.serial)
      expect(d, `agsh did not find ${n.serial}`).toBeDefined()
      expect(d.types).toBe('dn:NetworkVideoTransmitter tds:Device')
      expect(d.xaddr).toBe(`http://${n.ip}:8000/onvif/device_service`)
      expect(d.urn).toMatch(/^urn:uuid:[0-9a-f-]{36}$/)
      expect(d.info).toMatchObject({ manufacturer: '2M Technology', model: n.model })
      expect(Math.abs(Date.parse(d.time) - Date.now())).toBeLessThan(60_000)
    }
  }, 60_000)

  it('agsh onvif with WS-Security off authenticates by HTTP Digest (SHA-256 of the two challenges), and a wrong password is refused', async () => {
    const { result } = await runInNetns(NS, 'agsh-digest')
    const nvrs: Nvr[] = result.nvrs
    expect(result.devices).toHaveLength(nvrs.length)
    for (const [k, n] of nvrs.entries()) {
      const d = result.devices[k]
      expect(d.error).toBeNull()
      expect(d.info).toMatchObject({ manufacturer: '2M Technology', model: n.model, serialNumber: n.serial })
      // One Digest answer, to the stronger of the NVR's two challenges.
      expect(d.authorization).toHaveLength(1)
      expect(d.authorization[0]).toMatch(/^Digest username="admin",realm="NVR",.*algorithm=SHA-256,qop=auth/)
      expect(d.refused).toBe('Digest authentication failed 401')
      expect(d.refusedAuthorization).toHaveLength(1)
    }
  }, 60_000)

  it('node-onvif: startProbe finds both NVRs, then GetSystemDateAndTime and GetDeviceInformation work', async () => {
    const { result } = await runInNetns(NS, 'node-onvif')
    const nvrs: Nvr[] = result.nvrs
    expect(result.devices).toHaveLength(nvrs.length)
    for (const n of nvrs) {
      const d = result.devices.find((x: { info: { SerialNumber: string } }) => x.info.SerialNumber === n.serial)
      expect(d, `node-onvif did not find ${n.serial}`).toBeDefined()
      expect(d.hardware).toBe(n.model)
      expect(d.info).toMatchObject({ Manufacturer: '2M Technology', Model: n.model })
      expect(Number(d.time.Date.Year)).toBe(new Date().getUTCFullYear())
    }
  }, 60_000)

  it('onvif-util -a (Debian onvif-tools) lists both NVRs', async () => {
    requireTool('onvif-util', 'onvif-tools')
    const { result } = await runInNetns(NS, 'onvif-util')
    const out: string = result.output
    expect(out).toContain(`Found ${result.nvrs.length} cameras`)
    for (const n of result.nvrs as Nvr[]) expect(out).toContain(`${n.ip} `)
  }, 60_000)

  it('onvif-util logs in to an NVR with its credentials and reads name, serial and time', async () => {
    requireTool('onvif-util', 'onvif-tools')
    const { result } = await runInNetns(NS, 'onvif-util-login')
    const n: Nvr = result.nvrs[0]
    const out: string = result.output
    expect(out).toContain('successfully connected to host')
    expect(out).toContain(`serial: ${n.serial}`)
    expect(out).toContain(`name:   2M_${n.model}`)
    expect(out).toMatch(/Time Offset: -?\d+ seconds/)
  }, 60_000)

  it("nmap's broadcast-wsdd-discover finds both NVRs with both Types", async () => {
    requireTool('nmap', 'nmap')
    const { result } = await runInNetns(NS, 'nmap')
    const out: string = result.output
    for (const n of result.nvrs as Nvr[]) expect(out).toContain(`Address: http://${n.ip}:8000/onvif/device_service`)
    expect(out).toContain('NetworkVideoTransmitter tds:Device')
    // ONVIF answers the 2005/04 probe only, not the WS-Discovery 1.1 ("WCF") one.
    expect(out).not.toContain('WCF Services')
  }, 60_000)
})

const SOAP_ENV = 'http://www.w3.org/2003/05/soap-envelope'
const ONVIF_ERR = 'http://www.onvif.org/ver10/error'
const QNAME = /^(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)$/

/**
 * A SOAP 1.2 fault as a namespace-aware XML stack reads it (@xmldom/xmldom, not our parser):
 * env:Fault/env:Code/env:Value, then each nested env:Subcode/env:Value. Every Value is an
 * xs:QName (SOAP 1.2 Part 1 §5.4.1) resolved against the in-scope namespaces; a value that is
 * not a QName (e.g. the old flat "ter:A/ter:B") throws, as a standard SOAP stack does.
 */
function soap12Fault(xml: string): { code: string; subcodes: { ns: string; local: string }[]; reason: string } {
  const doc = new DOMParser({ errorHandler: { error: (m: string) => { throw new Error(m) }, fatalError: (m: string) => { throw new Error(m) } } }).parseFromString(xml, 'text/xml')
  const child = (el: Element, local: string) => Array.from(el.childNodes).find((c): c is Element => c.nodeType === 1 && (c as Element).localName === local && (c as Element).namespaceURI === SOAP_ENV)
  const fault = doc.getElementsByTagNameNS(SOAP_ENV, 'Fault')[0]
  if (!fault) throw new Error('no env:Fault')
  const resolve = (el: Element) => {
    const v = (child(el, 'Value')?.textContent ?? '').trim()
    const m = QNAME.exec(v)
    if (!m) throw new Error(`not an xs:QName: "${v}"`)
    const ns = el.lookupNamespaceURI(m[1] ?? null)
    if (!ns) throw new Error(`unbound prefix in "${v}"`)
    return { ns, local: m[2] }
  }
  const code = child(fault, 'Code')
  if (!code) throw new Error('no env:Code')
  const top = resolve(code)
  if (top.ns !== SOAP_ENV) throw new Error(`fault code ${top.local} is not in the SOAP 1.2 namespace`)
  const subcodes: { ns: string; local: string }[] = []
  for (let sub = child(code, 'Subcode'); sub; sub = child(sub, 'Subcode')) subcodes.push(resolve(sub))
  return { code: top.local, subcodes, reason: (child(child(fault, 'Reason')!, 'Text')?.textContent ?? '').trim() }
}

describe('issue 16: ONVIF as real devices answer, through clients that are not ours', () => {
  it('agsh onvif: GetNetworkInterfaces (MAC), GetScopes, Media GetProfiles + GetStreamUri, and a too-weak password as a fault', async () => {
    const { result: r } = await runInNetns(NS, 'agsh-real')
    expect(r.caps).toBeNull()
    expect(r.networkInterfaces.value[0].info.hwAddress).toBe(r.nvr.mac)
    const scopes = r.scopes.value.map((s: { scopeItem: string }) => s.scopeItem)
    expect(scopes).toEqual(expect.arrayContaining([`onvif://www.onvif.org/name/2M_${r.nvr.model}`, `onvif://www.onvif.org/hardware/${r.nvr.model}`, 'onvif://www.onvif.org/location/lab']))
    expect(r.mediaUri).toBe(`http://${r.nvr.ip}:8000/onvif/media_service`)
    expect(r.profiles).toMatchObject({ count: 4, error: null, token: 'Profile_101' })
    expect(r.streamUri.value.uri).toBe(`rtsp://${r.nvr.ip}:554/Streaming/Channels/101`)
    expect(r.weak.error).toBe('ONVIF SOAP Fault: password too weak')
  }, 60_000)

  it('node-onvif: init() completes (capabilities, information, profiles, stream URIs); interfaces give the MAC; weak password refused', async () => {
    const { result: r } = await runInNetns(NS, 'node-onvif-real')
    expect(r.init).toBeNull()
    expect(r.profiles[0]).toEqual({ token: 'Profile_101', rtsp: `rtsp://${r.nvr.ip}:554/Streaming/Channels/101`, encoding: 'H264' })
    expect(r.networkInterfaces.NetworkInterfaces.Info.HwAddress).toBe(r.nvr.mac)
    expect(JSON.stringify(r.scopes)).toContain('onvif://www.onvif.org/location/lab')
    expect(r.weak).toMatch(/password too weak/)
  }, 60_000)

  it('onvif-util (Debian onvif-tools): get network, get profiles, get rtsp', async () => {
    requireTool('onvif-util', 'onvif-tools')
    const { result: r } = await runInNetns(NS, 'onvif-util-real')
    expect(r.stdout).toContain(`IP Address: ${r.nvr.ip}`)
    expect(r.stdout).not.toContain('ERROR')
    expect(r.stdout).toContain('Token 0: Profile_101')
    expect(r.stdout).toContain(`rtsp://${r.nvr.ip}:554/Streaming/Channels/101`)
  }, 60_000)

  it('curl --digest: the empty first POST gets the 401 Digest challenge, the retry is served; a wrong password ends in 401', async () => {
    requireTool('curl', 'curl')
    const { result: r } = await runInNetns(NS, 'curl-onvif')
    expect(r.digest.code).toBe('200')
    expect(r.digest.body).toContain(`<tds:SerialNumber>${r.nvr.serial}</tds:SerialNumber>`)
    // The wire: curl's first POST carries no body and is answered 401 with a Digest challenge.
    expect(r.digest.trace).toMatch(/> Content-Length: 0\r?\n[\s\S]*?< HTTP\/1\.1 401 [\s\S]*?< WWW-Authenticate: Digest /)
    expect(r.digest.trace).toMatch(/> Authorization: Digest username="admin"/)
    expect(r.digestWrong.code).toBe('401')
    expect(soap12Fault(r.digestWrong.body).subcodes.map((s) => s.local)).toEqual(['NotAuthorized'])
  }, 60_000)

  it('a PasswordText UsernameToken without Nonce or Created is accepted (sent by curl)', async () => {
    requireTool('curl', 'curl')
    const { result: r } = await runInNetns(NS, 'curl-onvif')
    expect(r.noCreated.code).toBe('200')
    expect(r.noCreated.body).toContain(`<tds:SerialNumber>${r.nvr.serial}</tds:SerialNumber>`)
    // The faults of this run, read by a namespace-aware XML stack that is not ours.
    const weak = soap12Fault(r.faults.weak.body)
    expect([r.faults.weak.code, weak.code, weak.subcodes]).toEqual(['400', 'Sender', [{ ns: ONVIF_ERR, local: 'OperationProhibited' }, { ns: ONVIF_ERR, local: 'PasswordTooWeak' }]])
    const na = soap12Fault(r.faults.notAuthorized.body)
    expect([r.faults.notAuthorized.code, na.code, na.subcodes]).toEqual(['400', 'Sender', [{ ns: ONVIF_ERR, local: 'NotAuthorized' }]])
    const ans = soap12Fault(r.faults.notSupported.body)
    expect([r.faults.notSupported.code, ans.code, ans.subcodes]).toEqual(['500', 'Receiver', [{ ns: ONVIF_ERR, local: 'ActionNotSupported' }]])
    // The old flat form is what made standard stacks fail: this reader refuses it too.
    expect(() => soap12Fault(r.faults.weak.body.replace(/<SOAP-ENV:Subcode><SOAP-ENV:Value>ter:PasswordTooWeak<\/SOAP-ENV:Value><\/SOAP-ENV:Subcode>/, '').replace('ter:OperationProhibited<', 'ter:OperationProhibited/ter:PasswordTooWeak<'))).toThrow(/QName/)
  }, 60_000)
})
