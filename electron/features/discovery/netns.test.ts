// Discovery across network namespaces (Linux, root): devices the lab runs one per namespace,
// and a device on another subnet whose WS-Discovery answer arrives but must be explained.
// Every namespace and link here is created by the test and removed after it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../../../lab/bench'
import type { ScanSummary } from '../../../shared/contract/discovery'
import { resolveInterfaces } from './net'
import { startScan } from './scan'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const TSX = `${ROOT}node_modules/.bin/tsx`
const ip = (...a: string[]) => execFileSync('ip', a, { stdio: 'pipe' }).toString()

describe('lab devices each in their own namespace', () => {
  let bench: Bench
  beforeAll(async () => {
    bench = await startBench({ intercoms: 2, nvrs: 1, seed: 'discovery-netns', netns: true })
  }, 60_000)
  afterAll(async () => bench?.stop())

  it('finds them through the console-side interface only, with the sweep and WS-Discovery', async () => {
    const n = bench.netns!
    const scan = startScan({ ifaces: resolveInterfaces([n.rootInterface]), cidr: n.subnet, timeoutMs: 8000 })
    const s = await scan.done
    for (const d of bench.devices.filter((x) => x.kind === 'intercom')) expect(s.devices.filter((f) => f.serial === d.serial)).toHaveLength(1)
    const nvrIp = bench.devices.find((d) => d.kind === 'nvr')!.ip
    const nvr = s.devices.filter((f) => f.addresses.includes(nvrIp))
    expect(nvr).toHaveLength(1)
    expect(nvr[0].protocols).toEqual(expect.arrayContaining(['wsd', 'isapi', 'onvif']))
    expect(s.devices.every((d) => d.ifaces.every((i) => i === n.rootInterface))).toBe(true)
  }, 30_000)
})

describe('a device on another subnet', () => {
  const tag = `sc4${process.pid % 100000}`
  const nsC = `${tag}c`
  const nsD = `${tag}d`
  let benchChild: ChildProcess
  let devices: { kind: string; ip: string; serial: string }[] = []

  beforeAll(async () => {
    ip('netns', 'add', nsC)
    ip('netns', 'add', nsD)
    ip('-n', nsC, 'link', 'set', 'lo', 'up')
    ip('-n', nsD, 'link', 'set', 'lo', 'up')
    ip('-n', nsC, 'link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 'd0', 'netns', nsD)
    ip('-n', nsC, 'addr', 'add', '192.168.77.1/24', 'dev', 'c0')
    ip('-n', nsC, 'link', 'set', 'c0', 'up')
    ip('-n', nsC, 'route', 'add', '10.9.9.0/24', 'dev', 'c0')
    for (const a of ['10.9.9.1/24', '10.9.9.10/24', '10.9.9.11/24']) ip('-n', nsD, 'addr', 'add', a, 'dev', 'd0')
    ip('-n', nsD, 'link', 'set', 'd0', 'up')
    ip('-n', nsD, 'route', 'add', '192.168.77.0/24', 'dev', 'd0')
    // The bench runs from the discovery benchmark's helper mode (lab code stays out of electron/).
    benchChild = spawn('ip', ['netns', 'exec', nsD, TSX, `${ROOT}scripts/bench/discovery.ts`, '--serve-bench', '10.9.9.', '10', '10.9.9.1', '1', '1', 'netns-other-subnet'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
    const first = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: benchChild.stdout! })
      rl.once('line', resolve)
      benchChild.once('exit', (c) => reject(new Error(`bench child exited with ${c}`)))
    })
    devices = JSON.parse(first)
  }, 60_000)
  afterAll(async () => {
    benchChild?.stdin?.end()
    await new Promise((r) => setTimeout(r, 300))
    benchChild?.kill()
    for (const ns of [nsC, nsD]) {
      try {
        ip('netns', 'del', ns)
      } catch {
        /* already gone */
      }
    }
  })

  it('is listed, marked as another subnet, and explained in words', async () => {
    const out = execFileSync('ip', ['netns', 'exec', nsC, TSX, `${ROOT}electron/features/discovery/testing/netns-scan-child.ts`, 'c0', '192.168.77.0/28', '4000'], { cwd: ROOT }).toString()
    const s = JSON.parse(out.trim().split('\n').pop()!) as ScanSummary
    const nvr = devices.find((d) => d.kind === 'nvr')!
    const found = s.devices.find((d) => d.addresses.includes(nvr.ip))
    expect(found?.sameSubnet).toBe(false)
    const why = s.diagnosticList.find((d) => d.kind === 'other-subnet' && d.ip === nvr.ip)
    expect(why?.message).toMatch(/outside c0's network 192\.168\.77\.0\/24/)
    expect(why?.message).toMatch(/another subnet/)
    // The 2N intercom (no WS-Discovery) cannot be found from here: the sweep stays on c0's subnet.
    expect(s.devices.some((d) => d.addresses.includes(devices.find((x) => x.kind === 'intercom')!.ip))).toBe(false)
  }, 30_000)
})
