// Discovery into the inventory: scans that stream to the UI, and adding a device by address.
import { AppError } from '../../../shared/contract/common'
import type { Device, Protocol } from '../../../shared/contract/devices'
import type { Diagnostic, FoundDevice, NetInterface } from '../../../shared/contract/discovery'
import { identifiable, type SeenDevice } from '../../../db/repos/devices'
import { writing } from '../../../db/repos/tx-scope'
import { DEFAULT_PORTS, probeHost, type PortSpec } from '../discovery'
import { isIpv4, parseCidr, resolveInterfaces } from '../discovery'
import { onSubnet } from '../discovery'
import { startScan, type Scan, type ScanEvent } from '../discovery'
import { setCredentials } from './credentials'
import type { Target } from './driver'
import type { AuditEntry } from '../../infra/ports'
import type { OpsCore } from './ops-core'
import { AlreadyRejectedError } from './rejected-logins'

/** Records a device a scan found; its inventory id (null when it cannot be told apart yet). */
export function identifyFound(core: OpsCore, d: FoundDevice): number | null {
  // The scan's callback is synchronous (it streams devices as they answer): a small transaction of its own.
  return writing(core.app.db, () => core.repo.tx().recordSeen({
    serial: d.serial, mac: d.mac, endpoint: d.endpoint, kind: d.kind, vendor: d.vendor, model: d.model, name: d.name, firmware: d.firmware,
    ip: d.ip, iface: d.ifaces[0] ?? '', httpPort: d.httpPort, httpsPort: d.httpsPort, onvifUrl: d.onvifUrl, protocols: d.protocols,
  }))
}

/** Starts a scan whose events go to the UI (app.bus); `scans` keeps the last 10. */
export function startBusScan(core: OpsCore, scans: Map<string, Scan>, o: { ifaces: string[]; cidr?: string; protocols?: Protocol[]; timeoutS?: number; ports?: PortSpec[] }): Scan {
  const ifaces = resolveInterfaces(o.ifaces)
  if (o.cidr) parseCidr(o.cidr)
  const scan = startScan({ ifaces, cidr: o.cidr || undefined, protocols: o.protocols, timeoutMs: (o.timeoutS ?? 8) * 1000, ports: o.ports, identify: (d) => identifyFound(core, d) })
  scans.set(scan.id, scan)
  if (scans.size > 10) scans.delete(scans.keys().next().value!)
  const bus = core.app.bus
  let lastProgress = 0
  scan.on('event', (e: Parameters<Parameters<Scan['on']>[1]>[0]) => {
    const ev = e as ScanEvent
    if (ev.type === 'device') bus.emit('discovery.device', { scanId: scan.id, device: ev.device, replaces: ev.replaces })
    else if (ev.type === 'diagnostic') bus.emit('discovery.diagnostic', { scanId: scan.id, diagnostic: ev.diagnostic })
    else if (ev.type === 'progress') {
      // At most ~20 progress events a second reach the UI.
      const now = Date.now()
      if (now - lastProgress < 50 && ev.done < ev.total) return
      lastProgress = now
      bus.emit('discovery.progress', { scanId: scan.id, phase: ev.phase, done: ev.done, total: ev.total, found: ev.found, elapsedMs: ev.elapsedMs })
    } else if (ev.type === 'done') {
      const { devices: _d, diagnosticList: _l, ...rest } = ev.summary
      bus.emit('discovery.done', rest)
      // Kept in the log: the diagnostics bundle reports the last scan's "why not found" notes from it.
      core.app.log.info({ scan: rest, diagnostics: ev.summary.diagnosticList.slice(0, 200) }, 'discovery finished')
      for (const d of ev.summary.devices) if (d.deviceId) bus.emit('devices.changed', { id: d.deviceId })
    }
  })
  void core.app.audit({ action: 'devices.scan', outcome: 'info', inputs: { ifaces: o.ifaces, cidr: o.cidr ?? '', protocols: o.protocols ?? 'all' }, detail: `scan ${scan.id}` })
  return scan
}

