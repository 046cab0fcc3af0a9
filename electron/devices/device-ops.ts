// Device operations as a service: the one place that talks to devices for the handlers, the
// CLI and the workflow engine (issue 5). Electron-free.
//
// ── API ──────────────────────────────────────────────────────────────────────────────────
//   const ops = deviceOps(app)          // the one DeviceOps of this App (owns the running scans)
//
// By inventory id (handlers, UI, CLI; credentials come from the sealed store):
//   ops.startScan({ ifaces: string[], cidr?, protocols?, timeoutS?, ports? }): Scan
//       events on app.bus: discovery.progress / discovery.device / discovery.diagnostic / discovery.done
//   ops.cancelScan(scanId): void                 ops.scanResult(scanId): ScanSummary
//   ops.addByAddress({ address, port?, iface?, username?, password? }): Promise<{ device: Device | null, diagnostics }>
//   ops.setCredentials(id, username, password): Promise<Device>        sealed, never returned
//   ops.linkTicket(id, ticketId, unlink = false): Promise<Device>
//   ops.detail(id): Promise<DeviceDetail>         ops.repo.list({ search?, ticketId?, limit? })
//   ops.info(id): Promise<Device>                 ops.status(id): Promise<DeviceStatus>
//   ops.backup(id, ticketId): Promise<Backup>     verified = parsed + serial matched
//   ops.restore(id, { ticketId, backupId, confirmSerial }): Promise<OpResult>
//   ops.reboot(id, ticketId?): Promise<OpResult>
//   ops.factoryReset(id, { ticketId, confirmSerial, network = true, backupSha256? }): Promise<OpResult>
//   ops.setPassword(id, { ticketId, confirmSerial, username = 'admin', currentPassword?, newPassword }): Promise<OpResult>
//       2N: logs in to the web interface with currentPassword (after a reset: '2n'); when the
//       device was fresh from a reset it also creates an API account with the new password
//       and stores it, so the console keeps API access.
//   ops.trustCertificate(id, fingerprint): Promise<Device>             explicit agent decision
//   ops.waitForDevice(serial, { ifaces?, cidr?, deadlineMs, ports?, signal?, intervalMs?, waitForOffline? }): Promise<Device | null>
//   ops.rediscover(id, same options): Promise<Device | null>     (by serial, MAC or WS-Discovery endpoint)
//       after a console-run reset it first waits for the device to leave its old address,
//       then rescans (WS-Discovery + HTTP sweep) until the serial (or its MAC / WS-Discovery
//       endpoint) shows up; the new address is recorded in the inventory.
//
// By address with explicit credentials (the workflow engine's DeviceOpsPort,
// electron/workflows/device-port.ts, is satisfied structurally by `ops.port`):
//   ops.port.identify(at, ctx) → { serial, model, firmware, mac }
//   ops.port.backup(at, creds, ctx) → Buffer                  also stored + verified in ctx.ticketId
//   ops.port.factoryReset(at, creds, { confirmSerial, backupSha256 }, ctx)
//   ops.port.waitForDevice(serial, { previous, timeoutMs }, ctx) → DeviceAddress | null
//   ops.port.checkLogin(at, creds, ctx) → boolean             ONE attempt (2N: web admin login)
//   ops.port.setPassword(at, current, newPassword, ctx)
//   ops.port.restore(at, creds, config, ctx)
//
// Safety rules, enforced here whoever calls:
//   - restore, factory reset and set password refuse (FORBIDDEN) without a verified backup
//     of that device taken in this ticket and the typed serial matching the device's serial
//     (as the inventory knows it AND as the device reports it right now);
//   - every operation, refusal and failure is audited (app.audit);
//   - one attempt per credential: a rejected credential is marked and never sent again
//     until replaced; a lock signal from the device stops the operation (LOCKOUT_RISK);
//   - HTTPS: the first certificate is pinned; a different one is refused (FORBIDDEN, nothing
//     sent) unless the agent accepts it (trustCertificate) or the console itself ran a
//     network factory reset on that device within the last 30 minutes.
import { createHash } from 'node:crypto'
import { AppError } from '../../shared/contract/common'
import type { Backup, Device, DeviceDetail, Diagnostic, FoundDevice, OpResult, Protocol } from '../../shared/contract/devices'
import type { App } from '../core/app'
import { DevicesRepo, type SeenDevice } from '../../db/repos/devices'
import { DEFAULT_PORTS, probeHost, tcpCheck, type PortSpec } from '../discovery/fingerprint'
import { isIpv4, listInterfaces, parseCidr, resolveInterfaces } from '../discovery/net'
import { Scan, startScan } from '../discovery/scan'
import { onSubnet } from '../discovery/udp'
import type { NetInterface } from '../../shared/contract/devices'
import type { PinPolicy } from './http'
import { IsapiClient, OnvifClient, verifyIsapiExport } from './nvr'
import { TwoNClient, TwoNWebSession, verifyTwoNConfig, type Credentials, type Endpoint } from './twon'

export type { Credentials }
export interface DeviceAddress {
  host: string
  port?: number
}
export interface OpContext {
  ticketId: number
  signal?: AbortSignal
  progress?: (label: string, done?: number, total?: number | null) => void
}

/** How long after a console-run network factory reset a new certificate is accepted without asking. */
export const CERT_RESET_WINDOW_MS = 30 * 60_000

