import type { Database, Statement } from 'better-sqlite3'
import { AppError } from '../../shared/contract/common'
import type { Backup, Device, DeviceAuditEntry, DeviceKind, Protocol } from '../../shared/contract/devices'
import type { RowOf } from '../row-of'
import { reading, txScope, writing } from './tx-scope'

export interface SeenDevice {
  serial?: string
  mac?: string
  endpoint?: string
  kind?: DeviceKind
  vendor?: string
  model?: string
  name?: string
  firmware?: string
  ip?: string
  iface?: string
  httpPort?: number | null
  httpsPort?: number | null
  onvifUrl?: string
  protocols?: Protocol[]
}

/**
 * A devices row as SELECT reads it: protocols as JSON text, the endpoint and certificate reset
 * the contract does not carry, and the device's tickets, credential user and TLS pin joined in.
 */
type Row = RowOf<Omit<Device, 'ticketIds' | 'hasCredentials' | 'credentialUser' | 'pinnedFingerprint'>, {
  protocols: string
  endpoint: string
  cert_reset_until: string | null
  ticket_ids: string | null
  cred_user: string | null
  pin: string | null
}>

/** A device_backups row: verified as 0/1, the sealed secret of an encrypted export, the content when selected. */
export type BackupRow = RowOf<Backup, { verified: number; secret_sealed: string | null; data?: Buffer }>

export interface NewBackup {
  deviceId: number
  ticketId: number | null
  sha256: string
  size: number
  serial: string
  firmware: string
  format: string
  verified: boolean
  verifyDetail: string
  secretSealed?: string | null
  data: Buffer
}

export interface StoredCredentials {
  username: string
  sealed: string
  rejectedAt: string | null
}

/** Whether a sighting can be told apart (a serial, MAC or WS-Discovery endpoint): recordSeen records only those. */
export const identifiable = (s: SeenDevice): boolean => !!((s.serial ?? '').trim() || (s.mac ?? '').trim() || (s.endpoint ?? '').trim())

const SELECT = `SELECT d.*,
  (SELECT group_concat(ticket_id) FROM device_tickets t WHERE t.device_id = d.id) AS ticket_ids,
  (SELECT username FROM device_credentials c WHERE c.device_id = d.id) AS cred_user,
  (SELECT fingerprint FROM device_tls_pins p WHERE p.device_id = d.id AND p.replaced_at IS NULL) AS pin
  FROM devices d`

const toDevice = (r: Row): Device => ({
  id: r.id, kind: r.kind, vendor: r.vendor, model: r.model, serial: r.serial, mac: r.mac, name: r.name, firmware: r.firmware, ip: r.ip,
  httpPort: r.http_port, httpsPort: r.https_port, onvifUrl: r.onvif_url, protocols: JSON.parse(r.protocols) as Protocol[],
  firstSeen: r.first_seen, lastSeen: r.last_seen,
  ticketIds: r.ticket_ids ? r.ticket_ids.split(',').map(Number).sort((a, b) => a - b) : [],
  hasCredentials: r.cred_user !== null, credentialUser: r.cred_user ?? '', pinnedFingerprint: r.pin ?? '',
})

const toBackup = (r: BackupRow): Backup => ({
  id: r.id, deviceId: r.device_id, ticketId: r.ticket_id, takenAt: r.taken_at, sha256: r.sha256, size: r.size, serial: r.serial,
  firmware: r.firmware, format: r.format, verified: r.verified === 1, verifyDetail: r.verify_detail,
})

/**
 * The inventory's statements that run inside a transaction (a change and its audit entry:
 * App.record; or a sighting from a synchronous scan callback in a small one of its own),
 * reached only through `DevicesRepo.tx()`; everything else awaits the repository.
 */
