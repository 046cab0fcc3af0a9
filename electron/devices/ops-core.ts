// What every device operation shares: the inventory, the App, the process's memory of rejected
// credentials, progress events, and `run` (one operation with its driver, progress and audit
// entry). DeviceOps (device-ops.ts) builds on this; the operation modules take it as `core`.
import { createHash } from 'node:crypto'
import { AppError } from '../../shared/contract/common'
import type { Device, NetInterface } from '../../shared/contract/devices'
import { DevicesRepo } from '../../db/repos/devices'
import type { App } from '../core/app'
import { listInterfaces, resolveInterfaces } from '../discovery/net'
import { onSubnet } from '../discovery/udp'
import { deviceDriver, targetOf, type Driver, type PendingNotes, type Target } from './driver'
import type { Credentials } from './twon'

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')
/** Serials compare case-insensitively, trimmed; an empty serial matches nothing. */
export const sameSerial = (a: string, b: string) => a.trim().toUpperCase() === b.trim().toUpperCase() && a.trim() !== ''

export class OpsCore {
  /** Credentials rejected in this process (address-based calls have no stored credential to mark). */
  readonly rejected = new Set<string>()
  readonly repo: DevicesRepo

  constructor(readonly app: App) {
    this.repo = new DevicesRepo(app.db)
  }

  /** The interface of this PC towards `ip` (by name when given). */
  ifaceFor(ip: string, name = ''): NetInterface | undefined {
    const all = listInterfaces()
    if (name) return resolveInterfaces([name], all)[0]
    return all.find((i) => onSubnet(ip, i))
  }

  driver(t: Target, creds: Credentials | null, o: { onRejected?: () => void; pending?: PendingNotes; signal?: AbortSignal } = {}): Driver {
    return deviceDriver(t, creds, { ...o, repo: this.repo, localAddress: this.ifaceFor(t.ip)?.address })
  }

  target(d: Device): Target {
    return targetOf(d)
  }

  /** The key of a credential in `rejected` (the password only as a hash). */
  credKey(d: Device | { serial: string; ip: string }, c: Credentials): string {
    return `${d.serial || d.ip}|${c.username}|${sha256(Buffer.from(c.password))}`
  }

  progress(id: number, op: string, stage: string, done = false, ok?: boolean): void {
    this.app.bus.emit('devices.op', { id, op, stage, done, ok, message: stage })
  }

  /** Stored credentials, refusing (without any attempt) a credential the device already rejected. */
  async storedCreds(d: Device): Promise<Credentials | null> {
    const c = await this.repo.credentials(d.id)
    if (!c) return null
    if (c.rejectedAt) {
      throw new AppError('UNAUTHORIZED', `The stored password for ${c.username} was rejected by the device on ${c.rejectedAt}; the console will not send it again.`, {
        hint: 'Enter the correct credentials for this device (Set credentials).',
      })
    }
    return { username: c.username, password: this.app.secrets.open(c.sealed) }
  }

  /** Runs one operation with progress, pinning notes and the audit entry (ok / failed). */
  async run<T>(
    d: Device, op: string, ticketId: number | null, inputs: Record<string, unknown>,
    fn: (drv: Driver, pending: PendingNotes) => Promise<T>, detail: (r: T) => string,
    o: { loginOptional?: boolean } = {},
  ): Promise<T> {
    const pending: PendingNotes = []
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
}