/** Where a device is and how to reach it. */
interface Target {
  id: number | null
  kind: Device['kind']
  serial: string
  ip: string
  httpPort: number | null
  httpsPort: number | null
  onvifUrl: string
  protocols: Protocol[]
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const sameSerial = (a: string, b: string) => a.trim().toUpperCase() === b.trim().toUpperCase() && a.trim() !== ''

export class DeviceOps {
  private scans = new Map<string, Scan>()
  /** Credentials rejected in this process (address-based calls have no stored credential to mark). */
  private rejected = new Set<string>()

  readonly repo: DevicesRepo

  constructor(readonly app: App) {
    this.repo = new DevicesRepo(app.db)
    app.onClose(() => {
      for (const s of this.scans.values()) s.cancel()
    })
  }

  // ---- discovery ----------------------------------------------------------------------------

  identifyFound = (d: FoundDevice): number | null =>
    this.repo.recordSeenSync({
      serial: d.serial, mac: d.mac, endpoint: d.endpoint, kind: d.kind, vendor: d.vendor, model: d.model, name: d.name, firmware: d.firmware,
      ip: d.ip, iface: d.ifaces[0] ?? '', httpPort: d.httpPort, httpsPort: d.httpsPort, onvifUrl: d.onvifUrl, protocols: d.protocols,
    })

  startScan(o: { ifaces: string[]; cidr?: string; protocols?: Protocol[]; timeoutS?: number; ports?: PortSpec[] }): Scan {
    const ifaces = resolveInterfaces(o.ifaces)
    if (o.cidr) parseCidr(o.cidr)
    const scan = startScan({ ifaces, cidr: o.cidr || undefined, protocols: o.protocols, timeoutMs: (o.timeoutS ?? 8) * 1000, ports: o.ports, identify: this.identifyFound })
    this.scans.set(scan.id, scan)
    if (this.scans.size > 10) this.scans.delete(this.scans.keys().next().value!)
    const bus = this.app.bus
    let lastProgress = 0
    scan.on('event', (e: Parameters<Parameters<Scan['on']>[1]>[0]) => {
      const ev = e as import('../discovery/scan').ScanEvent
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
        for (const d of ev.summary.devices) if (d.deviceId) bus.emit('devices.changed', { id: d.deviceId })
      }
    })
    void this.app.audit({ action: 'devices.scan', outcome: 'info', inputs: { ifaces: o.ifaces, cidr: o.cidr ?? '', protocols: o.protocols ?? 'all' }, detail: `scan ${scan.id}` })
    return scan
  }

  cancelScan(scanId: string): void {
    this.scans.get(scanId)?.cancel()
  }

  scanResult(scanId: string) {
    const s = this.scans.get(scanId)
    if (!s) throw new AppError('NOT_FOUND', 'This scan is no longer known (only the last 10 are kept).')
    return s.summary()
  }

  private ifaceFor(ip: string, name = ''): NetInterface | undefined {
    const all = listInterfaces()
    if (name) return resolveInterfaces([name], all)[0]
    return all.find((i) => onSubnet(ip, i))
  }

  /** Probes one address by hand (the only place the renderer names a host). */
  async addByAddress(o: { address: string; port?: number; iface?: string; username?: string; password?: string }): Promise<{ device: Device | null; diagnostics: Diagnostic[] }> {
    const ip = o.address.trim()
    if (!isIpv4(ip)) throw new AppError('VALIDATION', `"${ip}" is not an IPv4 address such as 192.168.1.64.`, { field: 'address' })
    const iface = this.ifaceFor(ip, o.iface ?? '')
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
    if (seen) {
      const id = this.repo.recordSeenSync(seen)
      if (id === null && o.username && o.password) {
        // An NVR that needs a login to tell its serial: ask it with the credentials given (one attempt).
        const t: Target = { id: null, kind: 'nvr', serial: '', ip, httpPort: seen.httpPort ?? null, httpsPort: seen.httpsPort ?? null, onvifUrl: seen.onvifUrl ?? '', protocols: seen.protocols ?? [] }
        const info = await this.driver(t, { username: o.username, password: o.password }).identity()
        const nid = this.repo.recordSeenSync({ ...seen, serial: info.serial, mac: info.mac, model: info.model, firmware: info.firmware, name: info.name, vendor: info.vendor, kind: 'nvr' })
        if (nid) device = await this.repo.get(nid)
      } else if (id !== null) device = await this.repo.get(id)
      if (device && o.username && o.password) device = await this.setCredentials(device.id, o.username, o.password)
      else if (id === null && !device) diagnostics.push({ kind: 'needs-credentials', ip, iface: via.name, protocol: 'manual', message: `${ip} answers but needs a login to tell its serial number: add it again with its user name and password.` })
    }
    await this.app.audit({ action: 'devices.addByAddress', outcome: device ? 'ok' : 'failed', device: device?.serial ?? ip, inputs: { address: ip, port: o.port ?? null, username: o.username ?? null }, detail: diagnostics.map((d) => d.message).join(' ') })
    if (device) this.app.bus.emit('devices.changed', { id: device.id })
    return { device, diagnostics }
  }

  // ---- inventory ----------------------------------------------------------------------------

