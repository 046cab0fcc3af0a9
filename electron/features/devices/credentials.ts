// Device credentials and certificate trust: stored only sealed, never returned; a credential
// the device rejected is never sent again (repeated wrong logins lock 2N and NVR accounts):
// rejected-logins.ts remembers it across processes, and storing it again is refused.
import type { Device } from '../../../shared/contract/devices'
import type { Driver } from './driver'
import { loginTarget, type OpsCore } from './ops-core'
import { AlreadyRejectedError } from './rejected-logins'
import type { Credentials } from './twon'

/**
 * A stored credential marked rejected before rejections were remembered by fingerprint is
 * remembered now, before it is replaced (so the same password cannot come back).
 */
async function rememberStoredRejection(core: OpsCore, d: Device): Promise<void> {
  const cur = await core.repo.credentials(d.id)
  if (!cur?.rejectedAt) return
  let password: string
  try {
    password = core.app.secrets.open(cur.sealed)
  } catch {
    return // sealed under another key: it cannot be compared with anything anyway
  }
  core.logins.record(loginTarget(d), 'device', { username: cur.username, password }, 'devices.storedCredentials', { rejectedAt: cur.rejectedAt, replace: false })
}

/** Refuses (audited, nothing stored or sent) a credential the device already rejected. */
async function refuseRejected(core: OpsCore, d: Device, c: Credentials, action: string): Promise<void> {
  await rememberStoredRejection(core, d)
  const hit = core.logins.find(loginTarget(d), 'device', c)
  if (!hit) return
  const err = new AlreadyRejectedError(hit, c.username, 'device', loginTarget(d))
  await core.app.audit({ action, outcome: 'refused', device: d.serial || d.ip, inputs: { username: c.username, password: c.password }, detail: err.message })
  throw err
}

export async function setCredentials(core: OpsCore, id: number, username: string, password: string): Promise<Device> {
  await refuseRejected(core, await core.repo.get(id), { username, password }, 'devices.setCredentials')
  const device = await core.app.record(
    () => {
      core.repo.tx().setCredentials(id, username, core.app.secrets.seal(password))
      return core.repo.tx().get(id)
    },
    (d) => ({ action: 'devices.setCredentials', outcome: 'ok', device: d.serial || d.ip, inputs: { username, password } }),
  )
  core.app.bus.emit('devices.changed', { id })
  return device
}

/** The agent's explicit decision to accept a changed HTTPS certificate. */
export async function trustCertificate(core: OpsCore, id: number, fingerprint: string): Promise<Device> {
  const d = await core.repo.get(id)
  const before = await core.repo.pin(id)
  await core.app.record(
    () => core.repo.tx().setPin(id, fingerprint, 'agent'),
    () => ({ action: 'devices.trustCertificate', outcome: 'ok', device: d.serial || d.ip, inputs: { from: before, to: fingerprint } }),
  )
  core.app.bus.emit('devices.changed', { id })
  return core.repo.get(id)
}

/**
 * Runs `fn` with explicit credentials, honouring "never the same rejected credential twice":
 * the driver refuses a password the device already rejected and records a new rejection.
 */
export async function withCreds<T>(core: OpsCore, d: Device, c: Credentials, fn: (drv: Driver) => Promise<T>, o: { signal?: AbortSignal; action?: string } = {}): Promise<T> {
  return fn(core.driver(core.target(d), c, { signal: o.signal, action: o.action }))
}

/** Stores explicit credentials for a device, refusing a credential the device already rejected. */
export async function adoptCreds(core: OpsCore, d: Device, c: Credentials, action = 'devices.adoptCredentials'): Promise<void> {
  await refuseRejected(core, d, c, action)
  const cur = await core.repo.credentials(d.id)
  const same = cur && cur.username === c.username && core.app.secrets.open(cur.sealed) === c.password
  if (same) return
  // The stored credential and its entry in one transaction (never a login changed unaudited).
  await core.app.record(
    () => core.repo.tx().setCredentials(d.id, c.username, core.app.secrets.seal(c.password)),
    () => ({ action: 'devices.setCredentials', outcome: 'ok', device: d.serial || d.ip, inputs: { username: c.username, by: action }, detail: 'The login a workflow step used is stored for this device.' }),
  )
}
