// Reboot, factory reset and password change. Reset and password change go through the guard
// of destructive operations (verified backup in this ticket, typed serial, live serial).
import { AppError } from '../../../shared/contract/common'
import type { OpResult } from '../../../shared/contract/devices'
import { guard, liveSerialMatches } from './identity-check'
import type { OpsCore } from './ops-core'

/** How long after a console-run network factory reset a new certificate is accepted without asking. */
export const CERT_RESET_WINDOW_MS = 30 * 60_000

export async function reboot(core: OpsCore, id: number, ticketId?: number): Promise<OpResult> {
  const d = await core.repo.get(id)
  if (ticketId) await core.app.tickets.get(ticketId)
  return core.run(d, 'reboot', ticketId ?? null, { deviceId: id }, async (drv) => {
    if (d.serial) await liveSerialMatches(core, drv, d, 'reboot')
    core.progress(id, 'reboot', 'Restarting…')
    await drv.reboot()
    return { ok: true, message: 'The device is restarting; it is back in about a minute.' }
  }, (x) => x.message)
}

export async function factoryReset(core: OpsCore, id: number, o: { ticketId: number; confirmSerial: string; network?: boolean; backupSha256?: string; inRun?: boolean }): Promise<OpResult> {
  const d = await core.repo.get(id)
  // One destructive operation per device at a time, in every process (issue 13).
  return core.logins.leases.destructive(d.ip, 'factory reset', async () => {
    const network = o.network ?? true
    const inputs = { deviceId: id, confirmSerial: o.confirmSerial, network }
    await guard(core, d, 'factoryReset', o.ticketId, o.confirmSerial, inputs, { backupSha256: o.backupSha256, inRun: o.inRun })
    return core.run(d, 'factoryReset', o.ticketId, inputs, async (drv) => {
      await liveSerialMatches(core, drv, d, 'factoryReset')
      core.progress(id, 'factoryReset', 'Resetting…')
      // Before the command, so the new certificate is accepted even if the reply is lost.
      if (network) await core.repo.setCertResetUntil(id, new Date(Date.now() + CERT_RESET_WINDOW_MS).toISOString())
      try {
        await drv.factoryReset(network)
      } catch (e) {
        // The device refused or never got the command: no new certificate is to be expected.
        if (network && !(e instanceof AppError && e.code === 'UNREACHABLE')) await core.repo.setCertResetUntil(id, null)
        throw e
      }
      // The old credentials are gone with the reset.
      return {
        ok: true,
        message: network
          ? 'Factory reset (with network settings and certificates) accepted. The device restarts in about 15 s and may come back on another address with a new certificate: rediscover it, then log in with the default credentials.'
          : 'Factory reset accepted (network settings kept). The device restarts in about 15 s.',
      }
    }, (x) => x.message)
  })
}

export async function setPassword(core: OpsCore, id: number, o: { ticketId: number; confirmSerial: string; username?: string; currentPassword?: string; newPassword: string }): Promise<OpResult> {
  const d = await core.repo.get(id)
  return core.logins.leases.destructive(d.ip, 'password change', async () => {
    const username = o.username ?? 'admin'
    const inputs = { deviceId: id, confirmSerial: o.confirmSerial, username, currentPassword: o.currentPassword ?? null, newPassword: o.newPassword }
    await guard(core, d, 'setPassword', o.ticketId, o.confirmSerial, inputs)
    const current = o.currentPassword ?? (d.kind === 'intercom' ? '' : undefined)
    return core.run(d, 'setPassword', o.ticketId, inputs, async (drv) => {
      await liveSerialMatches(core, drv, d, 'setPassword')
      if (d.kind === 'intercom' && !current) throw new AppError('VALIDATION', 'The current admin password is needed to log in to the 2N web interface (after a factory reset it is 2n).', { field: 'currentPassword', key: 'devices.currentPasswordNeeded' })
      core.progress(id, 'setPassword', 'Setting the new password…')
      return drv.setPassword(username, current ?? '', o.newPassword)
    }, (x) => x.message, {
      // The API account the console keeps is stored with the entry that says so, in one transaction.
      commit: (keep): OpResult => {
        if (keep) core.repo.tx().setCredentials(id, keep.username, core.app.secrets.seal(keep.password))
        return { ok: true, message: `The password of ${username} was changed${keep ? ' and stored (encrypted) for the console' : ''}.` }
      },
  })
  })
}
