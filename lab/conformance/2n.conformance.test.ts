// The 2N HTTP API of the lab driven by clients nobody here wrote — nmap's http-auth, curl
// (--digest, --basic) and digest-fetch — inside a throwaway loopback-only namespace
// (netns.ts). Issue 16: the Switch, I/O, Audio and Directory functions with the manual's
// shapes (2N HTTP API manual §5.4, §5.5, §5.11, §5.14), and /api/config following the System
// service's authentication setting (§5 table).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLoopbackNetns, deleteNetns, haveTool, runInNetns, uniqueNetnsName } from './netns'

const NS = uniqueNetnsName('2n')

beforeAll(() => createLoopbackNetns(NS))
afterAll(() => deleteNetns(NS))

function requireTool(cmd: string, pkg: string): void {
  if (!haveTool(cmd)) throw new Error(`${cmd} is not installed; this conformance test needs it: apt-get install ${pkg}`)
}

const body = (x: { body: string }) => JSON.parse(x.body)

describe('2N HTTP API with third-party clients', () => {
  it("nmap's http-auth reads the intercom's Digest challenge", async () => {
    requireTool('nmap', 'nmap')
    const { result } = await runInNetns(NS, 'nmap-http-auth')
    const out: string = result.output
    expect(out).toContain('80/tcp open')
    expect(out).toMatch(/HTTP\/1\.1 401/)
    expect(out).toMatch(/Digest[\s\S]*realm=HTTP API/)
    expect(out).toMatch(/qop=auth/)
  }, 60_000)

  it('curl --digest and digest-fetch: switch, io, audio and directory functions with the manual shapes and errors; Basic when System is set to Basic', async () => {
    requireTool('curl', 'curl')
    const { result: r } = await runInNetns(NS, 'clients-2n')
    // Switch (§5.4): caps, ctrl, status, and error 11 for a missing parameter.
    expect(body(r.switchCaps).result.switches[0]).toEqual({ switch: 1, enabled: true, mode: 'monostable', switchOnDuration: 5, type: 'normal' })
    expect(body(r.switchCtrl)).toEqual({ success: true })
    expect(body(r.switchStatus).result.switches).toEqual([{ switch: 1, active: true, locked: false, held: false }])
    expect(body(r.switchMissing)).toEqual({ success: false, error: { code: 11, param: 'switch', description: 'missing mandatory parameter' } })
    // Each curl call went Digest: a 401 challenge first, then the answer.
    expect(r.switchCaps.trace).toMatch(/< HTTP\/1\.1 401[\s\S]*realm="HTTP API"[\s\S]*> Authorization: Digest username="api"[\s\S]*< HTTP\/1\.1 200/)
    // I/O (§5.5), audio (§5.11).
    expect(body(r.ioCaps).result.ports).toContainEqual({ port: 'relay1', type: 'output' })
    expect(body(r.dfIoCtrl)).toEqual({ success: true })
    expect(body(r.dfIoStatus).result.ports).toEqual([{ port: 'relay1', state: 1 }])
    expect(body(r.audioTest)).toEqual({ success: true })
    // Directory (§5.14): template, query (POST JSON), update (PUT JSON).
    expect(body(r.dirTemplate).result.users[0]).toMatchObject({ uuid: '', name: '' })
    const q = body(r.dirQuery).result
    expect(q.series).toMatch(/^\d+$/)
    expect(q.users.map((u: { name: string }) => u.name)).toEqual(['Reception', 'Novák Jan', 'Dvořáková Eva'])
    const up = body(r.dirUpdate).result
    expect(up.users).toEqual([{ uuid: q.users[0].uuid, timestamp: q.iterator.timestamp + 1 }])
    // System on Basic covers /api/config (no separate config setting): curl --basic and
    // digest-fetch's Basic mode get the XML; a Digest-only client gets the Basic challenge.
    expect(r.curlBasicConfig.body).toMatch(/HTTP\/1\.1 200[\s\S]*Content-Type: application\/xml/i)
    expect(r.curlDigestOnBasic.code).toBe('401')
    expect(r.curlDigestOnBasic.trace).toMatch(/WWW-Authenticate: Basic realm="HTTP API"/)
    expect(r.dfBasicConfig.status).toBe(200)
    expect(r.dfBasicConfig.body).toContain('<DeviceDatabase')
  }, 60_000)
})
