// The device layer by address with explicit credentials: satisfies the workflow engine's
// DeviceOpsPort (electron/features/workflows/device-port.ts) and runs everything through the same
// inventory operations, so their guards, credential rules and audit apply.
import { AppError } from '../../../shared/contract/common'
import type { Backup, Device, OpResult } from '../../../shared/contract/devices'
import { DEFAULT_PORTS } from '../discovery'
import { adoptCreds, withCreds } from './credentials'
import { addByAddress } from './discovery-ops'
import { loginTarget, sha256, type OpsCore } from './ops-core'
import type { WaitOptions } from './rediscover'
import { linkTouched } from './read-ops'
import { AlreadyRejectedError } from './rejected-logins'
import type { Credentials } from './twon'

export interface DeviceAddress {
  host: string
  port?: number
}
export interface OpContext {
  ticketId: number
  signal?: AbortSignal
  progress?: (label: string, done?: number, total?: number | null) => void
}

/**
 * What the port uses of DeviceOps (device-ops.ts builds the port with itself). Declared here
 * rather than imported, so that device-ops.ts → address-port.ts is the only direction.
 */
export interface AddressOps extends OpsCore {
  backup(id: number, ticketId: number): Promise<Backup>
  restore(id: number, o: { ticketId: number; backupId: number; confirmSerial: string; inRun?: boolean }): Promise<OpResult>
  factoryReset(id: number, o: { ticketId: number; confirmSerial: string; network?: boolean; backupSha256?: string; inRun?: boolean }): Promise<OpResult>
  setPassword(id: number, o: { ticketId: number; confirmSerial: string; username?: string; currentPassword?: string; newPassword: string }): Promise<OpResult>
  waitForDevice(serial: string, o: WaitOptions): Promise<Device | null>
}

/**
 * The inventory device at an address (probed and added when not known yet), linked to the
 * ticket whose run touches it (issue 12: the device page lists the tickets that worked on it).
 */
async function deviceAt(ops: AddressOps, at: DeviceAddress, creds: Credentials | null, ticketId: number): Promise<Device> {
  const d = await findDeviceAt(ops, at, creds)
  await linkTouched(ops, d, ticketId, 'a workflow step of the ticket worked on it')
  return ops.repo.get(d.id)
}

async function findDeviceAt(ops: AddressOps, at: DeviceAddress, creds: Credentials | null): Promise<Device> {
  const ip = at.host
  const prior = await ops.repo.findByIp(ip)
  if (prior && (prior.serial || !creds)) {
    if (at.port && prior.httpPort !== at.port) await ops.repo.recordSeen({ serial: prior.serial, mac: prior.mac, endpoint: '', ip, httpPort: at.port })
    return ops.repo.get(prior.id)
  }
  const r = await addByAddress(ops, { address: ip, port: at.port, username: creds?.username, password: creds?.password })
  if (!r.device) throw new AppError('UNREACHABLE', r.diagnostics.map((d) => d.message).join(' ') || `Nothing usable answered at ${ip}.`, { key: r.diagnostics.length ? 'devices.notIdentifiedWhy' : 'devices.nothingUsable', values: { ip, detail: r.diagnostics.map((d) => d.message).join(' ') } })
  return r.device
}

