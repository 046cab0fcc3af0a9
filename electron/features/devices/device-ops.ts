// Device operations as a service: the one place that talks to devices for the handlers, the
// CLI and the workflow engine (issue 5). Electron-free.
//
// ── API ──────────────────────────────────────────────────────────────────────────────────
//   const ops = new DeviceOps(deps)     // built once by the composition root (owns the running scans)
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
// electron/features/workflows/device-port.ts, is satisfied structurally by `ops.port`):
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
//   - one attempt per credential: a password a device rejected is remembered in the data
//     folder (a keyed fingerprint, rejected-logins.ts) and refused (LOCKOUT_RISK, nothing
//     sent) on every path and in every later process, until the console itself resets the
//     device or sets that password; a lock signal from the device stops the operation;
//   - HTTPS: the first certificate is pinned; a different one is refused (FORBIDDEN, nothing
//     sent) unless the agent accepts it (trustCertificate) or the console itself ran a
//     network factory reset on that device within the last 30 minutes.
//
// ── Modules ──────────────────────────────────────────────────────────────────────────────
//   ops-core.ts         shared state, the driver factory, `run` (progress + audit of one operation)
//   driver.ts           the uniform 2N / ISAPI / ONVIF driver and HTTPS pinning
//   discovery-ops.ts    scans into the inventory, add by address
//   read-ops.ts         info, status, detail, ticket links
//   credentials.ts      sealed credentials (refusing a rejected one), certificate trust
//   rejected-logins.ts  "never the same rejected password twice", across processes
//   identity-check.ts   the guard of destructive operations (backup, typed serial, live serial)
//   backup-restore.ts   backup (verified, stored) and restore
//   reset-ops.ts        reboot, factory reset, set password
//   rediscover.ts       finding a device again after a reset or a move
//   address-port.ts     the same operations by address (the workflow engine's port)
import { AppError } from '../../../shared/contract/common'
import type { Backup, Device, DeviceDetail, OpResult, Protocol } from '../../../shared/contract/devices'
import type { Diagnostic, FoundDevice } from '../../../shared/contract/discovery'
import type { PortSpec } from '../discovery'
import type { Scan } from '../discovery'
import { addressPort } from './address-port'
import { backup, restore } from './backup-restore'
import { setCredentials, trustCertificate } from './credentials'
import { addByAddress, identifyFound, startBusScan } from './discovery-ops'
import { OpsCore, type DeviceOpsDeps } from './ops-core'
import { detail, info, linkTicket, status } from './read-ops'
import { waitFor, type WaitOptions } from './rediscover'
import { factoryReset, reboot, setPassword } from './reset-ops'
import type { Credentials } from './twon'

export type { Credentials }
export type { DeviceAddress, OpContext } from './address-port'
export { CERT_RESET_WINDOW_MS } from './reset-ops'
export type { WaitOptions }
export type { DeviceOpsDeps }
export type { Scan }

export class DeviceOps extends OpsCore {
  private scans = new Map<string, Scan>()

  constructor(deps: DeviceOpsDeps) {
    super(deps)
    deps.onClose(() => {
      for (const s of this.scans.values()) s.cancel()
    })
  }

  // ---- discovery ----------------------------------------------------------------------------

  identifyFound = (d: FoundDevice): number | null => identifyFound(this, d)

  startScan(o: { ifaces: string[]; cidr?: string; protocols?: Protocol[]; timeoutS?: number; ports?: PortSpec[] }): Scan {
    return startBusScan(this, this.scans, o)
  }

  cancelScan(scanId: string): void {
    this.scans.get(scanId)?.cancel()
  }

  scanResult(scanId: string) {
    const s = this.scans.get(scanId)
    if (!s) throw new AppError('NOT_FOUND', 'This scan is no longer known (only the last 10 are kept).', { key: 'devices.scanGone' })
    return s.summary()
  }

  addByAddress(o: { address: string; port?: number; iface?: string; username?: string; password?: string }): Promise<{ device: Device | null; diagnostics: Diagnostic[] }> {
    return addByAddress(this, o)
  }

  // ---- inventory ----------------------------------------------------------------------------

  setCredentials(id: number, username: string, password: string): Promise<Device> {
    return setCredentials(this, id, username, password)
  }
  linkTicket(id: number, ticketId: number, unlink = false): Promise<Device> {
    return linkTicket(this, id, ticketId, unlink)
  }
  detail(id: number): Promise<DeviceDetail> {
    return detail(this, id)
  }
  trustCertificate(id: number, fingerprint: string): Promise<Device> {
    return trustCertificate(this, id, fingerprint)
  }

  // ---- operations by id --------------------------------------------------------------------

  info(id: number): Promise<Device> {
    return info(this, id)
  }
  status(id: number) {
    return status(this, id)
  }
  backup(id: number, ticketId: number): Promise<Backup> {
    return backup(this, id, ticketId)
  }
  restore(id: number, o: { ticketId: number; backupId: number; confirmSerial: string; inRun?: boolean }): Promise<OpResult> {
    return restore(this, id, o)
  }
  reboot(id: number, ticketId?: number): Promise<OpResult> {
    return reboot(this, id, ticketId)
  }
  factoryReset(id: number, o: { ticketId: number; confirmSerial: string; network?: boolean; backupSha256?: string; inRun?: boolean }): Promise<OpResult> {
    return factoryReset(this, id, o)
  }
  setPassword(id: number, o: { ticketId: number; confirmSerial: string; username?: string; currentPassword?: string; newPassword: string }): Promise<OpResult> {
    return setPassword(this, id, o)
  }

  /** Rediscovers a device by serial (after a reset its address may change). Null at the deadline. */
  async waitForDevice(serial: string, o: WaitOptions): Promise<Device | null> {
    return waitFor(this, await this.repo.findBySerial(serial), serial, o, this.identifyFound)
  }

  /** The UI's "find it again": rediscovers an inventory device (by serial, MAC or WS-Discovery endpoint). */
  async rediscover(id: number, o: WaitOptions): Promise<Device | null> {
    const d = await this.repo.get(id)
    this.progress(id, 'rediscover', 'Looking for the device…')
    const found = await waitFor(this, d, d.serial, o, this.identifyFound)
    this.progress(id, 'rediscover', found ? `Found at ${found.ip}.` : 'Not found before the time limit.', true, !!found)
    return found
  }

  // ---- by address (the workflow engine's port) ---------------------------------------------

  /** Satisfies electron/features/workflows/device-port.ts (DeviceOpsPort). */
  readonly port = addressPort(this)
}
