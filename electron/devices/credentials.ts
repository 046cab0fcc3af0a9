// Device credentials and certificate trust: stored only sealed, never returned; a credential
// the device rejected is never sent again (repeated wrong logins lock 2N and NVR accounts).
import { AppError } from '../../shared/contract/common'
import type { Device } from '../../shared/contract/devices'
import type { Driver } from './driver'
import type { OpsCore } from './ops-core'
import type { Credentials } from './twon'

export async function setCredentials(core: OpsCore, id: number, username: string, password: string): Promise<Device> {
  await core.repo.get(id)
  const device = await core.app.record(
    () => {
      void core.repo.setCredentials(id, username, core.app.secrets.seal(password))
      return core.repo.getSync(id)
    },
    (d) => ({ action: 'devices.setCredentials', outcome: 'ok', device: d.serial || d.ip, inputs: { username, password } }),
  )
  core.app.bus.emit('devices.changed', { id })
  return device
}

/** The agent's explicit decision to accept a changed HTTPS certificate. */
export async function trustCertificate(core: OpsCore, id: number, fingerprint: string): Promise<Device> {
  const d = await core.repo.get(id)
  const before = core.repo.pinSync(id)
  await core.app.record(
    () => core.repo.setPinSync(id, fingerprint, 'agent'),
    () => ({ action: 'devices.trustCertificate', outcome: 'ok', device: d.serial || d.ip, inputs: { from: before, to: fingerprint } }),
  )
  core.app.bus.emit('devices.changed', { id })
  return core.repo.get(id)
}

const alreadyRejected = (d: Device, c: Credentials) =>
  new AppError('LOCKOUT_RISK', `${c.username}'s password was already rejected by ${d.serial || d.ip}; the console will not send it again.`, { hint: 'Use the right password; repeated wrong logins lock the account.' })

/** Runs `fn` with explicit credentials, honouring "never the same rejected credential twice". */
export async function withCreds<T>(core: OpsCore, d: Device, c: Credentials, fn: (drv: Driver) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const key = core.credKey(d, c)
  if (core.rejected.has(key)) throw alreadyRejected(d, c)
  const drv = core.driver(core.target(d), c, { signal, onRejected: () => core.rejected.add(key) })
  return fn(drv)
}

/** Stores explicit credentials for a device, refusing a credential the device already rejected. */
export async function adoptCreds(core: OpsCore, d: Device, c: Credentials): Promise<void> {
  if (core.rejected.has(core.credKey(d, c))) throw alreadyRejected(d, c)
  const cur = await core.repo.credentials(d.id)
  const same = cur && cur.username === c.username && core.app.secrets.open(cur.sealed) === c.password
  if (same && cur.rejectedAt) throw alreadyRejected(d, c)
  if (!same) await core.repo.setCredentials(d.id, c.username, core.app.secrets.seal(c.password))
}
