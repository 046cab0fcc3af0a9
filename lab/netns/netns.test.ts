// --netns benches: devices in their own namespaces on a veth bridge, reachable from the root
// namespace over a link-local veth; WS-Discovery crosses the bridge; everything is removed on
// stop, on a crash (process 'exit' hook) and, after a SIGKILL, at the next start.
import { execFileSync, spawn } from 'node:child_process'
import dgram from 'node:dgram'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../bench'
import { reachable, waitFor } from '../test-helpers'
import { removeStale } from './topology'

const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter(Boolean)

describe('--netns bench', () => {
  let bench: Bench
  beforeAll(async () => {
    bench = await startBench({ intercoms: 1, nvrs: 1, seed: 'netns-test', netns: true, timing: { rebootMs: 300 } })
  }, 60_000)
  afterAll(async () => bench?.stop())

  it('puts each device in its own namespace, reachable from the root namespace on standard ports', async () => {
    const n = bench.netns!
    expect(n.deviceNamespaces).toHaveLength(2)
    for (const ns of n.deviceNamespaces) expect(namespaces()).toContain(ns)
    const [i, nvr] = bench.devices
    expect(i.ip).toMatch(/^169\.254\.\d+\.10$/)
    expect([i.httpPort, nvr.onvifPort]).toEqual([80, 8000])
    const info = await (await fetch(`http://${i.ip}/api/system/info`)).json() as { result: { serialNumber: string } }
    expect(info.result.serialNumber).toBe(i.serial)
    // The device really is elsewhere: its address is not local to the root namespace.
    expect(execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' })).not.toContain(`${i.ip}/`)
  })

  it('answers a WS-Discovery probe sent on the lab link, from the NVR\'s own address', async () => {
    const s = dgram.createSocket('udp4')
    const from: string[] = []
    s.on('message', (_m, r) => from.push(r.address))
    await new Promise<void>((r) => s.bind(0, bench.netns!.consoleIp, () => r()))
    s.setMulticastInterface(bench.netns!.consoleIp)
    s.send('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><e:Header><w:MessageID>urn:uuid:42</w:MessageID></e:Header><e:Body><d:Probe/></e:Body></e:Envelope>', 3702, '239.255.255.250')
    await new Promise((r) => setTimeout(r, 800))
    s.close()
    expect(from).toEqual([bench.devices[1].ip])
  })

  it('drives scenarios in the device processes (reboot, moveToAddress) through the control interface, with Bye/Hello', async () => {
    const nvr = bench.devices[1]
    const url = () => `http://${nvr.ip}/ISAPI/System/deviceInfo`
    const heard: string[] = []
    const l = dgram.createSocket({ type: 'udp4', reuseAddr: true })
    l.on('message', (m, r) => { if (r.address === nvr.ip) heard.push(/discovery\/(Hello|Bye)</.exec(m.toString())?.[1] ?? 'other') })
    await new Promise<void>((r) => l.bind(3702, '0.0.0.0', () => r()))
    l.addMembership('239.255.255.250', bench.netns!.consoleIp)
    await nvr.reboot(1500)
    expect(await reachable(url())).toBe(false)
    await waitFor(() => reachable(url()), 8000, 'NVR back')
    await waitFor(() => heard.includes('Hello'), 2000, 'Hello')
    l.close()
    expect(heard).toEqual(['Bye', 'Hello'])
    const target = bench.netns!.consoleIp.replace(/\.1$/, '.200')
    const r = await fetch(`${bench.control.url}/devices/${nvr.serial}/moveToAddress`, { method: 'POST', headers: { Authorization: `Bearer ${bench.control.token}` }, body: JSON.stringify({ ip: target }) })
    expect(r.status).toBe(200)
    expect(nvr.ip).toBe(target)
    expect((await fetch(url())).status).toBe(401)
  })

  it('removes its namespaces and link on stop', async () => {
    const n = bench.netns!
    await bench.stop()
    const left = namespaces()
    for (const ns of [...n.deviceNamespaces, n.bridgeNamespace]) expect(left).not.toContain(ns)
    expect(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })).not.toContain(`${n.rootInterface}@`)
  })
})