  async setCredentials(id: number, username: string, password: string): Promise<Device> {
    await this.repo.get(id)
    const device = await this.app.record(
      () => {
        void this.repo.setCredentials(id, username, this.app.secrets.seal(password))
        return this.repo.getSync(id)
      },
      (d) => ({ action: 'devices.setCredentials', outcome: 'ok', device: d.serial || d.ip, inputs: { username, password } }),
    )
    this.app.bus.emit('devices.changed', { id })
    return device
  }

  async linkTicket(id: number, ticketId: number, unlink = false): Promise<Device> {
    await this.app.tickets.get(ticketId)
    const d = await this.repo.get(id)
    await this.repo.linkTicket(id, ticketId, unlink)
    await this.app.audit({ action: unlink ? 'devices.unlinkTicket' : 'devices.linkTicket', outcome: 'ok', ticketId, device: d.serial || d.ip, inputs: { deviceId: id } })
    this.app.bus.emit('devices.changed', { id })
    return this.repo.get(id)
  }

  async detail(id: number): Promise<DeviceDetail> {
    const d = await this.repo.get(id)
    const audit = await this.repo.auditFor([d.serial, d.ip, ...(await this.repo.addresses(id)).map((a) => a.ip)].filter(Boolean), 100)
    return {
      ...d,
      addresses: await this.repo.addresses(id),
      firmwareHistory: await this.repo.firmwareHistory(id),
      backups: await this.repo.backups(id),
      audit: audit.map((a) => ({ seq: a.seq, at: a.at, agent: a.agent, action: a.action, outcome: a.outcome, detail: a.detail, ticketId: a.ticketId })),
    }
  }

  async trustCertificate(id: number, fingerprint: string): Promise<Device> {
    const d = await this.repo.get(id)
    const before = this.repo.pinSync(id)
    await this.app.record(
      () => this.repo.setPinSync(id, fingerprint, 'agent'),
      () => ({ action: 'devices.trustCertificate', outcome: 'ok', device: d.serial || d.ip, inputs: { from: before, to: fingerprint } }),
    )
    this.app.bus.emit('devices.changed', { id })
    return this.repo.get(id)
  }

  // ---- drivers ------------------------------------------------------------------------------

  private pinPolicy(id: number | null, pending: { note: string }[]): PinPolicy | undefined {
    if (id === null) return undefined
    const repo = this.repo
    const policy: PinPolicy = {
      pinned: repo.pinSync(id),
      decide: (fp, previous) => {
        if (!previous) {
          repo.setPinSync(id, fp, 'first-use')
          pending.push({ note: `HTTPS certificate pinned on first use (SHA-256 ${fp}).` })
          policy.pinned = fp
          return true
        }
        const until = repo.certResetUntilSync(id)
        if (until && Date.parse(until) > Date.now()) {
          repo.setPinSync(id, fp, 'after-reset')
          void repo.setCertResetUntil(id, null)
          pending.push({ note: `New HTTPS certificate accepted after the console's own network factory reset (SHA-256 ${fp}).` })
          policy.pinned = fp
          return true
        }
        return false
      },
    }
    return policy
  }

  private endpoint(t: Target, pin?: PinPolicy, signal?: AbortSignal): Endpoint {
    return { host: t.ip, httpPort: t.httpPort, httpsPort: t.httpsPort, localAddress: this.ifaceFor(t.ip)?.address, pin, timeoutMs: 6000, signal }
  }

