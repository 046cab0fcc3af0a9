// "Never the same rejected password twice", across processes (issue 4). Every password a
// device rejects is remembered in the database (migration 9) as a keyed fingerprint of
// (the device's serial, or its address while the serial is unknown; the account realm; the
// user; the password) — app.secrets.fingerprint, an HMAC under this data folder's key, never
// a plain hash of the password. Every path that sends a password checks it first and refuses,
// without sending, a password the device already rejected: add by address (which every CLI
// `device` command starts with), Set credentials, stored credentials, the workflow port.
// A different password has a different fingerprint and is sent normally.
import { AppError } from '../../../shared/contract/common'
import type { DeviceKind } from '../../../shared/contract/devices'
import { RejectedLoginsRepo, type LoginRealm, type RejectedLoginsTx, type RejectedLogin } from '../../../db/repos/devices-rejected-logins'
import { reading, writing } from '../../../db/repos/tx-scope'
import type { CommonRepos, Recording, Secrets, Store } from '../../infra/ports'
import { DeviceLeases } from './device-lease'
import type { LoginGuard } from './driver'
import type { Credentials } from './twon'

/** Where a login goes: the device's serial when known (else the inventory's at that address), and its address. */
export interface LoginTarget {
  deviceId: number | null
  serial: string
  ip: string
  kind: DeviceKind
}

const normSerial = (s: string) => s.trim().toUpperCase()

/** How a device kind locks out, for the refusal's hint. */
export function lockoutWords(kind: DeviceKind): string {
  if (kind === 'nvr') return 'NVRs lock logins from this PC after a few failed ones (Hikvision-style devices: 7 by default, as few as 3, then for 10 minutes)'
  if (kind === 'intercom') return '2N intercoms block logins from this PC for a while after a few failed ones'
  return 'devices lock the account after a few failed logins'
}

/** The refusal: the device already rejected this very password; nothing was sent. */
export class AlreadyRejectedError extends AppError {
  constructor(
    readonly rejection: RejectedLogin,
    username: string,
    realm: LoginRealm,
    at: LoginTarget,
  ) {
    const who = at.serial || rejection.serial ? `${at.serial || rejection.serial} at ${at.ip}` : at.ip
    const when = rejection.rejectedAt.replace('T', ' ').slice(0, 16)
    super(
      'LOCKOUT_RISK',
      `The device ${who} already rejected this password for ${username}${realm === 'web' ? ' (web interface login)' : ''} on ${when} UTC (${rejection.action}); the console did not send it again.`,
      { hint: `Check the password with the customer (user name, upper and lower case, keyboard layout) before entering it again: ${lockoutWords(at.kind === 'unknown' ? rejection.kind : at.kind)}. A different password is sent normally.` },
    )
  }
}

/** The records (database), the fingerprint key, and the trail each new rejection is entered in. */
export type RejectedLoginsDeps = Store & Secrets & Pick<Recording, 'agentLabelSync'> & Pick<CommonRepos, 'auditLog'>

export class RejectedLogins {
  readonly repo: RejectedLoginsRepo
  /** One credentialed attempt in flight per device, across processes (issue 13). */
  readonly leases: DeviceLeases

  constructor(private readonly deps: RejectedLoginsDeps) {
    this.repo = new RejectedLoginsRepo(deps.db)
    this.leases = new DeviceLeases(deps.db)
  }

  // The driver's checks and records are synchronous (the next send must already see a
  // rejection), so each runs the repository's transactional view in a small transaction.
  private read<R>(fn: (r: RejectedLoginsTx) => R): R {
    return reading(this.deps.db, () => fn(this.repo.tx()))
  }
  private now<R>(fn: (r: RejectedLoginsTx) => R): R {
    return writing(this.deps.db, () => fn(this.repo.tx()))
  }

  private serialsAt(ip: string): string[] {
    return this.read((r) => r.inventorySerialsAt(ip))
  }

  private fp(scope: 'serial' | 'address', key: string, realm: LoginRealm, c: Credentials): string {
    return this.deps.secrets.fingerprint('rejected-login', [scope, key, realm, c.username, c.password])
  }

  /**
   * The fingerprints a rejection of `c` at `t` may have been recorded under: the serial's
   * (the target's, or when it has none yet, that of any inventory device at that address) and
   * the address's (rejections from before the device could be identified).
   */
  private keys(t: LoginTarget, realm: LoginRealm, c: Credentials): string[] {
    const serials = t.serial ? [t.serial] : this.serialsAt(t.ip)
    return [...new Set(serials.map(normSerial))].map((s) => this.fp('serial', s, realm, c)).concat(t.ip ? [this.fp('address', t.ip, realm, c)] : [])
  }

  /** The rejection of this credential at this device, if the device already rejected it. */
  find(t: LoginTarget, realm: LoginRealm, c: Credentials): RejectedLogin | null {
    const keys = this.keys(t, realm, c)
    return this.read((r) => r.find(keys))
  }

  /** Throws AlreadyRejectedError (LOCKOUT_RISK) when the device already rejected `c`. */
  check(t: LoginTarget, realm: LoginRealm, c: Credentials): void {
    const r = this.find(t, realm, c)
    if (r) throw new AlreadyRejectedError(r, c.username, realm, t)
  }

  /** Records that the device rejected `c` (under its serial when known, else its address). */
  record(t: LoginTarget, realm: LoginRealm, c: Credentials, action: string, o: { rejectedAt?: string; replace?: boolean } = {}): void {
    const serial = normSerial(t.serial)
    const fingerprint = serial ? this.fp('serial', serial, realm, c) : this.fp('address', t.ip, realm, c)
    // The row and an entry naming it in one transaction (issue 13): deleting the row, which would
    // let the console send that password again, leaves an entry `audit verify` checks it against.
    writing(this.deps.db, () => {
      const id = this.repo.tx().record(
        { fingerprint, scope: serial ? 'serial' : 'address', deviceId: t.deviceId, serial, ip: t.ip, kind: t.kind, realm, username: c.username, action, rejectedAt: o.rejectedAt },
        { replace: o.replace },
      )
      this.deps.auditLog.tx().append({
        agent: this.deps.agentLabelSync(), action: 'devices.loginRejected', outcome: 'info', device: serial || t.ip,
        inputs: { rejectionId: id, username: c.username, realm, by: action },
        detail: `The device rejected the password of ${c.username}${realm === 'web' ? ' (web interface)' : ''}; the console will not send it again.`,
      })
    })
  }

  /** The console made `c` the account's password: an earlier rejection of it no longer holds. */
  accepted(t: LoginTarget, realm: LoginRealm, c: Credentials): void {
    const keys = this.keys(t, realm, c)
    this.now((r) => { for (const k of keys) r.clear(k, 'password-set') })
  }

  /** The device's accounts were factory reset by the console: no earlier rejection holds. */
  reset(t: LoginTarget): void {
    this.now((r) => r.clearDevice({ serial: normSerial(t.serial), ips: [t.ip] }, 'factory-reset'))
  }

  /** The driver's view, bound to one target and the operation that logs in. */
  guard(t: LoginTarget, action: string): LoginGuard {
    return {
      exclusive: (fn, realm, c) => this.leases.login(t.ip, action, fn, { credential: realm && c ? this.fp('address', t.ip, realm, c) : undefined }),
      check: (realm, c) => this.check(t, realm, c),
      rejected: (realm, c) => {
        writing(this.deps.db, () => this.leases.repo.tx().forget(`proven:${t.ip}:`))
        this.record(t, realm, c, action)
      },
      accepted: (realm, c) => this.accepted(t, realm, c),
      reset: () => this.reset(t),
    }
  }
}