export class DevicesTx {
  private readonly st: Record<string, Statement>
  constructor(private readonly db: Database) {
    this.st = {
      bySerial: db.prepare("SELECT id, serial FROM devices WHERE serial = ? AND serial <> ''"),
      byMac: db.prepare("SELECT id, serial FROM devices WHERE mac = ? AND mac <> '' ORDER BY last_seen DESC"),
      byEndpoint: db.prepare("SELECT id, serial FROM devices WHERE endpoint = ? AND endpoint <> '' ORDER BY last_seen DESC"),
      get: db.prepare(`${SELECT} WHERE d.id = ?`),
      byIp: db.prepare(`${SELECT} WHERE d.ip = ? ORDER BY d.last_seen DESC LIMIT 1`),
      unidentifiedAt: db.prepare("SELECT id FROM devices WHERE ip = ? AND serial = '' ORDER BY last_seen DESC LIMIT 1"),
      insert: db.prepare(`INSERT INTO devices (serial, mac, endpoint, kind, vendor, model, name, firmware, ip, http_port, https_port, onvif_url, protocols, first_seen, last_seen)
        VALUES (@serial, @mac, @endpoint, @kind, @vendor, @model, @name, @firmware, @ip, @httpPort, @httpsPort, @onvifUrl, @protocols, @now, @now) RETURNING id`),
      update: db.prepare(`UPDATE devices SET
        serial = CASE WHEN @serial <> '' THEN @serial ELSE serial END,
        mac = CASE WHEN @mac <> '' THEN @mac ELSE mac END,
        endpoint = CASE WHEN @endpoint <> '' THEN @endpoint ELSE endpoint END,
        kind = CASE WHEN @kind <> 'unknown' AND NOT (@kind = 'camera' AND kind IN ('nvr', 'intercom')) THEN @kind ELSE kind END,
        vendor = CASE WHEN @vendor <> '' THEN @vendor ELSE vendor END,
        model = CASE WHEN @model <> '' THEN @model ELSE model END,
        name = CASE WHEN @name <> '' THEN @name ELSE name END,
        firmware = CASE WHEN @firmware <> '' THEN @firmware ELSE firmware END,
        ip = CASE WHEN @ip <> '' THEN @ip ELSE ip END,
        http_port = coalesce(@httpPort, http_port),
        https_port = coalesce(@httpsPort, https_port),
        onvif_url = CASE WHEN @onvifUrl <> '' THEN @onvifUrl ELSE onvif_url END,
        protocols = @protocols,
        last_seen = @now
        WHERE id = @id`),
      protocols: db.prepare('SELECT protocols FROM devices WHERE id = ?'),
      addr: db.prepare(`INSERT INTO device_addresses (device_id, ip, iface, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (device_id, ip) DO UPDATE SET last_seen = excluded.last_seen, iface = CASE WHEN excluded.iface <> '' THEN excluded.iface ELSE iface END`),
      fw: db.prepare(`INSERT INTO device_firmware (device_id, firmware, first_seen, last_seen) VALUES (?, ?, ?, ?)
        ON CONFLICT (device_id, firmware) DO UPDATE SET last_seen = excluded.last_seen`),
    }
  }

