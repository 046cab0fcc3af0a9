// `--netns` benches: every device is a process in its own network namespace on a veth
// bridge (topology.ts), so discovery crosses a real link with real addresses. My2N, the
// vendor service and the control interface stay in this process on 127.0.0.1; the console
// (in the root namespace) reaches the devices through the link-local veth.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { Bench, BenchDevice, BenchOptions } from '../bench'
import { SimClock } from '../core/clock'
import { SeededRng } from '../core/rng'
import { My2nCloud } from '../cloud/my2n'
import { VendorResetService } from '../cloud/vendor'
import { NotFound, startControlServer, type ControlBackend } from '../control/server'
import type { DeviceInfo } from '../device'
import { ScenarioError } from '../scenarios'
import type { DeviceSpec, FromChild, ToChild } from './device-main'
import { createTopology, destroyTopology, removeStale } from './topology'

class NetnsDevice implements BenchDevice {
  private last: DeviceInfo
  private nextId = 1
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()

  constructor(readonly child: ChildProcess, ready: DeviceInfo, readonly netns: string) {
    this.last = ready
    child.on('message', (m: FromChild) => {
      if (!('id' in m)) return
      const p = this.pending.get(m.id)
      if (!p) return
      this.pending.delete(m.id)
      if (m.ok) {
        const v = m.value as { value: unknown; info: DeviceInfo }
        this.last = v.info
        p.resolve(v.value)
      } else p.reject(m.kind === 'ScenarioError' ? new ScenarioError(m.error) : new Error(m.error))
    })
    child.on('exit', () => { for (const p of this.pending.values()) p.reject(new Error('device process exited')); this.pending.clear() })
  }

  call(op: ToChild['op'], extra: Omit<ToChild, 'id' | 'op'> = {}): Promise<unknown> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.child.send({ id, op, ...extra } satisfies ToChild)
    })
  }

  get kind() { return this.last.kind }
  get model() { return this.last.model }
  get serial() { return this.last.serial }
  get mac() { return this.last.mac }
  get ip() { return this.last.ip }
  get httpPort() { return this.last.httpPort }
  get httpsPort() { return this.last.httpsPort }
  get onvifPort() { return this.last.onvifPort }
  get credentials() { return this.last.credentials }
  info(): DeviceInfo { return this.last }
  private act = async (action: string, args: Record<string, unknown> = {}) => { await this.call('act', { action, args }) }
  reboot(offlineMs?: number) { return this.act('reboot', offlineMs === undefined ? {} : { offlineMs }) }
  powerOff() { return this.act('powerOff') }
  powerOn() { return this.act('powerOn') }
  slow(ms: number) { return this.act('slow', { ms }) }
  truncate(on = true) { return this.act('truncate', { on }) }
  malformed(on = true) { return this.act('malformed', { on }) }
  normal() { return this.act('normal') }
  clockSkew(seconds: number) { return this.act('clockSkew', { seconds }) }
  leaveRetrievePasswordScreen() { return this.act('leaveRetrievePasswordScreen') }
  alreadyInMy2nAccount(company?: string) { return this.act('alreadyInMy2nAccount', company ? { company } : {}) }
  moveToAddress(ip: string) { return this.act('moveToAddress', { ip }) }
}

