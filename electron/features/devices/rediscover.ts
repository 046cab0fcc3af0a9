// Finding a device again after a reset or a move: by serial, MAC or WS-Discovery endpoint.
import { AppError } from '../../../shared/contract/common'
import type { Device } from '../../../shared/contract/devices'
import type { FoundDevice, NetInterface } from '../../../shared/contract/discovery'
import { tcpCheck, type PortSpec } from '../discovery'
import { resolveInterfaces } from '../discovery'
import { startScan } from '../discovery'
import type { OpsCore } from './ops-core'

export interface WaitOptions {
  ifaces?: string[]
  cidr?: string
  deadlineMs: number
  ports?: PortSpec[]
  signal?: AbortSignal
  intervalMs?: number
  /** After a console-run reset, first wait until the device leaves its old address (default true). */
  waitForOffline?: boolean
}

/**
 * Rescans (WS-Discovery + HTTP sweep) until `serial` (or the known device's MAC / WS-Discovery
 * endpoint) shows up; the new address is recorded in the inventory. Null at the deadline.
 */
export async function waitFor(core: OpsCore, known: Device | null, serial: string, o: WaitOptions, identify: (d: FoundDevice) => number | null): Promise<Device | null> {
  const ifaces = o.ifaces?.length ? resolveInterfaces(o.ifaces) : known?.ip ? [core.ifaceFor(known.ip)].filter((x): x is NetInterface => !!x) : []
  if (!ifaces.length) throw new AppError('VALIDATION', 'Choose the interface to look on (the device\'s last address is not on any interface of this PC).', { field: 'ifaces', key: 'devices.chooseIface' })
  const cidr = o.cidr || (known?.ip ? `${known.ip.split('.').slice(0, 3).join('.')}.0/24` : ifaces[0].cidr)
  const end = Date.now() + o.deadlineMs
  const wanted = serial.trim().toUpperCase()
  if (!wanted && !known) throw new AppError('VALIDATION', 'Name the device to look for.', { key: 'devices.nameDevice' })
  // Right after a reset the console itself ran, the device still answers at its old address
  // until the reset takes effect (2N: about 15 s): wait for it to go away first, so the old
  // address is not mistaken for the new one.
  const resetPending = known ? await core.repo.certResetUntil(known.id) : null
  if (known?.ip && resetPending && Date.parse(resetPending) > Date.now() && (o.waitForOffline ?? true)) {
    const port = known.httpPort ?? 80
    const local = core.ifaceFor(known.ip)?.address
    const offEnd = Math.min(end, Date.now() + 60_000)
    while (Date.now() < offEnd && !o.signal?.aborted && (await tcpCheck(known.ip, port, local, 500, o.signal)) === 'open') await new Promise((r) => setTimeout(r, 200))
  }
  while (Date.now() < end && !o.signal?.aborted) {
    const scan = startScan({
      ifaces, cidr, protocols: ['wsd', 'http-2n', 'isapi', 'onvif'], timeoutMs: Math.max(1000, Math.min(6000, end - Date.now())), ports: o.ports, identify, listenMs: 600, sends: 2,
    })
    const stop = () => scan.cancel()
    o.signal?.addEventListener('abort', stop, { once: true })
    let hit: FoundDevice | null = null
    for await (const e of scan) {
      if (e.type !== 'device') continue
      const d = e.device
      const byId = known && d.deviceId === known.id
      if ((wanted && d.serial && d.serial.toUpperCase() === wanted) || byId) {
        hit = d
        scan.cancel()
      }
    }
    o.signal?.removeEventListener('abort', stop)
    if (hit?.deviceId) {
      const dev = await core.repo.get(hit.deviceId)
      await core.app.audit({ action: 'devices.rediscovered', outcome: 'info', device: serial || dev.ip, detail: `Found again at ${hit.ip}${known && known.ip !== hit.ip ? ` (was ${known.ip})` : ''}.` })
      core.app.bus.emit('devices.changed', { id: dev.id })
      return dev
    }
    await new Promise((r) => setTimeout(r, Math.min(o.intervalMs ?? 1000, Math.max(0, end - Date.now()))))
  }
  return null
}