/** Probes one address by hand (the only place the renderer names a host). */
export async function addByAddress(core: OpsCore, o: { address: string; port?: number; iface?: string; username?: string; password?: string }): Promise<{ device: Device | null; diagnostics: Diagnostic[] }> {
  const ip = o.address.trim()
  if (!isIpv4(ip)) throw new AppError('VALIDATION', `"${ip}" is not an IPv4 address such as 192.168.1.64.`, { field: 'address', key: 'devices.badIp', values: { ip } })
  const iface = core.ifaceFor(ip, o.iface || core.viaIface)
  // A chosen interface is a promise that nothing goes out elsewhere: an address outside its
  // networks would only be reached through the default route (another interface), so it is refused.
  if ((o.iface || core.viaIface) && iface && !onSubnet(ip, iface)) {
    const chosen = resolveInterfaces([o.iface || core.viaIface])
    throw new AppError('VALIDATION', `${ip} is not on the network of ${iface.name} (${chosen.map((i) => i.cidr).join(', ')}); the console does not send to it through the default route. Nothing was sent.`, {
      field: 'iface',
      hint: 'Choose the interface the device is connected to, or check the address. To reach a device behind a router, do not choose an interface.',
      key: 'devices.notOnIface', values: { ip, iface: iface.name, cidrs: chosen.map((i) => i.cidr).join(', ') },
    })
  }
  const via: NetInterface = iface ?? { name: '(routed)', address: '0.0.0.0', netmask: '0.0.0.0', cidr: '0.0.0.0/0', mac: '', internal: false }
  const ports: PortSpec[] = o.port ? [{ port: o.port, tls: o.port === 443 }, ...DEFAULT_PORTS.filter((p) => p.port !== o.port)] : DEFAULT_PORTS
  const r = await probeHost({ ip, iface: { ...via, address: iface ? via.address : (undefined as unknown as string) }, ports, signal: AbortSignal.timeout(10_000), timeoutMs: 3000, connectTimeoutMs: 2000 })
  const diagnostics: Diagnostic[] = r.diagnostics.map((d) => ({ ...d, iface: via.name }))
  if (!iface) diagnostics.unshift({ kind: 'other-subnet', ip, iface: via.name, protocol: 'manual', message: `${ip} is not on the network of any interface of this PC; it was reached through the router, if at all.` })
  if (r.tcp !== 'open') {
    diagnostics.push({
      kind: r.tcp === 'closed' ? 'port-closed' : 'no-answer', ip, iface: via.name, protocol: 'manual',
      message: r.tcp === 'closed' ? `${ip} answers but refuses connections on ports ${ports.map((p) => p.port).join(', ')}: its web service is off or on another port.` : `${ip} did not answer at all: wrong address, powered off, or a firewall dropping the traffic.`,
    })
  }
  let seen: SeenDevice | null = null
  for (const ob of r.observations) {
    const prev: SeenDevice = seen ?? {}
    seen = {
      ...prev, ...(Object.fromEntries(Object.entries(ob).filter(([, v]) => v !== undefined && v !== '')) as SeenDevice),
      protocols: [...new Set([...(prev.protocols ?? []), ob.protocol, 'manual' as Protocol])], ip, iface: via.name,
    }
  }
  let device: Device | null = null
  const inputs = { address: ip, port: o.port ?? null, username: o.username ?? null }
  const entry = (dev: Device | null): AuditEntry => ({ action: 'devices.addByAddress', outcome: dev ? 'ok' : 'failed', device: dev?.serial ?? ip, inputs, detail: diagnostics.map((d) => d.message).join(' ') })
  // The inventory row and its entry in one transaction: a crash or a failed append leaves neither.
  let entered = false
  const enter = (s: SeenDevice) => {
    entered = true
    return core.app.record(() => {
      const id = core.repo.tx().recordSeen(s)
      return id === null ? null : core.repo.tx().get(id)
    }, entry)
  }
  if (seen) {
    if (identifiable(seen)) device = await enter(seen)
    else if (o.username && o.password) {
      // An NVR that needs a login to tell its serial: ask it with the credentials given (one attempt).
      const t: Target = { id: null, kind: 'nvr', serial: '', ip, httpPort: seen.httpPort ?? null, httpsPort: seen.httpsPort ?? null, onvifUrl: seen.onvifUrl ?? '', protocols: seen.protocols ?? [] }
      // The driver refuses, without sending it, a password this address (or the inventory
      // device at it) already rejected, in this process or an earlier one, and records a new rejection.
      const info = await core.driver(t, { username: o.username, password: o.password }, { action: 'devices.addByAddress' }).identity().catch(async (e: unknown) => {
        await core.app.audit({
          action: 'devices.addByAddress', outcome: e instanceof AlreadyRejectedError ? 'refused' : 'failed', device: ip, inputs,
          detail: [...diagnostics.map((d) => d.message), (e as Error).message].join(' '),
        })
        throw e
      })
      const known: SeenDevice = { ...seen, serial: info.serial, mac: info.mac, model: info.model, firmware: info.firmware, name: info.name, vendor: info.vendor, kind: 'nvr' }
      if (identifiable(known)) {
        // The login told the serial: the probe's "needs a login to tell its serial number" is
        // no longer true and must not stay in the reply or the device's history (issue 12).
        diagnostics.splice(0, diagnostics.length, ...diagnostics.filter((x) => x.kind !== 'needs-credentials'))
        device = await enter(known)
      }
    }
    if (device && o.username && o.password) device = await setCredentials(core, device.id, o.username, o.password)
    else if (!device && !identifiable(seen)) diagnostics.push({ kind: 'needs-credentials', ip, iface: via.name, protocol: 'manual', message: `${ip} answers but needs a login to tell its serial number: add it again with its user name and password.` })
  }
  if (!entered) await core.app.audit(entry(device))
  if (device) core.app.bus.emit('devices.changed', { id: device.id })
  return { device, diagnostics }
}
