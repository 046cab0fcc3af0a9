// Operations that only read from the device or the inventory: identity, status, detail.
import { AppError } from '../../../shared/contract/common'
import type { Device, DeviceDetail } from '../../../shared/contract/devices'
import { sameSerial, type OpsCore } from './ops-core'

export async function info(core: OpsCore, id: number): Promise<Device> {
  const d = await core.repo.get(id)
  return core.run(d, 'info', null, { deviceId: id }, async (drv) => {
    const i = await drv.identity()
    if (d.serial && !sameSerial(i.serial, d.serial)) {
      throw new AppError('CONFLICT', `The device at ${d.ip} now reports serial ${i.serial}, not ${d.serial}: another device has taken this address.`, { hint: 'Rescan to find where each device is now.', key: 'devices.addressTaken', values: { ip: d.ip, live: i.serial, serial: d.serial } })
    }
    return i
  }, (x) => `Identity read: ${x.serial} ${x.model} ${x.firmware}.`, {
    loginOptional: d.kind === 'intercom',
    // The inventory takes what the device reported together with the entry saying so.
    commit: (i) => {
      core.repo.tx().recordSeen({ serial: i.serial, mac: i.mac, model: i.model, firmware: i.firmware, name: i.name, vendor: i.vendor, kind: d.kind, ip: d.ip })
      return core.repo.tx().get(id)
    },
  })
}

export async function status(core: OpsCore, id: number) {
  const d = await core.repo.get(id)
  return core.run(d, 'status', null, { deviceId: id }, async (drv) => {
    const s = await drv.status()
    return { deviceId: id, online: true, serial: d.serial, firmware: d.firmware, upTimeS: s.upTimeS, deviceTime: s.deviceTime, message: s.upTimeS !== null ? `Up for ${Math.round(s.upTimeS / 60)} min.` : 'The device answers.' }
  }, (x) => x.message)
}

const NEEDS_LOGIN = /[^.]*needs a login to tell its serial number[^.]*\.\s*/g
/**
 * Older entries (immutable in the trail) may say the device "needs a login to tell its serial
 * number"; once the serial is known the page says that instead of repeating a stale note.
 */
export function settledNote(detail: string, serial: string): string {
  if (!detail.includes('needs a login to tell its serial number')) return detail
  return `${detail.replace(NEEDS_LOGIN, '').trim()} (The serial number ${serial} was learned later.)`.trim()
}

/** The device page: identity, address and firmware history, backups and its audit entries. */
export async function detail(core: OpsCore, id: number): Promise<DeviceDetail> {
  const d = await core.repo.get(id)
  const audit = await core.repo.auditFor([d.serial, d.ip, ...(await core.repo.addresses(id)).map((a) => a.ip)].filter(Boolean), 100)
  return {
    ...d,
    addresses: await core.repo.addresses(id),
    firmwareHistory: await core.repo.firmwareHistory(id),
    backups: await core.repo.backups(id),
    audit: audit.map((a) => ({ seq: a.seq, at: a.at, agent: a.agent, action: a.action, outcome: a.outcome, detail: d.serial ? settledNote(a.detail, d.serial) : a.detail, ticketId: a.ticketId })),
  }
}

export async function linkTicket(core: OpsCore, id: number, ticketId: number, unlink = false): Promise<Device> {
  await core.app.tickets.get(ticketId)
  const d = await core.repo.get(id)
  await core.app.record(
    () => core.repo.tx().linkTicket(id, ticketId, unlink),
    () => ({ action: unlink ? 'devices.unlinkTicket' : 'devices.linkTicket', outcome: 'ok', ticketId, device: d.serial || d.ip, inputs: { deviceId: id } }),
  )
  core.app.bus.emit('devices.changed', { id })
  return core.repo.get(id)
}

/** Links a device to a ticket whose work touched it (once; audited with the reason). */
export async function linkTouched(core: OpsCore, d: Device, ticketId: number, why: string): Promise<void> {
  if (d.ticketIds.includes(ticketId)) return
  await core.app.record(
    () => core.repo.tx().linkTicket(d.id, ticketId),
    () => ({ action: 'devices.linkTicket', outcome: 'ok', ticketId, device: d.serial || d.ip, inputs: { deviceId: d.id, automatic: true }, detail: why }),
  )
  core.app.bus.emit('devices.changed', { id: d.id })
}
