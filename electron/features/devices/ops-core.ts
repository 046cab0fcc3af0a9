// What every device operation shares: the inventory, the deps it was given, the persistent memory of rejected
// logins (rejected-logins.ts), progress events, and `run` (one operation with its driver,
// progress and audit entry). DeviceOps (device-ops.ts) builds on this; the operation modules
// take it as `core`.
import { createHash } from 'node:crypto'
import { AppError } from '../../../shared/contract/common'
import type { Device } from '../../../shared/contract/devices'
import type { NetInterface } from '../../../shared/contract/discovery'
import { DevicesRepo } from '../../../db/repos/devices'
import type { CommonRepos, Events, Lifecycle, Logging, Recording, Secrets, Store } from '../../infra/ports'
import { listInterfaces, resolveInterfaces } from '../discovery'
import { onSubnet } from '../discovery'
import { deviceDriver, targetOf, type Driver, type PendingNotes, type Target } from './driver'
import { AlreadyRejectedError, RejectedLogins, type LoginTarget } from './rejected-logins'
import type { Credentials } from './twon'

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')
/** Serials compare case-insensitively, trimmed; an empty serial matches nothing. */
export const sameSerial = (a: string, b: string) => a.trim().toUpperCase() === b.trim().toUpperCase() && a.trim() !== ''

/**
 * What the device layer is given by the composition root: the inventory's database, audit
 * (entries and changes with their entries), tickets and settings (read), sealing, events for
 * the UI, the log, and close (running scans stop).
 */
export type DeviceOpsDeps = Store & Recording & Pick<CommonRepos, 'tickets' | 'settings' | 'auditLog'> & Events & Secrets & Logging & Lifecycle

export class OpsCore {
  /** Passwords devices rejected, in any process using this data folder: checked before every send. */
  readonly logins: RejectedLogins
  readonly repo: DevicesRepo

  /** `app` names the deps (DeviceOpsDeps), not the App: the operation modules reach them as `core.app`. */
  constructor(readonly app: DeviceOpsDeps) {
    this.repo = new DevicesRepo(app.db)
    this.logins = new RejectedLogins(app)
  }

  /**
   * The interface every device of this process is reached through, when the agent chose one
   * (the CLI's `device --iface`); otherwise the one whose network has the device's address.
   */
  viaIface = ''

  /** The interface of this PC towards `ip` (by name when given: its address on `ip`'s network, if it has one). */
  ifaceFor(ip: string, name = this.viaIface): NetInterface | undefined {
    const all = listInterfaces()
    if (name) {
      const hits = resolveInterfaces([name], all)
      return hits.find((i) => onSubnet(ip, i)) ?? hits[0]
    }
    return all.find((i) => onSubnet(ip, i))
  }

  /**
   * A driver for `t`. Whatever the caller, it refuses (AlreadyRejectedError, nothing sent) a
   * password the device already rejected and records each new rejection; `action` names the
   * operation in that record.
   */
  driver(t: Target, creds: Credentials | null, o: { onRejected?: () => void; pending?: PendingNotes; signal?: AbortSignal; action?: string } = {}): Driver {
    const { action, ...rest } = o
    return deviceDriver(t, creds, { ...rest, repo: this.repo, db: this.app.db, localAddress: this.ifaceFor(t.ip)?.address, logins: this.logins.guard(loginTarget(t), action ?? 'devices') })
  }

  target(d: Device): Target {
    return targetOf(d)
  }

  progress(id: number, op: string, stage: string, done = false, ok?: boolean): void {
    this.app.bus.emit('devices.op', { id, op, stage, done, ok, message: stage })
  }

  /** Stored credentials, refusing (without any attempt) a credential the device already rejected. */
  async storedCreds(d: Device): Promise<Credentials | null> {
    const c = await this.repo.credentials(d.id)
    if (!c) return null
    if (c.rejectedAt) {
      // Rejected before rejections were remembered by fingerprint: remember it now, so
      // replacing the stored credential cannot bring the same password back.
      try {
        this.logins.record(loginTarget(d), 'device', { username: c.username, password: this.app.secrets.open(c.sealed) }, 'devices.storedCredentials', { rejectedAt: c.rejectedAt, replace: false })
      } catch {
        // Unreadable under this key: nothing to remember, the refusal below stands.
      }
      throw new AppError('UNAUTHORIZED', `The stored password for ${c.username} was rejected by the device on ${c.rejectedAt}; the console will not send it again.`, {
        key: 'devices.storedRejected',
        values: { user: c.username, at: c.rejectedAt },
        hint: 'Enter the correct credentials for this device (Set credentials).',
      })
    }
    return { username: c.username, password: this.app.secrets.open(c.sealed) }
  }

  /**
   * Runs one operation with progress, pinning notes and the audit entry (ok / failed).
   * `commit` writes what the operation produced (a backup row, new credentials) in the same
   * transaction as its ok entry: a crash or a failed append leaves neither, never a row
   * without its entry. Keep database writes out of `fn` for that reason.
   */
  async run<T, R = T>(
    d: Device, op: string, ticketId: number | null, inputs: Record<string, unknown>,
    fn: (drv: Driver, pending: PendingNotes) => Promise<T>, detail: (r: R) => string,
    o: { loginOptional?: boolean; commit?: (r: T) => R } = {},
  ): Promise<R> {
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
    const drv = this.driver(this.target(d), creds, { pending, action: `devices.${op}`, onRejected: () => void this.repo.markCredentialsRejected(d.id) })
    try {
      const got = await fn(drv, pending)
      const r = await this.app.record(
        () => (o.commit ? o.commit(got) : (got as unknown as R)),
        (x) => ({ action: `devices.${op}`, outcome: 'ok', ticketId, device: d.serial || d.ip, inputs, detail: [detail(x), ...pending.map((p) => p.note)].filter(Boolean).join(' ') }),
      )
      this.progress(d.id, op, detail(r) || 'Done.', true, true)
      this.app.bus.emit('devices.changed', { id: d.id })
      return r
    } catch (e) {
      const err = e instanceof AppError ? e : new AppError('DEVICE', (e as Error).message, { cause: e, key: 'devices.failed', values: { detail: (e as Error).message } })
      await this.app.audit({ action: `devices.${op}`, outcome: err.code === 'FORBIDDEN' || err instanceof AlreadyRejectedError ? 'refused' : 'failed', ticketId, device: d.serial || d.ip, inputs, detail: [err.message, ...pending.map((p) => p.note)].join(' ') })
      this.progress(d.id, op, err.message, true, false)
      throw err
    }
  }
}

/** Who a login of `t` goes to, for the rejected-login memory. */
export const loginTarget = (t: Target | Device): LoginTarget => ({ deviceId: t.id, serial: t.serial, ip: t.ip, kind: t.kind })
