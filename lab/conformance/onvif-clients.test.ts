// Third-party clients that nobody here wrote talk to the bench (issue 3, "Proof that the
// simulators are real enough"): agsh `onvif` and `node-onvif` discover the NVRs over
// loopback multicast and read device information and time; Debian's onvif-util and nmap's
// broadcast-wsdd-discover find them. All of it runs inside a throwaway namespace with only
// a loopback interface (netns.ts), so no probe reaches a real network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLoopbackNetns, deleteNetns, haveTool, runInNetns } from './netns'

const NS = `sc-lab-conf-${process.pid}`

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

describe('2N HTTP API with a third-party tool', () => {
  it("nmap's http-auth reads the intercom's Digest challenge", async () => {
    requireTool('nmap', 'nmap')
    const { result } = await runInNetns(NS, 'nmap-http-auth')
    const out: string = result.output
    expect(out).toContain('80/tcp open')
    expect(out).toMatch(/HTTP\/1\.1 401/)
    expect(out).toMatch(/Digest[\s\S]*realm=HTTP API/)
    expect(out).toMatch(/qop=auth/)
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