  /** A uniform driver over the 2N, ISAPI and ONVIF clients. */
  private driver(t: Target, creds: Credentials | null, o: { onRejected?: () => void; pending?: { note: string }[]; signal?: AbortSignal } = {}) {
    const pending = o.pending ?? []
    const pin = this.pinPolicy(t.id, pending)
    const ep = this.endpoint(t, pin, o.signal)
    if (t.kind === 'intercom') {
      const c = new TwoNClient(ep, creds)
      c.onRejected = o.onRejected
      return {
        identity: async () => {
          const i = await c.info()
          return { serial: i.serialNumber, mac: i.macAddr, model: i.variant, firmware: i.swVersion, name: i.deviceName, vendor: '2N' }
        },
        status: async () => {
          const s = await c.status()
          return { upTimeS: s.upTime, deviceTime: new Date(s.systemTime * 1000).toISOString() }
        },
        backup: async () => ({ data: await c.downloadConfig(), format: '2n-config-xml', secret: null as string | null }),
        verify: (data: Buffer, serial: string) => verifyTwoNConfig(data, serial),
        restore: (data: Buffer) => c.uploadConfig(data),
        reboot: () => c.restart(),
        factoryReset: (network: boolean) => c.factoryReset(network),
        setPassword: async (username: string, current: string, next: string): Promise<Credentials | null> => {
          const web = new TwoNWebSession(c)
          const s = await web.login({ username, password: current })
          await web.changePassword(current, next)
          if (s.mustChangePassword) {
            // Fresh from a factory reset the device has no API account: create one with the
            // new password so the console (and the agent) keep API access.
            await web.setApiAccounts([{ username, password: next, privileges: ['system', 'switch', 'io', 'keypad', 'uid', 'call'] }])
            return { username, password: next }
          }
          return null
        },
        checkLogin: async (cr: Credentials) => {
          try {
            await new TwoNWebSession(c).login(cr)
            return true
          } catch (e) {
            if (e instanceof AppError && e.code === 'UNAUTHORIZED') return false
            throw e
          }
        },
      }
    }
    const useIsapi = t.protocols.includes('isapi') || !t.onvifUrl
    const isapi = new IsapiClient(ep, creds)
    isapi.onRejected = o.onRejected
    const onvif = t.onvifUrl ? new OnvifClient(new URL(t.onvifUrl), creds, { localAddress: ep.localAddress, timeoutMs: 6000, signal: o.signal }) : null
    if (onvif) onvif.onRejected = o.onRejected
    const need = () => {
      if (!onvif) throw new AppError('DEVICE', 'The device answers neither ISAPI nor ONVIF.')
      return onvif
    }
    return {
      identity: () => (useIsapi ? isapi.info() : need().info()),
      status: async () => ({ upTimeS: null as number | null, deviceTime: useIsapi ? await isapi.deviceTime() : new Date(Date.now() + (await need().timeOffset())).toISOString() }),
      backup: async () => {
        if (!useIsapi) throw new AppError('DEVICE', 'Configuration backup needs ISAPI; this device only answers ONVIF, which has no configuration export.')
        const x = await isapi.exportConfig()
        return { data: x.data, format: 'isapi-configurationData', secret: x.secretKey as string | null }
      },
      verify: (data: Buffer, serial: string) => ({ ...verifyIsapiExport(data), serial, firmware: '' }),
      restore: (data: Buffer, secret?: string | null) => {
        if (!secret) throw new AppError('DEVICE', 'This backup has no export key stored, so the device cannot decrypt it.')
        return isapi.importConfig(data, secret)
      },
      reboot: () => (useIsapi ? isapi.reboot() : need().reboot()),
      factoryReset: (network: boolean) => (useIsapi ? isapi.factoryReset(network) : need().factoryReset(network)),
      setPassword: async (username: string, _current: string, next: string): Promise<Credentials | null> => {
        if (useIsapi) await isapi.setPassword(await isapi.userId(username), username, next)
        else await need().setPassword(username, next)
        return { username, password: next }
      },
      checkLogin: async (cr: Credentials) => {
        const probe = new IsapiClient(ep, cr)
        try {
          await probe.info()
          return true
        } catch (e) {
          if (e instanceof AppError && e.code === 'UNAUTHORIZED') return false
          throw e
        }
      },
    }
  }

  private target(d: Device): Target {
    return { id: d.id, kind: d.kind, serial: d.serial, ip: d.ip, httpPort: d.httpPort, httpsPort: d.httpsPort, onvifUrl: d.onvifUrl, protocols: d.protocols }
  }

  /** Stored credentials, refusing (without any attempt) a credential the device already rejected. */
  private async storedCreds(d: Device): Promise<Credentials | null> {
    const c = await this.repo.credentials(d.id)
    if (!c) return null
    if (c.rejectedAt) {
      throw new AppError('UNAUTHORIZED', `The stored password for ${c.username} was rejected by the device on ${c.rejectedAt}; the console will not send it again.`, {
        hint: 'Enter the correct credentials for this device (Set credentials).',
      })
    }
    return { username: c.username, password: this.app.secrets.open(c.sealed) }
  }

  private progress(id: number, op: string, stage: string, done = false, ok?: boolean) {
    this.app.bus.emit('devices.op', { id, op, stage, done, ok, message: stage })
  }

  /** Runs one operation with progress, pinning notes and the audit entry (ok / failed). */
  private async run<T>(
    d: Device, op: string, ticketId: number | null, inputs: Record<string, unknown>,
    fn: (drv: ReturnType<DeviceOps['driver']>, pending: { note: string }[]) => Promise<T>, detail: (r: T) => string,
    o: { loginOptional?: boolean } = {},
  ): Promise<T> {
    const pending: { note: string }[] = []
    this.progress(d.id, op, 'Connecting…')
    let creds: Credentials | null
    try {
      creds = await this.storedCreds(d)
    } catch (e) {
      if (!o.loginOptional) {
        await this.app.audit({ action: `devices.${op}`, outcome: 'refused', ticketId, device: d.serial || d.ip, inputs, detail: (e as Error).message })
        this.progress(d.id, op, (e as Error).message, true, false)
        throw e
      }
      // 2N identity needs no login: a rejected stored password does not block it.
      creds = null
    }
    const drv = this.driver(this.target(d), creds, { pending, onRejected: () => void this.repo.markCredentialsRejected(d.id) })
    try {
      const r = await fn(drv, pending)
      await this.app.audit({ action: `devices.${op}`, outcome: 'ok', ticketId, device: d.serial || d.ip, inputs, detail: [detail(r), ...pending.map((p) => p.note)].filter(Boolean).join(' ') })
      this.progress(d.id, op, detail(r) || 'Done.', true, true)
      this.app.bus.emit('devices.changed', { id: d.id })
      return r
    } catch (e) {
      const err = e instanceof AppError ? e : new AppError('DEVICE', (e as Error).message, { cause: e })
      await this.app.audit({ action: `devices.${op}`, outcome: err.code === 'FORBIDDEN' ? 'refused' : 'failed', ticketId, device: d.serial || d.ip, inputs, detail: [err.message, ...pending.map((p) => p.note)].join(' ') })
      this.progress(d.id, op, err.message, true, false)
      throw err
    }
  }