export async function startNetnsBench(opts: BenchOptions): Promise<Bench> {
  const seed = String(opts.seed ?? randomBytes(6).toString('hex'))
  const nI = opts.intercoms ?? 1
  const nN = opts.nvrs ?? 1
  const signal = opts.signal
  signal?.throwIfAborted()
  removeStale()
  const topo = createTopology(nI + nN)
  const children: ChildProcess[] = []
  const readyChildren = new Set<ChildProcess>()
  // Crash or plain exit: tear everything down synchronously.
  const onExit = () => { for (const c of children) c.kill('SIGKILL'); destroyTopology(topo) }
  process.on('exit', onExit)

  const rng = new SeededRng(`sc-lab:${seed}`)
  const clock = new SimClock()
  const vendorKey = createHmac('sha256', 'sc-lab-vendor').update(seed).digest()
  const my2n = new My2nCloud(rng.fork('my2n'), () => clock.now())
  const vendor = new VendorResetService(rng.fork('vendor'), vendorKey, () => clock.now(), opts.vendorRateLimit)
  const devices: NetnsDevice[] = []
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await controlRef.server?.close()
    await my2n.stop()
    await vendor.stop()
    await Promise.all(children.map((c) => new Promise<void>((r) => {
      if (c.exitCode !== null || c.signalCode !== null) return r()
      c.once('exit', () => r())
      // A device that is still starting has nothing to close: end it now (start aborted).
      if (!readyChildren.has(c)) return void c.kill('SIGKILL')
      c.disconnect?.()
      setTimeout(() => c.kill('SIGKILL'), 2000).unref()
    })))
    destroyTopology(topo)
    process.off('exit', onExit)
  }
  const controlRef: { server?: { url: string; close(): Promise<void> } } = {}
  // A signal during start-up (Ctrl-C in `lab --netns`) aborts the start: no more device
  // processes are launched, the waiting stops, and the catch below removes everything.
  let onAbort = () => {}
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
  aborted.catch(() => {})
  try {
    const entry = join(import.meta.dirname, 'device-main.ts')
    const launch = (i: number, spec: DeviceSpec) => {
      if (stopped || signal?.aborted) return Promise.reject(signal?.reason ?? new Error('bench stopped during start-up'))
      const child = spawn('ip', ['netns', 'exec', topo.deviceNs[i], process.execPath, '--import', 'tsx', entry, JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      children.push(child)
      return new Promise<NetnsDevice>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`device ${i} did not start within 60 s`)), 60_000)
        child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`device ${i} exited (${code}) before it was ready`)) })
        child.on('message', (m: FromChild) => {
          if ('type' in m && m.type === 'my2n') {
            if (m.op === 'code') my2n.setCode(m.serial, m.value)
            else my2n.assign(m.serial, m.value)
          }
          if ('type' in m && m.type === 'ready') { clearTimeout(timer); readyChildren.add(child); resolve(new NetnsDevice(child, m.info as DeviceInfo, topo.deviceNs[i])) }
        })
      })
    }
    // A few at a time: each device is a Node process, and a loaded 2-core CI machine would
    // otherwise spend its time switching between 30 compiling processes.
    const slots = new Array(4).fill(Promise.resolve()) as Promise<unknown>[]
    const started = Array.from({ length: nI + nN }, (_, i) => {
      const spec: DeviceSpec = {
        kind: i < nI ? 'intercom' : 'nvr', index: i, kindIndex: i < nI ? i : i - nI, seed, ip: topo.deviceIps[i], defaultIp: topo.defaultIps[i],
        vendorKeyHex: vendorKey.toString('hex'), timing: opts.timing, nvrLockout: opts.nvrLockout, discovery: opts.discovery ?? true,
      }
      const slot = i % slots.length
      const ready = slots[slot].then(() => launch(i, spec))
      slots[slot] = ready.catch(() => {})
      return ready
    })
    devices.push(...(await Promise.race([Promise.all(started), aborted])))
    for (const d of devices) if (d.kind === 'nvr') vendor.register(d.serial, d.model, d.mac)
    await my2n.start('127.0.0.1')
    await vendor.start('127.0.0.1')
    signal?.throwIfAborted()
  } catch (e) {
    signal?.removeEventListener('abort', onAbort)
    await stop()
    throw e
  }
  const get = (key: string): NetnsDevice => {
    const d = devices.find((x) => x.serial === key || x.ip === key || x.mac.toLowerCase() === key.toLowerCase())
    if (!d) throw new NotFound(`no device with serial, IP or MAC "${key}" on this bench`)
    return d
  }
  const advance = async (ms: number) => {
    clock.advance(ms)
    await Promise.all(devices.map((d) => d.call('advance', { ms })))
  }
  const backend: ControlBackend = {
    list: () => devices.map((d) => d.info()),
    detail: async (key) => {
      const body = (await get(key).call('detail')) as Record<string, unknown>
      if (body.my2n) (body.my2n as Record<string, unknown>).owner = my2n.ownerOf(get(key).serial)
      return body
    },
    act: async (key, action, args) => {
      const d = get(key)
      const r = (await d.call('act', { action, args })) as { result: unknown }
      return { result: r.result, device: d.info() }
    },
    screen: async (key) => {
      const b64 = (await get(key).call('screen')) as string | null
      return b64 ? Buffer.from(b64, 'base64') : null
    },
    advance,
    my2nRemove: async (key) => my2n.remove(get(key).serial),
  }
  const token = opts.controlToken ?? createHmac('sha256', 'sc-lab-control').update(seed).digest('hex').slice(0, 32)
  const control = await startControlServer(backend, token, opts.controlPort ?? 0).catch(async (e) => { await stop(); throw e })
  controlRef.server = control
  signal?.removeEventListener('abort', onAbort)
  if (signal?.aborted) {
    await stop()
    signal.throwIfAborted()
  }
  const buyer = my2n.companies[1]
  return {
    devices, seed, clock, advance, get, my2nCloud: my2n, vendorService: vendor,
    my2n: { url: my2n.url, apiKey: buyer.apiKey, companyId: buyer.id, siteId: buyer.siteId, companies: my2n.companies },
    vendor: { url: vendor.url, apiKey: vendor.apiKey },
    control: { url: control.url, token },
    portFallbacks: [],
    netns: { consoleIp: topo.consoleIp, subnet: topo.subnet, rootInterface: topo.rootIf, bridgeNamespace: topo.bridgeNs, deviceNamespaces: topo.deviceNs },
    sim: () => { throw new Error('netns benches have no in-process devices; use get() or the control interface') },
    intercom: () => { throw new Error('netns benches have no in-process devices; use devices[] or the control interface') },
    nvr: () => { throw new Error('netns benches have no in-process devices; use devices[] or the control interface') },
    stop,
  }
}
