// Backup (downloaded, verified by parsing and by the serial, stored with SHA-256) and restore
// of a stored backup, which goes through the guard of destructive operations.
import { AppError } from '../../../shared/contract/common'
import type { Backup, OpResult } from '../../../shared/contract/devices'
import { guard, liveSerialMatches } from './identity-check'
import { sameSerial, sha256, type OpsCore } from './ops-core'

/**
 * The devices.backup entry's words. `audit verify` reads the id, size, hash and verification
 * back from them (electron/features/audit/row-values.ts): keep the two in step.
 */
export const backupDetail = (x: Pick<Backup, 'id' | 'size' | 'sha256' | 'verified' | 'verifyDetail'>): string =>
  `Backup #${x.id}: ${x.size} bytes, SHA-256 ${x.sha256}, ${x.verified ? 'verified' : 'NOT verified'} (${x.verifyDetail})`

export async function backup(core: OpsCore, id: number, ticketId: number): Promise<Backup> {
  await core.app.tickets.get(ticketId)
  const d = await core.repo.get(id)
  return core.run(d, 'backup', ticketId, { deviceId: id }, async (drv) => {
    core.progress(id, 'backup', 'Checking the device identity…')
    const live = await drv.identity()
    if (d.serial && !sameSerial(live.serial, d.serial)) throw new AppError('CONFLICT', `The device at ${d.ip} reports serial ${live.serial}, not ${d.serial}. No backup taken.`, { key: 'devices.serialDiffers', values: { ip: d.ip, live: live.serial, expected: d.serial } })
    core.progress(id, 'backup', 'Downloading the configuration…')
    const b = await drv.backup()
    const v = drv.verify(b.data, live.serial)
    const firmware = v.firmware || live.firmware
    return {
      deviceId: id, ticketId, sha256: sha256(b.data), size: b.data.length, serial: live.serial, firmware, format: b.format, verified: v.ok, verifyDetail: v.detail,
      secretSealed: b.secret ? core.app.secrets.seal(b.secret) : null, data: b.data,
    }
  }, backupDetail,
  // Stored with its devices.backup entry (which names its id and hash) in one transaction.
  { commit: (nb) => core.repo.tx().addBackup(nb) })
}

export async function restore(core: OpsCore, id: number, o: { ticketId: number; backupId: number; confirmSerial: string; inRun?: boolean }): Promise<OpResult> {
  const d = await core.repo.get(id)
  // One destructive operation per device at a time, in every process (issue 13).
  return core.logins.leases.destructive(d.ip, 'restore', async () => {
    const inputs = { deviceId: id, backupId: o.backupId, confirmSerial: o.confirmSerial }
    await guard(core, d, 'restore', o.ticketId, o.confirmSerial, inputs, { inRun: o.inRun })
    const b = await core.repo.backupWithData(o.backupId)
    if (b.deviceId !== id || !sameSerial(b.serial, d.serial)) {
      await core.app.audit({ action: 'devices.restore', outcome: 'refused', ticketId: o.ticketId, device: d.serial, inputs, detail: `Backup #${b.id} belongs to ${b.serial}.` })
      throw new AppError('FORBIDDEN', `Backup #${b.id} was taken from ${b.serial}, not from this device (${d.serial}). Nothing was done.`, { key: 'devices.backupOtherDevice', values: { id: b.id, from: b.serial, serial: d.serial ?? '' } })
    }
    if (!b.verified || sha256(b.data) !== b.sha256) {
      await core.app.audit({ action: 'devices.restore', outcome: 'refused', ticketId: o.ticketId, device: d.serial, inputs, detail: 'backup not verified or damaged' })
      throw new AppError('FORBIDDEN', `Backup #${b.id} is not verified or its content no longer matches its SHA-256. Nothing was done.`, { key: 'devices.backupNotVerified', values: { id: b.id } })
    }
    return core.run(d, 'restore', o.ticketId, inputs, async (drv) => {
      await liveSerialMatches(core, drv, d, 'restore')
      core.progress(id, 'restore', 'Uploading the configuration…')
      await drv.restore(b.data, b.secretSealed ? core.app.secrets.open(b.secretSealed) : null)
      return { ok: true, message: `Configuration from backup #${b.id} uploaded. The device applies it in about 15 s; do not power it off meanwhile.` }
    }, (x) => x.message)
  })
}
