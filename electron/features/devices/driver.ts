// One uniform driver over the 2N, ISAPI and ONVIF clients, with HTTPS trust on first use:
// what an operation calls once it knows the device and its credentials. Electron-free.
import { AppError } from '../../../shared/contract/common'
import type { Device, Protocol } from '../../../shared/contract/devices'
import type { DevicesRepo } from '../../../db/repos/devices'
import { reading, writing } from '../../../db/repos/tx-scope'
import type { Database } from 'better-sqlite3'
import type { PinPolicy } from '../../infra/device-http'
import { IsapiClient, OnvifClient, verifyIsapiExport } from './nvr'
import type { LoginRealm } from '../../../db/repos/devices-rejected-logins'
import { TwoNClient, TwoNWebSession, verifyTwoNConfig, type Credentials, type Endpoint } from './twon'

/** Where a device is and how to reach it. */
export interface Target {
  id: number | null
  kind: Device['kind']
  serial: string
  ip: string
  httpPort: number | null
  httpsPort: number | null
  onvifUrl: string
  protocols: Protocol[]
}

export const targetOf = (d: Device): Target => ({ id: d.id, kind: d.kind, serial: d.serial, ip: d.ip, httpPort: d.httpPort, httpsPort: d.httpsPort, onvifUrl: d.onvifUrl, protocols: d.protocols })

/** Notes about certificate decisions, added to the operation's audit entry. */
export type PendingNotes = { note: string }[]

/**
 * HTTPS pinning of an inventory device: the first certificate is pinned; a different one is
 * accepted only right after the console's own network factory reset; otherwise refused.
 */
export function pinPolicy(repo: DevicesRepo, db: Database | undefined, id: number | null, pending: PendingNotes): PinPolicy | undefined {
  if (id === null) return undefined
  if (!db) throw new Error('pinPolicy: an inventory device needs the database for its pin')
  // The TLS handshake decides synchronously: each read or write is a small transaction of its own.
  const read = <R>(fn: (tx: ReturnType<DevicesRepo['tx']>) => R): R => reading(db, () => fn(repo.tx()))
  const now = <R>(fn: (tx: ReturnType<DevicesRepo['tx']>) => R): R => writing(db, () => fn(repo.tx()))
  const policy: PinPolicy = {
    pinned: read((tx) => tx.pin(id)),
    decide: (fp, previous) => {
      if (!previous) {
        now((tx) => tx.setPin(id, fp, 'first-use'))
        pending.push({ note: `HTTPS certificate pinned on first use (SHA-256 ${fp}).` })
        policy.pinned = fp
        return true
      }
      const until = read((tx) => tx.certResetUntil(id))
      if (until && Date.parse(until) > Date.now()) {
        // The new pin and the end of the window in one write: the window admits one certificate.
        now((tx) => {
          tx.setPin(id, fp, 'after-reset')
          tx.setCertResetUntil(id, null)
        })
        pending.push({ note: `New HTTPS certificate accepted after the console's own network factory reset (SHA-256 ${fp}).` })
        policy.pinned = fp
        return true
      }
      return false
    },
  }
  return policy
}

/**
 * The persistent memory of rejected logins (electron/features/devices/rejected-logins.ts) as a driver
 * sees it: `check` throws, before anything is sent, when the device already rejected a
 * credential; `rejected` records a rejection the moment the device answers it.
 */
export interface LoginGuard {
  /**
   * Runs one exchange that may send a credential while no other is in flight to this device
   * (any process): the check, the send and the record of a rejection happen inside it.
   */
  exclusive<R>(fn: (proven: () => void) => Promise<R>, realm?: LoginRealm, c?: Credentials): Promise<R>
  check(realm: LoginRealm, c: Credentials): void
  rejected(realm: LoginRealm, c: Credentials): void
  /** The console itself made `c` the account's password: an old rejection of it no longer holds. */
  accepted(realm: LoginRealm, c: Credentials): void
  /** The device's accounts were factory reset: no old rejection holds. */
  reset(): void
}

export interface DriverOptions {
  repo: DevicesRepo
  /** The inventory's database (the TLS pin of an inventory device is read and written during the handshake). */
  db?: Database
  /** The address of this PC's interface towards the device (nothing leaves on another one). */
  localAddress?: string
  onRejected?: () => void
  /** Checked before every method that sends a password; told of every rejection. */
  logins?: LoginGuard
  pending?: PendingNotes
  signal?: AbortSignal
}

