// Issue 16: discovery's ONVIF fingerprint against the forms real devices use. A device with
// HTTP Digest off answers an unauthenticated GetDeviceInformation with HTTP 400 and a SOAP 1.2
// fault whose ter:NotAuthorized sits in a nested Subcode (Core Spec 5.9.1); one with Digest
// answers 401. Both mean "ONVIF, needs credentials", not "not ONVIF". (The fingerprint already
// read the nested form; this pins it against the lab's WS-Security-only mode.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import { onvifInfo } from './fingerprint'
import type { NetInterface } from '../../../shared/contract/discovery'

let bench: Bench
beforeAll(async () => {
  bench = await startBench({ intercoms: 0, nvrs: 1, seed: 'discovery-onvif-real', hostBase: '127.0.166.', portMode: 'ephemeral', discovery: false })
})
afterAll(async () => bench?.stop())

const lo: NetInterface = { name: 'lo', address: '127.0.0.1', netmask: '255.0.0.0', cidr: '127.0.0.0/8', mac: '', internal: true }

describe('ONVIF fingerprint and real authentication faults', () => {
  it('WS-Security-only device (400 + nested ter:NotAuthorized) and Digest device (401) are both ONVIF needing credentials', async () => {
    const n = bench.nvr(0)
    for (const auth of ['wsse', 'digest', 'any'] as const) {
      n.onvif.auth = auth
      const out = await onvifInfo(new URL(n.xaddr()), { iface: lo, timeoutMs: 3000, signal: new AbortController().signal })
      expect(out.recognised, auth).toBe(true)
      expect(out.onvif, auth).toBe('auth')
      expect(out.obs, auth).toMatchObject({ protocol: 'onvif', ip: n.ip, needsCredentials: true, onvifUrl: n.xaddr() })
    }
    n.onvif.auth = 'any'
  })
})