  /** Records a sighting; returns the inventory id, or null when the device cannot be identified. */
  recordSeen(s: SeenDevice, now = new Date().toISOString()): number | null {
    const serial = (s.serial ?? '').trim()
    const mac = (s.mac ?? '').trim().toUpperCase()
    const endpoint = (s.endpoint ?? '').trim().toLowerCase()
    if (!identifiable(s)) return null
    return this.db.transaction(() => {
      let id: number | undefined
      if (serial) id = (this.st.bySerial.get(serial) as { id: number } | undefined)?.id
      // A MAC or endpoint match belongs to this device only if its serial does not contradict.
      const fits = (r: { id: number; serial: string } | undefined) => (r && (!serial || !r.serial || r.serial === serial) ? r.id : undefined)
      if (id === undefined && mac) id = fits(this.st.byMac.get(mac) as { id: number; serial: string } | undefined)
      if (id === undefined && endpoint) id = fits(this.st.byEndpoint.get(endpoint) as { id: number; serial: string } | undefined)
      // A device first seen without a serial (an NVR that needs a login) and identified later at
      // the same address is the same entry, not a second one.
      if (id === undefined && serial && s.ip) id = (this.st.unidentifiedAt.get(s.ip) as { id: number } | undefined)?.id
      const p = {
        serial, mac, endpoint, kind: s.kind ?? 'unknown', vendor: s.vendor ?? '', model: s.model ?? '', name: s.name ?? '', firmware: s.firmware ?? '', ip: s.ip ?? '',
        httpPort: s.httpPort ?? null, httpsPort: s.httpsPort ?? null, onvifUrl: s.onvifUrl ?? '', now,
      }
      if (id === undefined) {
        id = (this.st.insert.get({ ...p, protocols: JSON.stringify([...new Set(s.protocols ?? [])]) }) as { id: number }).id
      } else {
        const old = JSON.parse((this.st.protocols.get(id) as { protocols: string }).protocols) as Protocol[]
        this.st.update.run({ ...p, id, protocols: JSON.stringify([...new Set([...old, ...(s.protocols ?? [])])]) })
      }
      if (p.ip) this.st.addr.run(id, p.ip, s.iface ?? '', now, now)
      if (p.firmware) this.st.fw.run(id, p.firmware, now, now)
      return id
    })()
  }
  get(id: number): Device {
    const r = this.st.get.get(id) as Row | undefined
    if (!r) throw new AppError('NOT_FOUND', `Device #${id} is not in the inventory.`, { key: 'devices.noSuchDevice', values: { id } })
    return toDevice(r)
  }
  linkTicket(id: number, ticketId: number, unlink = false, now = new Date().toISOString()): void {
    this.get(id)
    if (unlink) this.db.prepare('DELETE FROM device_tickets WHERE device_id = ? AND ticket_id = ?').run(id, ticketId)
    else this.db.prepare('INSERT OR IGNORE INTO device_tickets (device_id, ticket_id, linked_at) VALUES (?, ?, ?)').run(id, ticketId, now)
  }
  setCredentials(id: number, username: string, sealed: string, now = new Date().toISOString()): void {
    this.get(id)
    this.db
      .prepare(`INSERT INTO device_credentials (device_id, username, sealed, rejected_at, updated_at) VALUES (?, ?, ?, NULL, ?)
        ON CONFLICT (device_id) DO UPDATE SET username = excluded.username, sealed = excluded.sealed, rejected_at = NULL, updated_at = excluded.updated_at`)
      .run(id, username, sealed, now)
  }
  // ---- TLS pins ---------------------------------------------------------------------------
  pin(id: number): string {
    return (this.db.prepare('SELECT fingerprint FROM device_tls_pins WHERE device_id = ? AND replaced_at IS NULL').get(id) as { fingerprint: string } | undefined)?.fingerprint ?? ''
  }
  setPin(id: number, fingerprint: string, reason: 'first-use' | 'agent' | 'after-reset', now = new Date().toISOString()): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE device_tls_pins SET replaced_at = ? WHERE device_id = ? AND replaced_at IS NULL AND fingerprint <> ?').run(now, id, fingerprint)
      this.db
        .prepare(`INSERT INTO device_tls_pins (device_id, fingerprint, pinned_at, reason) VALUES (?, ?, ?, ?)
          ON CONFLICT (device_id, fingerprint) DO UPDATE SET replaced_at = NULL, pinned_at = excluded.pinned_at, reason = excluded.reason`)
        .run(id, fingerprint, now, reason)
    })()
  }
  certResetUntil(id: number): string | null {
    return (this.db.prepare('SELECT cert_reset_until FROM devices WHERE id = ?').get(id) as { cert_reset_until: string | null } | undefined)?.cert_reset_until ?? null
  }
  setCertResetUntil(id: number, until: string | null): void {
    this.db.prepare('UPDATE devices SET cert_reset_until = ? WHERE id = ?').run(until, id)
  }
  addBackup(b: NewBackup, now = new Date().toISOString()): Backup {
    const r = this.db
      .prepare(`INSERT INTO device_backups (device_id, ticket_id, taken_at, sha256, size, serial, firmware, format, verified, verify_detail, secret_sealed, data)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, device_id, ticket_id, taken_at, sha256, size, serial, firmware, format, verified, verify_detail, secret_sealed`)
      .get(b.deviceId, b.ticketId, now, b.sha256, b.size, b.serial, b.firmware, b.format, b.verified ? 1 : 0, b.verifyDetail, b.secretSealed ?? null, b.data) as BackupRow
    return toBackup(r)
  }
  /** The newest successful entry of `action` naming this device (its serial), if any. */
  lastOk(device: string, action: string): { action: string; at: string } | null {
    return this.lastChange(device, [action], null)
  }
  /**
   * The newest successful entry of one of `actions` naming this device (its serial), if any,
   * leaving out the entries of one ticket since a time (a workflow run's own steps).
   */
  lastChange(device: string, actions: readonly string[], except: { ticketId: number; since: string } | null): { action: string; at: string } | null {
    return (this.db
      .prepare(`SELECT action, at FROM audit_log WHERE device = ? AND outcome = 'ok' AND action IN (${actions.map(() => '?').join(', ')})
        AND NOT (ticket_id IS ? AND at >= ?) ORDER BY seq DESC LIMIT 1`)
      .get(device, ...actions, except ? except.ticketId : null, except ? except.since : '9') as { action: string; at: string } | undefined) ?? null
  }
  /** When the ticket's active workflow run started, if it has one. */
  activeRunStart(ticketId: number): string | undefined {
    return this.db.prepare("SELECT created_at FROM workflow_runs WHERE ticket_id = ? AND status = 'active' ORDER BY id DESC LIMIT 1").pluck().get(ticketId) as string | undefined
  }
  /** The inventory device at this address (its current one), the most recently seen first; an exact, indexed match. */
  findByIp(ip: string): Device | null {
    const r = this.st.byIp.get(ip) as Row | undefined
    return r ? toDevice(r) : null
  }

  bySerialId(serial: string): number | null {
    return (this.st.bySerial.get(serial.trim()) as { id: number } | undefined)?.id ?? null
  }
}

