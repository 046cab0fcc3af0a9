// Identity confirmation before anything destructive: a verified backup of this device taken in
// this ticket, the serial typed by the agent, and the device reporting that serial right now.
import { AppError } from '../../shared/contract/common'
import type { Backup, Device } from '../../shared/contract/devices'
import type { Driver } from './driver'
import { sameSerial, type OpsCore } from './ops-core'

/**
 * The guard of destructive operations: a verified backup of this device in this ticket, the
 * typed serial, and the device reporting that serial right now. Refusals are audited.
 */
export async function guard(core: OpsCore, d: Device, op: string, ticketId: number, confirmSerial: string, inputs: Record<string, unknown>, o: { backupSha256?: string } = {}): Promise<Backup> {
  const refuse = async (message: string, hint: string) => {
    await core.app.audit({ action: `devices.${op}`, outcome: 'refused', ticketId, device: d.serial || d.ip, inputs, detail: message })
    core.progress(d.id, op, message, true, false)
    return new AppError('FORBIDDEN', message, { hint })
  }
  await core.app.tickets.get(ticketId)
  if (!d.serial) throw await refuse('The device serial number is not known, so it cannot be confirmed.', 'Read the device identity first (Info), with credentials if it needs them.')
  if (!sameSerial(confirmSerial, d.serial)) throw await refuse(`The serial typed (${confirmSerial}) is not the serial of this device (${d.serial}). Nothing was done.`, 'Type the serial exactly as shown on the device page to confirm.')
  const backup = await core.repo.verifiedBackup(d.id, ticketId)
  if (!backup) throw await refuse(`No verified backup of ${d.serial} was taken in ticket #${ticketId}. Nothing was done.`, 'Take a backup of this device in this ticket first; it must pass verification.')
  if (o.backupSha256 && backup.sha256 !== o.backupSha256.toLowerCase()) {
    const any = (await core.repo.backups(d.id)).find((b) => b.sha256 === o.backupSha256!.toLowerCase() && b.ticketId === ticketId && b.verified)
    if (!any) throw await refuse(`The backup named (SHA-256 ${o.backupSha256}) is not a verified backup of ${d.serial} in ticket #${ticketId}.`, 'Take the backup again.')
  }
  return backup
}

/** The device at the inventory address must report the inventory serial, or nothing is done. */
export async function liveSerialMatches(core: OpsCore, drv: Driver, d: Device, op: string): Promise<void> {
  core.progress(d.id, op, 'Confirming the device identity…')
  const live = await drv.identity()
  if (!sameSerial(live.serial, d.serial)) throw new AppError('FORBIDDEN', `The device at ${d.ip} reports serial ${live.serial}, not ${d.serial}. Nothing was done.`, { hint: 'Rescan: the device may have moved and another one taken its address.' })
}