  // ---- operations by id --------------------------------------------------------------------

  async info(id: number): Promise<Device> {
    const d = await this.repo.get(id)
    return this.run(d, 'info', null, { deviceId: id }, async (drv) => {
      const i = await drv.identity()
      if (d.serial && !sameSerial(i.serial, d.serial)) {
        throw new AppError('CONFLICT', `The device at ${d.ip} now reports serial ${i.serial}, not ${d.serial}: another device has taken this address.`, { hint: 'Rescan to find where each device is now.' })
      }
      this.repo.recordSeenSync({ serial: i.serial, mac: i.mac, model: i.model, firmware: i.firmware, name: i.name, vendor: i.vendor, kind: d.kind, ip: d.ip })
      return this.repo.get(id)
    }, (x) => `Identity read: ${x.serial} ${x.model} ${x.firmware}.`, { loginOptional: d.kind === 'intercom' })
  }

  async status(id: number) {
    const d = await this.repo.get(id)
    return this.run(d, 'status', null, { deviceId: id }, async (drv) => {
      const s = await drv.status()
      return { deviceId: id, online: true, serial: d.serial, firmware: d.firmware, upTimeS: s.upTimeS, deviceTime: s.deviceTime, message: s.upTimeS !== null ? `Up for ${Math.round(s.upTimeS / 60)} min.` : 'The device answers.' }
    }, (x) => x.message)
  }

  async backup(id: number, ticketId: number): Promise<Backup> {
    await this.app.tickets.get(ticketId)
    const d = await this.repo.get(id)
    return this.run(d, 'backup', ticketId, { deviceId: id }, async (drv) => {
      this.progress(id, 'backup', 'Checking the device identity…')
      const live = await drv.identity()
      if (d.serial && !sameSerial(live.serial, d.serial)) throw new AppError('CONFLICT', `The device at ${d.ip} reports serial ${live.serial}, not ${d.serial}. No backup taken.`)
      this.progress(id, 'backup', 'Downloading the configuration…')
      const b = await drv.backup()
      const v = drv.verify(b.data, live.serial)
      const firmware = v.firmware || live.firmware
      return this.repo.addBackup({
        deviceId: id, ticketId, sha256: sha256(b.data), size: b.data.length, serial: live.serial, firmware, format: b.format, verified: v.ok, verifyDetail: v.detail,
        secretSealed: b.secret ? this.app.secrets.seal(b.secret) : null, data: b.data,
      })
    }, (x) => `Backup #${x.id}: ${x.size} bytes, SHA-256 ${x.sha256}, ${x.verified ? 'verified' : 'NOT verified'} (${x.verifyDetail})`)
  }

  /**
   * The guard of destructive operations: a verified backup of this device in this ticket, the
   * typed serial, and the device reporting that serial right now. Refusals are audited.
   */
  private async guard(d: Device, op: string, ticketId: number, confirmSerial: string, inputs: Record<string, unknown>, o: { backupSha256?: string } = {}): Promise<Backup> {
    const refuse = async (message: string, hint: string) => {
      await this.app.audit({ action: `devices.${op}`, outcome: 'refused', ticketId, device: d.serial || d.ip, inputs, detail: message })
      this.progress(d.id, op, message, true, false)
      return new AppError('FORBIDDEN', message, { hint })
    }
    await this.app.tickets.get(ticketId)
    if (!d.serial) throw await refuse('The device serial number is not known, so it cannot be confirmed.', 'Read the device identity first (Info), with credentials if it needs them.')
    if (!sameSerial(confirmSerial, d.serial)) throw await refuse(`The serial typed (${confirmSerial}) is not the serial of this device (${d.serial}). Nothing was done.`, 'Type the serial exactly as shown on the device page to confirm.')
    const backup = await this.repo.verifiedBackup(d.id, ticketId)
    if (!backup) throw await refuse(`No verified backup of ${d.serial} was taken in ticket #${ticketId}. Nothing was done.`, 'Take a backup of this device in this ticket first; it must pass verification.')
    if (o.backupSha256 && backup.sha256 !== o.backupSha256.toLowerCase()) {
      const any = (await this.repo.backups(d.id)).find((b) => b.sha256 === o.backupSha256!.toLowerCase() && b.ticketId === ticketId && b.verified)
      if (!any) throw await refuse(`The backup named (SHA-256 ${o.backupSha256}) is not a verified backup of ${d.serial} in ticket #${ticketId}.`, 'Take the backup again.')
    }
    return backup
  }

  private async liveSerialMatches(drv: ReturnType<DeviceOps['driver']>, d: Device, op: string): Promise<void> {
    this.progress(d.id, op, 'Confirming the device identity…')
    const live = await drv.identity()
    if (!sameSerial(live.serial, d.serial)) throw new AppError('FORBIDDEN', `The device at ${d.ip} reports serial ${live.serial}, not ${d.serial}. Nothing was done.`, { hint: 'Rescan: the device may have moved and another one taken its address.' })
  }

