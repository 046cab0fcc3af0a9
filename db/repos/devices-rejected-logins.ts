import type { Database, Statement } from 'better-sqlite3'
import type { DeviceKind } from '../../shared/contract/devices'
import type { RowOf } from '../row-of'
import { reading, txScope, writing } from './tx-scope'

/** Which accounts a login belongs to: a device's API / ISAPI / ONVIF account, or the 2N web admin. Storage only: never crosses the contract. */
export type LoginRealm = 'device' | 'web'

/**
 * One password a device rejected (the password only inside the keyed fingerprint). Declared
 * here, not derived: rejected logins never cross the contract (the drivers consult them).
 */
export interface RejectedLogin {
  id: number
  fingerprint: string
  scope: 'serial' | 'address'
  deviceId: number | null
  serial: string
  ip: string
  kind: DeviceKind
  realm: LoginRealm
  username: string
  /** The operation that sent it (an audit action such as devices.addByAddress). */
  action: string
  rejectedAt: string
}

export type NewRejectedLogin = Omit<RejectedLogin, 'id' | 'rejectedAt'> & { rejectedAt?: string }

type Row = RowOf<RejectedLogin>

const toRejected = (r: Row): RejectedLogin => ({
  id: r.id, fingerprint: r.fingerprint, scope: r.scope, deviceId: r.device_id, serial: r.serial, ip: r.ip, kind: r.kind, realm: r.realm, username: r.username, action: r.action, rejectedAt: r.rejected_at,
})

/** The rejected logins' statements, reached only inside a transaction (RejectedLoginsRepo.tx()). */
export class RejectedLoginsTx {
  private readonly st: Record<string, Statement>
  constructor(private readonly db: Database) {
    this.st = {
      record: db.prepare(`INSERT INTO device_rejected_logins (fingerprint, scope, device_id, serial, ip, kind, realm, username, action, rejected_at)
        VALUES (@fingerprint, @scope, @deviceId, @serial, @ip, @kind, @realm, @username, @action, @rejectedAt)
        ON CONFLICT (fingerprint) DO UPDATE SET device_id = coalesce(excluded.device_id, device_id), ip = excluded.ip, kind = excluded.kind, action = excluded.action,
          rejected_at = excluded.rejected_at, cleared_at = NULL, cleared_by = NULL
        WHERE @replace = 1`),
      clear: db.prepare("UPDATE device_rejected_logins SET cleared_at = ?, cleared_by = ? WHERE fingerprint = ? AND cleared_at IS NULL"),
      clearSerial: db.prepare("UPDATE device_rejected_logins SET cleared_at = ?, cleared_by = ? WHERE cleared_at IS NULL AND scope = 'serial' AND serial = ?"),
      clearAddress: db.prepare("UPDATE device_rejected_logins SET cleared_at = ?, cleared_by = ? WHERE cleared_at IS NULL AND scope = 'address' AND ip = ?"),
      forDevice: db.prepare('SELECT * FROM device_rejected_logins WHERE cleared_at IS NULL AND (device_id = ? OR (serial <> \'\' AND serial = ?)) ORDER BY rejected_at DESC, id DESC'),
      idOf: db.prepare('SELECT id FROM device_rejected_logins WHERE fingerprint = ?').pluck(),
      serialsAt: db.prepare("SELECT serial FROM devices WHERE ip = ? AND serial <> ''").pluck(),
    }
  }

  /** The active rejection with one of these fingerprints (the newest), if any. */
  find(fingerprints: readonly string[]): RejectedLogin | null {
    if (fingerprints.length === 0) return null
    const r = this.db
      .prepare(`SELECT * FROM device_rejected_logins WHERE cleared_at IS NULL AND fingerprint IN (${fingerprints.map(() => '?').join(',')}) ORDER BY rejected_at DESC, id DESC LIMIT 1`)
      .get(...fingerprints) as Row | undefined
    return r ? toRejected(r) : null
  }

  /**
   * Records a rejection: a fresh one by the device replaces (and re-activates) an earlier
   * record of the same fingerprint; `replace: false` (a backfill of an older rejection) only
   * adds one where there is none. Returns the record's id (the one kept when nothing was replaced).
   */
  record(r: NewRejectedLogin, o: { replace?: boolean } = {}): number {
    this.st.record.run({ ...r, rejectedAt: r.rejectedAt ?? new Date().toISOString(), replace: o.replace === false ? 0 : 1 })
    return this.st.idOf.get(r.fingerprint) as number
  }

  /** The serials the inventory knows at an address (a login's target before its serial is known). */
  inventorySerialsAt(ip: string): string[] {
    return this.st.serialsAt.all(ip) as string[]
  }

  /** Ends the effect of one fingerprint (the console itself made that password the right one). */
  clear(fingerprint: string, by: 'factory-reset' | 'password-set', now = new Date().toISOString()): number {
    return this.st.clear.run(now, by, fingerprint).changes
  }

  /** Ends the effect of every rejection of a device (its credentials were reset). */
  clearDevice(o: { serial: string; ips: readonly string[] }, by: 'factory-reset' | 'password-set', now = new Date().toISOString()): number {
    let n = o.serial ? this.st.clearSerial.run(now, by, o.serial).changes : 0
    for (const ip of new Set(o.ips.filter(Boolean))) n += this.st.clearAddress.run(now, by, ip).changes
    return n
  }

  /** Active rejections of an inventory device, newest first. */
  forDevice(id: number, serial: string): RejectedLogin[] {
    return (this.st.forDevice.all(id, serial) as Row[]).map(toRejected)
  }
}

/**
 * Rejected logins (migration 9). The driver's checks and records are synchronous (a rejection
 * reported from inside a request must be seen by the next send): they run the transactional
 * view in a small transaction of their own (electron/features/devices/rejected-logins.ts).
 */
export class RejectedLoginsRepo {
  private readonly view: RejectedLoginsTx
  constructor(private readonly db: Database) {
    this.view = new RejectedLoginsTx(db)
  }

  tx(): RejectedLoginsTx {
    return txScope(this.db, this.view, 'rejectedLogins')
  }

  /** The active rejection with one of these fingerprints (the newest), if any. */
  async find(fingerprints: readonly string[]): Promise<RejectedLogin | null> {
    return reading(this.db, () => this.tx().find(fingerprints))
  }

  /** Records a rejection (see RejectedLoginsTx.record); returns the record's id. */
  async record(r: NewRejectedLogin, o: { replace?: boolean } = {}): Promise<number> {
    return writing(this.db, () => this.tx().record(r, o))
  }

  /** Ends the effect of one fingerprint. */
  async clear(fingerprint: string, by: 'factory-reset' | 'password-set', now?: string): Promise<number> {
    return writing(this.db, () => this.tx().clear(fingerprint, by, now))
  }

  /** Ends the effect of every rejection of a device. */
  async clearDevice(o: { serial: string; ips: readonly string[] }, by: 'factory-reset' | 'password-set', now?: string): Promise<number> {
    return writing(this.db, () => this.tx().clearDevice(o, by, now))
  }

  /** Active rejections of an inventory device, newest first. */
  async forDevice(id: number, serial: string): Promise<RejectedLogin[]> {
    return reading(this.db, () => this.tx().forDevice(id, serial))
  }
}