function startFixture(mode: 'crash' | 'wait') {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixture-start.ts'), mode], { stdio: ['ignore', 'pipe', 'pipe'] })
  const ready = new Promise<{ netns: { bridgeNamespace: string; deviceNamespaces: string[] } }>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (c) => {
      out += c
      const line = out.split('\n').find((l) => l.startsWith('READY '))
      if (line) resolve(JSON.parse(line.slice(6)))
    })
    child.on('exit', (code) => reject(new Error(`fixture exited (${code}) before READY: ${out}`)))
  })
  const exited = new Promise<void>((r) => child.on('exit', () => r()))
  return { child, ready, exited }
}

describe('--netns cleanup', () => {
  it('cleans up when the process crashes', async () => {
    const f = startFixture('crash')
    const { netns } = await f.ready
    expect(namespaces()).toContain(netns.bridgeNamespace)
    await f.exited
    const left = namespaces()
    for (const ns of [netns.bridgeNamespace, ...netns.deviceNamespaces]) expect(left).not.toContain(ns)
  }, 60_000)

  it('after a SIGKILL, the next start removes the stale namespaces', async () => {
    const f = startFixture('wait')
    const { netns } = await f.ready
    f.child.kill('SIGKILL')
    await f.exited
    expect(namespaces()).toContain(netns.bridgeNamespace)
    const removed = removeStale()
    expect(removed).toContain(netns.bridgeNamespace)
    const left = namespaces()
    for (const ns of [netns.bridgeNamespace, ...netns.deviceNamespaces]) expect(left).not.toContain(ns)
  }, 60_000)
})

// `support-console lab --netns` through the real entry point: a signal during start-up
// aborts the start and removes what was set up; a signal once it runs stops it cleanly.
const BIN = join(import.meta.dirname, '..', '..', 'bin/support-console.mjs')
const rootLinks = () => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
/** Processes whose command line mentions `word` (the device processes carry the seed). */
const processesWith = (word: string) => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
  try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(word) } catch { return false }
})

function startCli(seed: string) {
  const child = spawn(process.execPath, [BIN, 'lab', '--netns', '--intercoms', '1', '--nvrs', '2', '--no-discovery', '--seed', seed], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = '', err = ''
  child.stdout.on('data', (c) => (out += c))
  child.stderr.on('data', (c) => (err += c))
  const exited = new Promise<{ code: number | null; at: number }>((r) => child.on('exit', (code) => r({ code, at: Date.now() })))
  return { child, exited, out: () => out, err: () => err, prefix: `sc-lab-${child.pid}-` }
}

async function expectGone(cli: ReturnType<typeof startCli>, seed: string) {
  expect(namespaces().filter((n) => n.startsWith(cli.prefix))).toEqual([])
  expect(rootLinks()).not.toMatch(new RegExp(`: sclab${cli.child.pid}[@:]`))
  expect(processesWith(seed)).toEqual([])
}

describe('lab --netns and signals', () => {
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${sig} during start-up aborts the start and removes its namespaces and link (exit ${code})`, async () => {
      const seed = `netns-${sig}-startup-${process.pid}`
      const cli = startCli(seed)
      // The topology is built first, then the device processes start (about a second each).
      await waitFor(() => namespaces().some((n) => n.startsWith(cli.prefix)), 20_000, 'namespaces')
      expect(cli.out()).not.toContain('KIND')
      const sent = Date.now()
      cli.child.kill(sig)
      const { code: exit, at } = await cli.exited
      expect(exit).toBe(code)
      expect(at - sent).toBeLessThan(5000)
      expect(cli.err()).toContain(`Interrupted by ${sig} during start-up`)
      expect(cli.out()).not.toContain('Running.')
      await expectGone(cli, seed)
    }, 40_000)
  }

  it('SIGINT once it is running stops the bench, removes everything and exits 0', async () => {
    const seed = `netns-sigint-ready-${process.pid}`
    const cli = startCli(seed)
    await waitFor(() => cli.out().includes('Running. Press Ctrl-C to stop.'), 60_000, 'the bench to be ready')
    expect(cli.out().split('\n').filter((l) => /^(intercom|nvr) /.test(l))).toHaveLength(3)
    expect(namespaces().filter((n) => n.startsWith(cli.prefix))).toHaveLength(4)
    expect(rootLinks()).toMatch(new RegExp(`: sclab${cli.child.pid}@`))
    const sent = Date.now()
    cli.child.kill('SIGINT')
    const { code, at } = await cli.exited
    expect(code).toBe(0)
    expect(at - sent).toBeLessThan(5000)
    await expectGone(cli, seed)
  }, 70_000)
})