/** A uniform driver over the 2N, ISAPI and ONVIF clients. */
export function deviceDriver(t: Target, creds: Credentials | null, o: DriverOptions) {
  const pending = o.pending ?? []
  const pin = pinPolicy(o.repo, o.db, t.id, pending)
  const ep: Endpoint = { host: t.ip, httpPort: t.httpPort, httpsPort: t.httpsPort, localAddress: o.localAddress, pin, timeoutMs: 6000, signal: o.signal }
  const g = o.logins
  // Every method that may send the driver's credential checks first that the device has not
  // rejected it already (in any process, on any path); a rejection is recorded at once.
  // The device answered the credential without rejecting it: other operations may send it now.
  let proven: (() => void) | null = null
  const accepted = () => proven?.()
  const one = <R>(fn: () => Promise<R>, realm?: LoginRealm, c?: Credentials): Promise<R> =>
    g
      ? g.exclusive((p) => {
          proven = p
          return fn()
        }, realm, c)
      : fn()
  const logged = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    if (!creds) return fn(...a)
    return one(async () => {
      g?.check('device', creds)
      return fn(...a)
    }, 'device', creds)
  }
  const onRejected = () => {
    if (creds) g?.rejected('device', creds)
    o.onRejected?.()
  }
  /** One web-interface login attempt with `cr`, refused without sending when already rejected. */
  const webLogin = (c: TwoNClient, cr: Credentials) => one(async () => {
    g?.check('web', cr)
    const web = new TwoNWebSession(c)
    try {
      return { web, session: await web.login(cr) }
    } catch (e) {
      if (e instanceof AppError && e.code === 'UNAUTHORIZED') g?.rejected('web', cr)
      throw e
    }
  })
  if (t.kind === 'intercom') {
    const c = new TwoNClient(ep, creds)
    c.onRejected = onRejected
    c.onAccepted = accepted
    return {
      identity: async () => {
        const i = await c.info()
        return { serial: i.serialNumber, mac: i.macAddr, model: i.variant, firmware: i.swVersion, name: i.deviceName, vendor: '2N' }
      },
      status: logged(async () => {
        const s = await c.status()
        return { upTimeS: s.upTime, deviceTime: new Date(s.systemTime * 1000).toISOString() }
      }),
      backup: logged(async () => ({ data: await c.downloadConfig(), format: '2n-config-xml', secret: null as string | null })),
      verify: (data: Buffer, serial: string) => verifyTwoNConfig(data, serial),
      restore: logged((data: Buffer) => c.uploadConfig(data)),
      reboot: logged(() => c.restart()),
      factoryReset: logged(async (network: boolean) => {
        await c.factoryReset(network)
        g?.reset()
      }),
      setPassword: (username: string, current: string, next: string): Promise<Credentials | null> => one(async () => {
        const { web, session: s } = await webLogin(c, { username, password: current })
        // The same password again completes a change that was cut short (the console stopped
        // between the two requests): the web password is set, the API account may be missing.
        const completing = current === next
        if (!completing) await web.changePassword(current, next)
        g?.accepted('web', { username, password: next })
        if (s.mustChangePassword || (completing && (await web.apiAccounts()).length === 0)) {
          // Fresh from a factory reset the device has no API account: create one with the
          // new password so the console (and the agent) keep API access. (Only on a device
          // with none: the customer's own accounts are never replaced.)
          await web.setApiAccounts([{ username, password: next, privileges: ['system', 'switch', 'io', 'keypad', 'uid', 'call'] }])
          g?.accepted('device', { username, password: next })
          return { username, password: next }
        }
        return null
      }),
      checkLogin: async (cr: Credentials) => {
        try {
          await webLogin(c, cr)
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
  isapi.onRejected = onRejected
  isapi.onAccepted = accepted
  const onvif = t.onvifUrl ? new OnvifClient(new URL(t.onvifUrl), creds, { localAddress: ep.localAddress, timeoutMs: 6000, signal: o.signal }) : null
  if (onvif) {
    onvif.onRejected = onRejected
    onvif.onAccepted = accepted
  }
  const need = () => {
    if (!onvif) throw new AppError('DEVICE', 'The device answers neither ISAPI nor ONVIF.', { key: 'devices.noIsapiNoOnvif' })
    return onvif
  }
  return {
    identity: logged(() => (useIsapi ? isapi.info() : need().info())),
    status: logged(async () => ({ upTimeS: null as number | null, deviceTime: useIsapi ? await isapi.deviceTime() : new Date(Date.now() + (await need().timeOffset())).toISOString() })),
    backup: logged(async () => {
      if (!useIsapi) throw new AppError('DEVICE', 'Configuration backup needs ISAPI; this device only answers ONVIF, which has no configuration export.', { key: 'devices.backupNeedsIsapi' })
      const x = await isapi.exportConfig()
      return { data: x.data, format: 'isapi-configurationData', secret: x.secretKey as string | null }
    }),
    // Opaque: only "not an error page", from the serial read live (see verifyIsapiExport).
    verify: (data: Buffer, serial: string) => verifyIsapiExport(data, serial),
    restore: logged(async (data: Buffer, secret?: string | null) => {
      if (!secret) throw new AppError('DEVICE', 'This backup has no export key stored, so the device cannot decrypt it.', { key: 'devices.noExportKey' })
      return isapi.importConfig(data, secret)
    }),
    reboot: logged(() => (useIsapi ? isapi.reboot() : need().reboot())),
    factoryReset: logged(async (network: boolean) => {
      await (useIsapi ? isapi.factoryReset(network) : need().factoryReset(network))
      g?.reset()
    }),
    setPassword: logged(async (username: string, _current: string, next: string): Promise<Credentials | null> => {
      if (useIsapi) await isapi.setPassword(await isapi.userId(username), username, next)
      else await need().setPassword(username, next)
      g?.accepted('device', { username, password: next })
      return { username, password: next }
    }),
    checkLogin: (cr: Credentials) => one(async () => {
      g?.check('device', cr)
      const probe = new IsapiClient(ep, cr)
      probe.onRejected = () => g?.rejected('device', cr)
      try {
        await probe.info()
        return true
      } catch (e) {
        if (e instanceof AppError && e.code === 'UNAUTHORIZED') return false
        throw e
      }
    }),
  }
}

export type Driver = ReturnType<typeof deviceDriver>