  async restore(id: number, o: { ticketId: number; backupId: number; confirmSerial: string }): Promise<OpResult> {
    const d = await this.repo.get(id)
    const inputs = { deviceId: id, backupId: o.backupId, confirmSerial: o.confirmSerial }
    await this.guard(d, 'restore', o.ticketId, o.confirmSerial, inputs)
    const b = await this.repo.backupWithData(o.backupId)
    if (b.deviceId !== id || !sameSerial(b.serial, d.serial)) {
      await this.app.audit({ action: 'devices.restore', outcome: 'refused', ticketId: o.ticketId, device: d.serial, inputs, detail: `Backup #${b.id} belongs to ${b.serial}.` })
      throw new AppError('FORBIDDEN', `Backup #${b.id} was taken from ${b.serial}, not from this device (${d.serial}). Nothing was done.`)
    }
    if (!b.verified || sha256(b.data) !== b.sha256) {
      await this.app.audit({ action: 'devices.restore', outcome: 'refused', ticketId: o.ticketId, device: d.serial, inputs, detail: 'backup not verified or damaged' })
      throw new AppError('FORBIDDEN', `Backup #${b.id} is not verified or its content no longer matches its SHA-256. Nothing was done.`)
    }
    return this.run(d, 'restore', o.ticketId, inputs, async (drv) => {
      await this.liveSerialMatches(drv, d, 'restore')
      this.progress(id, 'restore', 'Uploading the configuration…')
      await drv.restore(b.data, b.secretSealed ? this.app.secrets.open(b.secretSealed) : null)
      return { ok: true, message: `Configuration from backup #${b.id} uploaded. The device applies it in about 15 s; do not power it off meanwhile.` }
    }, (x) => x.message)
  }

  async reboot(id: number, ticketId?: number): Promise<OpResult> {
    const d = await this.repo.get(id)
    if (ticketId) await this.app.tickets.get(ticketId)
    return this.run(d, 'reboot', ticketId ?? null, { deviceId: id }, async (drv) => {
      if (d.serial) await this.liveSerialMatches(drv, d, 'reboot')
      this.progress(id, 'reboot', 'Restarting…')
      await drv.reboot()
      return { ok: true, message: 'The device is restarting; it is back in about a minute.' }
    }, (x) => x.message)
  }

  async factoryReset(id: number, o: { ticketId: number; confirmSerial: string; network?: boolean; backupSha256?: string }): Promise<OpResult> {
    const d = await this.repo.get(id)
    const network = o.network ?? true
    const inputs = { deviceId: id, confirmSerial: o.confirmSerial, network }
    await this.guard(d, 'factoryReset', o.ticketId, o.confirmSerial, inputs, { backupSha256: o.backupSha256 })
    return this.run(d, 'factoryReset', o.ticketId, inputs, async (drv) => {
      await this.liveSerialMatches(drv, d, 'factoryReset')
      this.progress(id, 'factoryReset', 'Resetting…')
      // Before the command, so the new certificate is accepted even if the reply is lost.
      if (network) await this.repo.setCertResetUntil(id, new Date(Date.now() + CERT_RESET_WINDOW_MS).toISOString())
      try {
        await drv.factoryReset(network)
      } catch (e) {
        // The device refused or never got the command: no new certificate is to be expected.
        if (network && !(e instanceof AppError && e.code === 'UNREACHABLE')) await this.repo.setCertResetUntil(id, null)
        throw e
      }
      // The old credentials are gone with the reset.
      return {
        ok: true,
        message: network
          ? 'Factory reset (with network settings and certificates) accepted. The device restarts in about 15 s and may come back on another address with a new certificate: rediscover it, then log in with the default credentials.'
          : 'Factory reset accepted (network settings kept). The device restarts in about 15 s.',
      }
    }, (x) => x.message)
  }

  async setPassword(id: number, o: { ticketId: number; confirmSerial: string; username?: string; currentPassword?: string; newPassword: string }): Promise<OpResult> {
    const d = await this.repo.get(id)
    const username = o.username ?? 'admin'
    const inputs = { deviceId: id, confirmSerial: o.confirmSerial, username, currentPassword: o.currentPassword ?? null, newPassword: o.newPassword }
    await this.guard(d, 'setPassword', o.ticketId, o.confirmSerial, inputs)
    const current = o.currentPassword ?? (d.kind === 'intercom' ? '' : undefined)
    return this.run(d, 'setPassword', o.ticketId, inputs, async (drv) => {
      await this.liveSerialMatches(drv, d, 'setPassword')
      if (d.kind === 'intercom' && !current) throw new AppError('VALIDATION', 'The current admin password is needed to log in to the 2N web interface (after a factory reset it is 2n).', { field: 'currentPassword' })
      this.progress(id, 'setPassword', 'Setting the new password…')
      const keep = await drv.setPassword(username, current ?? '', o.newPassword)
      if (keep) await this.repo.setCredentials(id, keep.username, this.app.secrets.seal(keep.password))
      return { ok: true, message: `The password of ${username} was changed${keep ? ' and stored (encrypted) for the console' : ''}.` }
    }, (x) => x.message)
  }

  /** Rediscovers a device by serial (after a reset its address may change). Null at the deadline. */
  async waitForDevice(serial: string, o: WaitOptions): Promise<Device | null> {
    return this.waitFor(await this.repo.findBySerial(serial), serial, o)
  }

