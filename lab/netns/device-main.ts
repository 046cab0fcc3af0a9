// One simulated device in its own network namespace (`--netns`). Started by netns-bench.ts
// through `ip netns exec`, talks to it over the Node IPC channel, and exits as soon as that
// channel closes, so a crashed bench never leaves device processes behind.
import { execFileSync } from 'node:child_process'
import { SimClock } from '../core/clock'
import { SeededRng } from '../core/rng'
import { localBackend } from '../control/server'
import { DEFAULT_TIMING, type LabContext, type SimDevice, type Timing } from '../device'
import { WsDiscoveryResponder } from '../discovery/ws-discovery'
import { Intercom } from '../intercom/intercom'
import type { LockoutSettings } from '../nvr/lockout'
import { Nvr } from '../nvr/nvr'

export interface DeviceSpec {
  kind: 'intercom' | 'nvr'
  index: number
  kindIndex: number
  seed: string
  ip: string
  defaultIp: string
  vendorKeyHex: string
  timing?: Partial<Timing>
  nvrLockout?: Partial<LockoutSettings>
  discovery: boolean
}

export type ToChild = { id: number; op: 'act' | 'detail' | 'screen' | 'advance'; action?: string; args?: Record<string, unknown>; ms?: number }
export type FromChild =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string; kind: string }
  | { type: 'ready'; info: unknown }
  | { type: 'my2n'; op: 'code' | 'assign'; serial: string; value: string }

const send = (m: FromChild) => process.send?.(m)

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as DeviceSpec
  const clock = new SimClock()
  const ctx: LabContext = {
    clock, timing: { ...DEFAULT_TIMING, ...spec.timing }, vendorKey: Buffer.from(spec.vendorKeyHex, 'hex'),
    onMy2nCode: (serial, code) => send({ type: 'my2n', op: 'code', serial, value: code }),
    assignMy2n: (serial, company) => send({ type: 'my2n', op: 'assign', serial, value: company }),
  }
  // Same derivation as the in-process bench, so a seed gives the same device either way.
  const rng = new SeededRng(`sc-lab:${spec.seed}`).fork(`device-${spec.index}`)
  const std = { httpPort: 80, httpsPort: 443 }
  const d: SimDevice = spec.kind === 'intercom'
    ? new Intercom(ctx, rng, { index: spec.kindIndex, ip: spec.ip, defaultIp: spec.defaultIp, ...std })
    : new Nvr(ctx, rng, { index: spec.kindIndex, ip: spec.ip, defaultIp: spec.defaultIp, ...std, onvifPort: 8000, lockout: spec.nvrLockout })
  await d.start()
  let responder: WsDiscoveryResponder | null = null
  if (spec.discovery && d instanceof Nvr) {
    responder = new WsDiscoveryResponder({
      uuid: d.uuid, ip: () => d.ip, xaddr: () => d.xaddr(), online: () => d.online, instanceId: () => d.instanceId,
      scopes: () => d.scopes(),
    }, spec.ip)
    await responder.start()
    const r = responder
    d.host.onNetwork.push((up) => void r.announce(up ? 'Hello' : 'Bye').catch(() => {}))
  }
  const ticker = setInterval(() => void d.tick(), 200)
  const backend = localBackend([d], () => d, async (ms) => { clock.advance(ms); await d.tick() }, {
    ownerOf: () => null, remove: () => false,
  } as never)
  process.on('disconnect', () => {
    clearInterval(ticker)
    void Promise.all([d.stop(), responder?.stop()]).finally(() => process.exit(0))
  })
  process.on('message', async (m: ToChild) => {
    try {
      let value: unknown
      if (m.op === 'act') {
        // A new address must exist on this namespace's link before the device can bind it.
        if (m.action === 'moveToAddress' && typeof m.args?.ip === 'string') {
          try { execFileSync('ip', ['addr', 'add', `${m.args.ip}/24`, 'dev', 'eth0'], { stdio: 'ignore' }) } catch { /* already there */ }
        }
        value = await backend.act(d.serial, m.action ?? '', m.args ?? {})
      } else if (m.op === 'detail') value = await backend.detail(d.serial)
      else if (m.op === 'screen') value = (await backend.screen(d.serial))?.toString('base64') ?? null
      else if (m.op === 'advance') value = await backend.advance(m.ms ?? 0)
      send({ id: m.id, ok: true, value: { value, info: d.info() } })
    } catch (e) {
      send({ id: m.id, ok: false, error: (e as Error).message, kind: (e as Error).constructor.name })
    }
  })
  send({ type: 'ready', info: d.info() })
}

main().catch((e) => {
  console.error(`lab device failed to start: ${(e as Error).message}`)
  process.exit(1)
})