export function addressPort(ops: AddressOps) {
  return {
    identify: async (at: DeviceAddress, ctx: OpContext) => {
      ctx.progress?.(`Identifying ${at.host}…`)
      const d = await deviceAt(ops, at, null, ctx.ticketId)
      if (d.kind === 'intercom') {
        const i = await ops.driver(ops.target(d), null, { signal: ctx.signal }).identity()
        await ops.repo.recordSeen({ serial: i.serial, mac: i.mac, model: i.model, firmware: i.firmware, ip: at.host, kind: 'intercom', vendor: '2N', httpPort: at.port ?? d.httpPort })
        return { serial: i.serial, model: i.model, firmware: i.firmware, mac: i.mac }
      }
      if (!d.serial) throw new AppError('UNAUTHORIZED', `${at.host} needs a login to tell its serial number.`, { key: 'devices.loginForSerial', values: { host: at.host } })
      return { serial: d.serial, model: d.model, firmware: d.firmware, mac: d.mac }
    },
    backup: async (at: DeviceAddress, creds: Credentials, ctx: OpContext): Promise<Buffer> => {
      const d = await deviceAt(ops, at, creds, ctx.ticketId)
      await adoptCreds(ops, d, creds)
      ctx.progress?.('Downloading the configuration…')
      const b = await ops.backup(d.id, ctx.ticketId)
      if (!b.verified) throw new AppError('DEVICE', `The backup of ${b.serial} failed verification: ${b.verifyDetail}`, { key: 'devices.backupFailedVerification', values: { serial: b.serial, detail: b.verifyDetail ?? '' } })
      return (await ops.repo.backupWithData(b.id)).data
    },
    factoryReset: async (at: DeviceAddress, creds: Credentials, o: { confirmSerial: string; backupSha256: string }, ctx: OpContext): Promise<void> => {
      const d = await deviceAt(ops, at, creds, ctx.ticketId)
      await adoptCreds(ops, d, creds)
      ctx.progress?.('Factory reset…')
      // The workflow run's own backup authorises its steps, re-runs after a crash included (issue 13).
      await ops.factoryReset(d.id, { ticketId: ctx.ticketId, confirmSerial: o.confirmSerial, network: true, backupSha256: o.backupSha256, inRun: true })
    },
    waitForDevice: async (serial: string, o: { previous: DeviceAddress; timeoutMs: number }, ctx: OpContext): Promise<DeviceAddress | null> => {
      ctx.progress?.(`Looking for ${serial}…`)
      const iface = ops.ifaceFor(o.previous.host)
      const ports = o.previous.port ? [{ port: o.previous.port, tls: false }, ...DEFAULT_PORTS.filter((p) => p.port !== o.previous.port)] : undefined
      const d = await ops.waitForDevice(serial, { ifaces: iface ? [iface.name] : undefined, cidr: `${o.previous.host.split('.').slice(0, 3).join('.')}.0/24`, deadlineMs: o.timeoutMs, ports, signal: ctx.signal })
      if (!d) return null
      return { host: d.ip, ...(d.httpPort && d.httpPort !== 80 ? { port: d.httpPort } : {}) }
    },
    checkLogin: async (at: DeviceAddress, creds: Credentials, ctx: OpContext): Promise<boolean> => {
      const d = await deviceAt(ops, at, null, ctx.ticketId)
      // The driver refuses a password this device already rejected (nothing sent) and records a new rejection.
      const ok = await withCreds(ops, d, creds, (drv) => drv.checkLogin(creds), { signal: ctx.signal, action: 'devices.checkLogin' }).catch(async (e) => {
        await ops.app.audit({ action: 'devices.checkLogin', outcome: e instanceof AlreadyRejectedError ? 'refused' : 'failed', ticketId: ctx.ticketId, device: d.serial || at.host, inputs: { username: creds.username }, detail: (e as Error).message })
        throw e
      })
      await ops.app.audit({ action: 'devices.checkLogin', outcome: 'info', ticketId: ctx.ticketId, device: d.serial || at.host, inputs: { username: creds.username }, detail: ok ? 'login accepted' : 'login rejected (not retried)' })
      return ok
    },
    setPassword: async (at: DeviceAddress, current: Credentials, newPassword: string, ctx: OpContext): Promise<void> => {
      const d = await deviceAt(ops, at, null, ctx.ticketId)
      ctx.progress?.('Setting the new password…')
      // 2N: the current password is the web admin's; NVR: the account's own.
      ops.logins.check(loginTarget(d), d.kind === 'intercom' ? 'web' : 'device', current)
      if (d.kind !== 'intercom') await adoptCreds(ops, d, current)
      await ops.setPassword(d.id, { ticketId: ctx.ticketId, confirmSerial: d.serial, username: current.username, currentPassword: current.password, newPassword })
    },
    restore: async (at: DeviceAddress, creds: Credentials, config: Buffer, ctx: OpContext): Promise<void> => {
      const d = await deviceAt(ops, at, creds, ctx.ticketId)
      await adoptCreds(ops, d, creds)
      const b = (await ops.repo.backups(d.id)).find((x) => x.sha256 === sha256(config) && x.ticketId === ctx.ticketId)
      if (!b) throw new AppError('FORBIDDEN', 'This configuration is not a backup taken by the console in this ticket; restore refused.', { key: 'devices.notConsoleBackup' })
      ctx.progress?.('Uploading the configuration…')
      await ops.restore(d.id, { ticketId: ctx.ticketId, backupId: b.id, confirmSerial: d.serial, inRun: true })
    },
  }
}