  /** The UI's "find it again": rediscovers an inventory device (by serial, MAC or WS-Discovery endpoint). */
  async rediscover(id: number, o: WaitOptions): Promise<Device | null> {
    const d = await this.repo.get(id)
    this.progress(id, 'rediscover', 'Looking for the device…')
    const found = await this.waitFor(d, d.serial, o)
    this.progress(id, 'rediscover', found ? `Found at ${found.ip}.` : 'Not found before the time limit.', true, !!found)
    return found
  }

  private async waitFor(known: Device | null, serial: string, o: WaitOptions): Promise<Device | null> {
    const ifaces = o.ifaces?.length ? resolveInterfaces(o.ifaces) : known?.ip ? [this.ifaceFor(known.ip)].filter((x): x is NetInterface => !!x) : []
    if (!ifaces.length) throw new AppError('VALIDATION', 'Choose the interface to look on (the device\'s last address is not on any interface of this PC).', { field: 'ifaces' })
    const cidr = o.cidr || (known?.ip ? `${known.ip.split('.').slice(0, 3).join('.')}.0/24` : ifaces[0].cidr)
    const end = Date.now() + o.deadlineMs
    const wanted = serial.trim().toUpperCase()
    if (!wanted && !known) throw new AppError('VALIDATION', 'Name the device to look for.')
    // Right after a reset the console itself ran, the device still answers at its old address
    // until the reset takes effect (2N: about 15 s): wait for it to go away first, so the old
    // address is not mistaken for the new one.
    const resetPending = known ? this.repo.certResetUntilSync(known.id) : null
    if (known?.ip && resetPending && Date.parse(resetPending) > Date.now() && (o.waitForOffline ?? true)) {
      const port = known.httpPort ?? 80
      const local = this.ifaceFor(known.ip)?.address
      const offEnd = Math.min(end, Date.now() + 60_000)
      while (Date.now() < offEnd && !o.signal?.aborted && (await tcpCheck(known.ip, port, local, 500, o.signal)) === 'open') await new Promise((r) => setTimeout(r, 200))
    }
    while (Date.now() < end && !o.signal?.aborted) {
      const scan = startScan({
        ifaces, cidr, protocols: ['wsd', 'http-2n', 'isapi', 'onvif'], timeoutMs: Math.max(1000, Math.min(6000, end - Date.now())), ports: o.ports, identify: this.identifyFound, listenMs: 600, sends: 2,
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
        const dev = await this.repo.get(hit.deviceId)
        await this.app.audit({ action: 'devices.rediscovered', outcome: 'info', device: serial || dev.ip, detail: `Found again at ${hit.ip}${known && known.ip !== hit.ip ? ` (was ${known.ip})` : ''}.` })
        this.app.bus.emit('devices.changed', { id: dev.id })
        return dev
      }
      await new Promise((r) => setTimeout(r, Math.min(o.intervalMs ?? 1000, Math.max(0, end - Date.now()))))
    }
    return null
  }

  // ---- by address (the workflow engine's port) ---------------------------------------------

  private async deviceAt(at: DeviceAddress, creds: Credentials | null): Promise<Device> {
    const ip = at.host
    const prior = (await this.repo.list({ search: ip, limit: 50 })).find((x) => x.ip === ip)
    if (prior && (prior.serial || !creds)) {
      if (at.port && prior.httpPort !== at.port) this.repo.recordSeenSync({ serial: prior.serial, mac: prior.mac, endpoint: '', ip, httpPort: at.port })
      return this.repo.get(prior.id)
    }
    const r = await this.addByAddress({ address: ip, port: at.port, username: creds?.username, password: creds?.password })
    if (!r.device) throw new AppError('UNREACHABLE', r.diagnostics.map((d) => d.message).join(' ') || `Nothing usable answered at ${ip}.`)
    return r.device
  }

  private credKey(d: Device | { serial: string; ip: string }, c: Credentials) {
    return `${d.serial || d.ip}|${c.username}|${createHash('sha256').update(c.password).digest('hex')}`
  }

  /** Runs `fn` with explicit credentials, honouring "never the same rejected credential twice". */
  private async withCreds<T>(d: Device, c: Credentials, fn: (drv: ReturnType<DeviceOps['driver']>) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const key = this.credKey(d, c)
    if (this.rejected.has(key)) {
      throw new AppError('LOCKOUT_RISK', `${c.username}'s password was already rejected by ${d.serial || d.ip}; the console will not send it again.`, { hint: 'Use the right password; repeated wrong logins lock the account.' })
    }
    const drv = this.driver(this.target(d), c, { signal, onRejected: () => this.rejected.add(key) })
    return fn(drv)
  }

  /** Stores explicit credentials for a device, refusing a credential the device already rejected. */
  private async adoptCreds(d: Device, c: Credentials): Promise<void> {
    const refuse = () =>
      new AppError('LOCKOUT_RISK', `${c.username}'s password was already rejected by ${d.serial || d.ip}; the console will not send it again.`, { hint: 'Use the right password; repeated wrong logins lock the account.' })
    if (this.rejected.has(this.credKey(d, c))) throw refuse()
    const cur = await this.repo.credentials(d.id)
    const same = cur && cur.username === c.username && this.app.secrets.open(cur.sealed) === c.password
    if (same && cur.rejectedAt) throw refuse()
    if (!same) await this.repo.setCredentials(d.id, c.username, this.app.secrets.seal(c.password))
  }

  /** Satisfies electron/workflows/device-port.ts (DeviceOpsPort). */
  readonly port = {
    identify: async (at: DeviceAddress, ctx: OpContext) => {
      ctx.progress?.(`Identifying ${at.host}…`)
      const d = await this.deviceAt(at, null)
      if (d.kind === 'intercom') {
        const i = await this.driver(this.target(d), null, { signal: ctx.signal }).identity()
        this.repo.recordSeenSync({ serial: i.serial, mac: i.mac, model: i.model, firmware: i.firmware, ip: at.host, kind: 'intercom', vendor: '2N', httpPort: at.port ?? d.httpPort })
        return { serial: i.serial, model: i.model, firmware: i.firmware, mac: i.mac }
      }
      if (!d.serial) throw new AppError('UNAUTHORIZED', `${at.host} needs a login to tell its serial number.`)
      return { serial: d.serial, model: d.model, firmware: d.firmware, mac: d.mac }
    },
    backup: async (at: DeviceAddress, creds: Credentials, ctx: OpContext): Promise<Buffer> => {
      const d = await this.deviceAt(at, creds)
      await this.adoptCreds(d, creds)
      ctx.progress?.('Downloading the configuration…')
      const b = await this.backup(d.id, ctx.ticketId)
      if (!b.verified) throw new AppError('DEVICE', `The backup of ${b.serial} failed verification: ${b.verifyDetail}`)
      return (await this.repo.backupWithData(b.id)).data
    },
    factoryReset: async (at: DeviceAddress, creds: Credentials, o: { confirmSerial: string; backupSha256: string }, ctx: OpContext): Promise<void> => {
      const d = await this.deviceAt(at, creds)
      await this.adoptCreds(d, creds)
      ctx.progress?.('Factory reset…')
      await this.factoryReset(d.id, { ticketId: ctx.ticketId, confirmSerial: o.confirmSerial, network: true, backupSha256: o.backupSha256 })
    },
    waitForDevice: async (serial: string, o: { previous: DeviceAddress; timeoutMs: number }, ctx: OpContext): Promise<DeviceAddress | null> => {
      ctx.progress?.(`Looking for ${serial}…`)
      const iface = this.ifaceFor(o.previous.host)
      const ports = o.previous.port ? [{ port: o.previous.port, tls: false }, ...DEFAULT_PORTS.filter((p) => p.port !== o.previous.port)] : undefined
      const d = await this.waitForDevice(serial, { ifaces: iface ? [iface.name] : undefined, cidr: `${o.previous.host.split('.').slice(0, 3).join('.')}.0/24`, deadlineMs: o.timeoutMs, ports, signal: ctx.signal })
      if (!d) return null
      return { host: d.ip, ...(d.httpPort && d.httpPort !== 80 ? { port: d.httpPort } : {}) }
    },
    checkLogin: async (at: DeviceAddress, creds: Credentials, ctx: OpContext): Promise<boolean> => {
      const d = await this.deviceAt(at, null)
      const ok = await this.withCreds(d, creds, (drv) => drv.checkLogin(creds), ctx.signal).catch(async (e) => {
        await this.app.audit({ action: 'devices.checkLogin', outcome: 'failed', ticketId: ctx.ticketId, device: d.serial || at.host, inputs: { username: creds.username }, detail: (e as Error).message })
        throw e
      })
      if (!ok) this.rejected.add(this.credKey(d, creds))
      await this.app.audit({ action: 'devices.checkLogin', outcome: 'info', ticketId: ctx.ticketId, device: d.serial || at.host, inputs: { username: creds.username }, detail: ok ? 'login accepted' : 'login rejected (not retried)' })
      return ok
    },
    setPassword: async (at: DeviceAddress, current: Credentials, newPassword: string, ctx: OpContext): Promise<void> => {
      const d = await this.deviceAt(at, null)
      ctx.progress?.('Setting the new password…')
      if (this.rejected.has(this.credKey(d, current))) throw new AppError('LOCKOUT_RISK', `${current.username}'s current password was already rejected by ${d.serial || d.ip}; not sent again.`)
      if (d.kind !== 'intercom') await this.adoptCreds(d, current)
      await this.setPassword(d.id, { ticketId: ctx.ticketId, confirmSerial: d.serial, username: current.username, currentPassword: current.password, newPassword })
    },
    restore: async (at: DeviceAddress, creds: Credentials, config: Buffer, ctx: OpContext): Promise<void> => {
      const d = await this.deviceAt(at, creds)
      await this.adoptCreds(d, creds)
      const b = (await this.repo.backups(d.id)).find((x) => x.sha256 === sha256(config) && x.ticketId === ctx.ticketId)
      if (!b) throw new AppError('FORBIDDEN', 'This configuration is not a backup taken by the console in this ticket; restore refused.')
      ctx.progress?.('Uploading the configuration…')
      await this.restore(d.id, { ticketId: ctx.ticketId, backupId: b.id, confirmSerial: d.serial })
    },
  }
}

export type { Scan }

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

const instances = new WeakMap<App, DeviceOps>()
/** The DeviceOps of an App (one per process: it owns the running scans). */
export function deviceOps(app: App): DeviceOps {
  let o = instances.get(app)
  if (!o) {
    o = new DeviceOps(app)
    instances.set(app, o)
  }
  return o
}
