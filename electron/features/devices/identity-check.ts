// Identity confirmation before anything destructive: a verified backup of this device taken in
// this ticket, the serial typed by the agent, and the device reporting that serial right now.
import { AppError } from '../../../shared/contract/common'
import type { Backup, Device } from '../../../shared/contract/devices'
import type { Driver } from './driver'
import { sameSerial, type OpsCore } from './ops-core'

/**
 * The guard of destructive operations: a verified backup of this device in this ticket, the
 * typed serial, and the device reporting that serial right now. Refusals are audited.
 */
export async function guard(core: OpsCore, d: Device, op: string, ticketId: number, confirmSerial: string, inputs: Record<string, unknown>, o: { backupSha256?: string; inRun?: boolean } = {}): Promise<Backup> {
  const refuse = async (message: string, hint: string, t: { key: string; values?: Record<string, string | number> }) => {
    await core.app.audit({ action: `devices.${op}`, outcome: 'refused', ticketId, device: d.serial || d.ip, inputs, detail: message })
    core.progress(d.id, op, message, true, false)
    return new AppError('FORBIDDEN', message, { hint, key: t.key, values: t.values })
  }
  await core.app.tickets.get(ticketId)
  if (!d.serial) throw await refuse('The device serial number is not known, so it cannot be confirmed.', 'Read the device identity first (Info), with credentials if it needs them.', { key: 'devices.serialUnknown' })
  if (!sameSerial(confirmSerial, d.serial)) throw await refuse(`The serial typed (${confirmSerial}) is not the serial of this device (${d.serial}). Nothing was done.`, 'Type the serial exactly as shown on the device page to confirm.', { key: 'devices.serialTyped', values: { typed: confirmSerial, serial: d.serial } })
  const backup = await core.repo.verifiedBackup(d.id, ticketId)
  if (!backup) throw await refuse(`No verified backup of ${d.serial} was taken in ticket #${ticketId}. Nothing was done.`, 'Take a backup of this device in this ticket first; it must pass verification.', { key: 'devices.noVerifiedBackup', values: { serial: d.serial, ticket: ticketId } })
  let used = backup
  if (o.backupSha256 && backup.sha256 !== o.backupSha256.toLowerCase()) {
    const any = (await core.repo.backups(d.id)).find((b) => b.sha256 === o.backupSha256!.toLowerCase() && b.ticketId === ticketId && b.verified)
    if (!any) throw await refuse(`The backup named (SHA-256 ${o.backupSha256}) is not a verified backup of ${d.serial} in ticket #${ticketId}.`, 'Take the backup again.', { key: 'devices.namedBackupNotVerified', values: { sha: o.backupSha256, serial: d.serial, ticket: ticketId } })
    used = any
  }
  // Issue 13, finding 6: before a factory reset or a restore the backup must prove the present:
  // recent, and taken after the device's last audited change (a factory reset, a restore, a
  // password change), so a backup from before an earlier reset no longer authorises later
  // ones. A password change completes the reset before it: its backup need not be newer.
  // A step of a workflow run (`inRun`, the workflow's device port) may use a backup taken in
  // that run across the run's own changes (a reset, then the restore of that backup; a step
  // run again after a crash); changes of the device by anything else still count.
  if (op !== 'factoryReset' && op !== 'restore') return used
  const maxMinutes = (await core.app.settings.get<number>(BACKUP_MAX_AGE_SETTING)) ?? DEFAULT_BACKUP_MAX_AGE_MINUTES
  const ageMin = (Date.now() - Date.parse(used.takenAt)) / 60_000
  if (ageMin > maxMinutes) {
    throw await refuse(`The verified backup of ${d.serial} (#${used.id}) was taken ${Math.round(ageMin)} minutes ago, more than the ${maxMinutes} minutes allowed: it may no longer show the device as it is. Take a new backup first. Nothing was done.`, 'Take a new backup of this device now, then try again.', { key: 'devices.backupTooOld', values: { serial: d.serial, id: used.id, n: Math.round(ageMin), max: maxMinutes } })
  }
  const runStart = o.inRun ? await core.repo.activeRunStart(ticketId) : undefined
  const sameRun = runStart !== undefined && used.takenAt >= runStart
  // The device's last audited change (reset, restore, password), leaving out this run's own steps.
  const last = await core.repo.lastChange(d.serial, DEVICE_CHANGES, sameRun ? { ticketId, since: runStart } : null)
  if (last && last.at >= used.takenAt) {
    throw await refuse(`The verified backup of ${d.serial} (#${used.id}, ${used.takenAt.replace('T', ' ').slice(0, 16)} UTC) was taken before the device's last change (${last.action.replace('devices.', '')} on ${last.at.replace('T', ' ').slice(0, 16)} UTC), so it does not show the device as it is now. Take a new backup first. Nothing was done.`, 'Take a new backup of this device now, then try again.', { key: 'devices.backupBeforeChange', values: { serial: d.serial, id: used.id, taken: used.takenAt.replace('T', ' ').slice(0, 16), changed: last.at.replace('T', ' ').slice(0, 16), what: last.action.replace('devices.', '') } })
  }
  return used
}

/** The audited operations after which an earlier backup no longer shows the device as it is. */
export const DEVICE_CHANGES = ['devices.factoryReset', 'devices.restore', 'devices.setPassword'] as const

/** Settings key: how old (minutes) a verified backup may be to authorise a destructive step. */
export const BACKUP_MAX_AGE_SETTING = 'devices.backupMaxAgeMinutes'
export const DEFAULT_BACKUP_MAX_AGE_MINUTES = 60

/** The device at the inventory address must report the inventory serial, or nothing is done. */
export async function liveSerialMatches(core: OpsCore, drv: Driver, d: Device, op: string): Promise<void> {
  core.progress(d.id, op, 'Confirming the device identity…')
  const live = await drv.identity()
  if (!sameSerial(live.serial, d.serial)) throw new AppError('FORBIDDEN', `The device at ${d.ip} reports serial ${live.serial}, not ${d.serial}. Nothing was done.`, { hint: 'Rescan: the device may have moved and another one taken its address.', key: 'devices.serialDiffersNow', values: { ip: d.ip, live: live.serial, serial: d.serial } })
}
