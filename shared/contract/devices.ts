// Devices: the device inventory and the device operations (issue 4); discovery is in ./discovery.
// The renderer passes inventory IDs; the only method that takes an address is
// devices.addByAddress. Passwords go in (setCredentials, setPassword) and never come out.
import { z } from 'zod'
import { defineEvents, defineMethods, Id, IsoTime } from './common'
import { DeviceKind, Diagnostic, Protocol } from './discovery'

export { DeviceKind, Protocol }

export const AddressEntry = z.object({ ip: z.string(), iface: z.string(), firstSeen: IsoTime, lastSeen: IsoTime })
export const FirmwareEntry = z.object({ firmware: z.string(), firstSeen: IsoTime, lastSeen: IsoTime })

export const Device = z.object({
  id: Id,
  kind: DeviceKind,
  vendor: z.string(),
  model: z.string(),
  serial: z.string(),
  mac: z.string(),
  name: z.string(),
  firmware: z.string(),
  ip: z.string(),
  httpPort: z.number().int().nullable(),
  httpsPort: z.number().int().nullable(),
  onvifUrl: z.string(),
  protocols: z.array(Protocol),
  firstSeen: IsoTime,
  lastSeen: IsoTime,
  ticketIds: z.array(Id),
  hasCredentials: z.boolean(),
  credentialUser: z.string(),
  pinnedFingerprint: z.string(),
})
export type Device = z.infer<typeof Device>

export const Backup = z.object({
  id: Id,
  deviceId: Id,
  ticketId: Id.nullable(),
  takenAt: IsoTime,
  sha256: z.string(),
  size: z.number().int(),
  serial: z.string(),
  firmware: z.string(),
  format: z.string(),
  verified: z.boolean(),
  verifyDetail: z.string(),
})
export type Backup = z.infer<typeof Backup>

/**
 * Backup formats the console cannot parse: device-encrypted exports (the ISAPI
 * configurationData blob, nvr-reset.md §7.4). For these `verified` means only "a non-error
 * export of N bytes from the serial read live", not "parsed and serial matched", and the UI
 * says so. Destructive operations still require such a backup.
 */
export const OPAQUE_BACKUP_FORMATS: readonly string[] = ['isapi-configurationData']
export const isOpaqueBackup = (b: { format: string }): boolean => OPAQUE_BACKUP_FORMATS.includes(b.format)

export const DeviceAuditEntry = z.object({
  seq: z.number().int(), at: z.string(), agent: z.string(), action: z.string(), outcome: z.string(), detail: z.string(), ticketId: z.number().int().nullable(),
})
export type DeviceAuditEntry = z.infer<typeof DeviceAuditEntry>

export const DeviceDetail = Device.extend({
  addresses: z.array(AddressEntry),
  firmwareHistory: z.array(FirmwareEntry),
  backups: z.array(Backup),
  audit: z.array(DeviceAuditEntry),
})
export type DeviceDetail = z.infer<typeof DeviceDetail>

export const DeviceStatus = z.object({
  deviceId: Id,
  online: z.boolean(),
  serial: z.string(),
  firmware: z.string(),
  upTimeS: z.number().nullable(),
  deviceTime: z.string(),
  message: z.string(),
})

export const OpResult = z.object({ ok: z.boolean(), message: z.string(), backupId: Id.optional() })
export type OpResult = z.infer<typeof OpResult>

const confirm = z.string().trim().min(1, 'Type the serial number of the device to confirm').max(64)
const password = z.string().min(1).max(128)
const ticketRef = Id

export const deviceMethods = defineMethods({
  'devices.list': {
    input: z.object({ search: z.string().trim().max(200).default(''), ticketId: Id.optional(), limit: z.number().int().min(1).max(1000).default(500) }).strict(),
    output: z.array(Device),
    summary: 'The device inventory (works offline)',
  },
  'devices.get': { input: z.object({ id: Id }).strict(), output: DeviceDetail, summary: 'One device with address and firmware history, backups and audit' },
  'devices.addByAddress': {
    input: z
      .object({
        address: z.string().trim().min(1).max(253),
        port: z.number().int().min(1).max(65535).optional(),
        iface: z.string().max(64).default(''),
        username: z.string().max(64).optional(),
        password: password.optional(),
      })
      .strict(),
    output: z.object({ device: Device.nullable(), diagnostics: z.array(Diagnostic) }),
    summary: 'Probe one address by hand and add what answers to the inventory',
  },
  'devices.setCredentials': {
    input: z.object({ id: Id, username: z.string().trim().min(1).max(64), password }).strict(),
    output: Device,
    summary: 'Store the device login (encrypted); never returned',
  },
  'devices.linkTicket': { input: z.object({ id: Id, ticketId: Id, unlink: z.boolean().default(false) }).strict(), output: Device, summary: 'Link a device to a ticket' },
  'devices.info': { input: z.object({ id: Id }).strict(), output: Device, summary: 'Read identity and firmware from the device (no login needed for 2N)' },
  'devices.status': { input: z.object({ id: Id }).strict(), output: DeviceStatus, summary: 'Uptime and clock of the device (login)' },
  'devices.backup': { input: z.object({ id: Id, ticketId: ticketRef }).strict(), output: Backup, summary: 'Download, verify and store the configuration' },
  'devices.backups': { input: z.object({ id: Id }).strict(), output: z.array(Backup), summary: 'Backups of a device' },
  'devices.restore': { input: z.object({ id: Id, ticketId: ticketRef, backupId: Id, confirmSerial: confirm }).strict(), output: OpResult, summary: 'Upload a stored configuration' },
  'devices.reboot': { input: z.object({ id: Id, ticketId: ticketRef.optional() }).strict(), output: OpResult, summary: 'Restart the device' },
  'devices.factoryReset': {
    input: z.object({ id: Id, ticketId: ticketRef, confirmSerial: confirm, network: z.boolean().default(true) }).strict(),
    output: OpResult,
    summary: 'Factory reset (with network settings and certificates by default)',
  },
  'devices.setPassword': {
    input: z.object({ id: Id, ticketId: ticketRef, confirmSerial: confirm, username: z.string().trim().min(1).max(64).default('admin'), currentPassword: password.optional(), newPassword: password }).strict(),
    output: OpResult,
    summary: 'Change the device admin password',
  },
  'devices.rediscover': {
    input: z
      .object({ id: Id, ifaces: z.array(z.string().min(1).max(64)).max(16).default([]), cidr: z.string().max(64).default(''), timeoutS: z.number().int().min(5).max(600).default(90) })
      .strict(),
    output: z.object({ device: Device.nullable() }),
    summary: 'Find a device again after a reset or a move (its address may have changed)',
  },
  'devices.trustCertificate': {
    input: z.object({ id: Id, fingerprint: z.string().regex(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/, 'SHA-256 fingerprint as AA:BB:…') }).strict(),
    output: Device,
    summary: 'Accept a changed HTTPS certificate (explicit agent decision)',
  },
})

export const deviceEvents = defineEvents({
  'devices.changed': z.object({ id: Id }),
  'devices.op': z.object({ id: Id, op: z.string(), stage: z.string(), done: z.boolean(), ok: z.boolean().optional(), message: z.string() }),
})