/** The device inventory: async methods; the synchronous statements only through tx(). */
export class DevicesRepo {
  private readonly view: DevicesTx
  constructor(private readonly db: Database) {
    this.view = new DevicesTx(db)
  }

  tx(): DevicesTx {
    return txScope(this.db, this.view, 'devices')
  }

  /** Records a sighting; returns the inventory id, or null when the device cannot be identified. */
  async recordSeen(s: SeenDevice, now?: string): Promise<number | null> {
    return writing(this.db, () => this.tx().recordSeen(s, now))
  }

  async get(id: number): Promise<Device> {
    return reading(this.db, () => this.tx().get(id))
  }

  /** The inventory device at this address (its current one), the most recently seen first. */
  async findByIp(ip: string): Promise<Device | null> {
    return reading(this.db, () => this.tx().findByIp(ip))
  }

  /** The device's pinned certificate fingerprint ('' when none). */
  async pin(id: number): Promise<string> {
    return reading(this.db, () => this.tx().pin(id))
  }

  async certResetUntil(id: number): Promise<string | null> {
    return reading(this.db, () => this.tx().certResetUntil(id))
  }

  /** The newest successful entry of one of `actions` naming this device (see DevicesTx.lastChange). */
  async lastChange(device: string, actions: readonly string[], except: { ticketId: number; since: string } | null): Promise<{ action: string; at: string } | null> {
    return reading(this.db, () => this.tx().lastChange(device, actions, except))
  }

  /** When the ticket's active workflow run started, if it has one. */
  async activeRunStart(ticketId: number): Promise<string | undefined> {
    return reading(this.db, () => this.tx().activeRunStart(ticketId))
  }

  async findBySerial(serial: string): Promise<Device | null> {
    return reading(this.db, () => {
      const id = this.tx().bySerialId(serial)
      return id === null ? null : this.tx().get(id)
    })
  }

  async list(q: { search?: string; ticketId?: number; limit?: number } = {}): Promise<Device[]> {
    const where: string[] = []
    const args: unknown[] = []
    if (q.search) {
      where.push("(d.serial LIKE ? ESCAPE '\\' OR d.mac LIKE ? ESCAPE '\\' OR d.model LIKE ? ESCAPE '\\' OR d.name LIKE ? ESCAPE '\\' OR d.ip LIKE ? ESCAPE '\\' OR d.vendor LIKE ? ESCAPE '\\')")
      const like = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      args.push(like, like, like, like, like, like)
    }
    if (q.ticketId) {
      where.push('d.id IN (SELECT device_id FROM device_tickets WHERE ticket_id = ?)')
      args.push(q.ticketId)
    }
    const sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY d.last_seen DESC LIMIT ?`
    return (this.db.prepare(sql).all(...args, q.limit ?? 500) as Row[]).map(toDevice)
  }

  async addresses(id: number): Promise<{ ip: string; iface: string; firstSeen: string; lastSeen: string }[]> {
    return (this.db.prepare('SELECT ip, iface, first_seen, last_seen FROM device_addresses WHERE device_id = ? ORDER BY last_seen DESC').all(id) as { ip: string; iface: string; first_seen: string; last_seen: string }[]).map(
      (r) => ({ ip: r.ip, iface: r.iface, firstSeen: r.first_seen, lastSeen: r.last_seen }),
    )
  }

  async firmwareHistory(id: number): Promise<{ firmware: string; firstSeen: string; lastSeen: string }[]> {
    return (this.db.prepare('SELECT firmware, first_seen, last_seen FROM device_firmware WHERE device_id = ? ORDER BY first_seen DESC').all(id) as { firmware: string; first_seen: string; last_seen: string }[]).map(
      (r) => ({ firmware: r.firmware, firstSeen: r.first_seen, lastSeen: r.last_seen }),
    )
  }

  async linkTicket(id: number, ticketId: number, unlink = false, now?: string): Promise<void> {
    writing(this.db, () => this.tx().linkTicket(id, ticketId, unlink, now))
  }

  // ---- credentials (sealed by the caller with app.secrets) -------------------------------
  async setCredentials(id: number, username: string, sealed: string, now?: string): Promise<void> {
    writing(this.db, () => this.tx().setCredentials(id, username, sealed, now))
  }
  async credentials(id: number): Promise<StoredCredentials | null> {
    const r = this.db.prepare('SELECT username, sealed, rejected_at FROM device_credentials WHERE device_id = ?').get(id) as { username: string; sealed: string; rejected_at: string | null } | undefined
    return r ? { username: r.username, sealed: r.sealed, rejectedAt: r.rejected_at } : null
  }
  async markCredentialsRejected(id: number, now = new Date().toISOString()): Promise<void> {
    this.db.prepare('UPDATE device_credentials SET rejected_at = ? WHERE device_id = ?').run(now, id)
  }

  async setCertResetUntil(id: number, until: string | null): Promise<void> {
    writing(this.db, () => this.tx().setCertResetUntil(id, until))
  }

  // ---- backups ----------------------------------------------------------------------------
  async addBackup(b: NewBackup, now?: string): Promise<Backup> {
    return writing(this.db, () => this.tx().addBackup(b, now))
  }
  async backups(deviceId: number): Promise<Backup[]> {
    return (this.db.prepare('SELECT id, device_id, ticket_id, taken_at, sha256, size, serial, firmware, format, verified, verify_detail, secret_sealed FROM device_backups WHERE device_id = ? ORDER BY id DESC').all(deviceId) as BackupRow[]).map(toBackup)
  }
  async backupWithData(id: number): Promise<Backup & { data: Buffer; secretSealed: string | null }> {
    const r = this.db.prepare('SELECT * FROM device_backups WHERE id = ?').get(id) as BackupRow | undefined
    if (!r) throw new AppError('NOT_FOUND', `Backup #${id} does not exist.`, { key: 'devices.noSuchBackup', values: { id } })
    return { ...toBackup(r), data: r.data!, secretSealed: r.secret_sealed }
  }
  /** The newest verified backup of this device taken in this ticket, if any. */
  async verifiedBackup(deviceId: number, ticketId: number): Promise<Backup | null> {
    const r = this.db
      .prepare('SELECT id, device_id, ticket_id, taken_at, sha256, size, serial, firmware, format, verified, verify_detail, secret_sealed FROM device_backups WHERE device_id = ? AND ticket_id = ? AND verified = 1 ORDER BY id DESC LIMIT 1')
      .get(deviceId, ticketId) as BackupRow | undefined
    return r ? toBackup(r) : null
  }

  /** Audit entries naming this device (by serial or any of its addresses), newest first. */
  async auditFor(keys: string[], limit = 100): Promise<DeviceAuditEntry[]> {
    if (keys.length === 0) return []
    const rows = this.db
      .prepare(`SELECT seq, at, agent, action, outcome, detail, ticket_id FROM audit_log WHERE device IN (${keys.map(() => '?').join(',')}) ORDER BY seq DESC LIMIT ?`)
      .all(...keys, limit) as RowOf<DeviceAuditEntry>[]
    return rows.map((r) => ({ seq: r.seq, at: r.at, agent: r.agent, action: r.action, outcome: r.outcome, detail: r.detail, ticketId: r.ticket_id }))
  }




}
