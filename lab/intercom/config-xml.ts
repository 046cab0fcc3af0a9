// The 2N configuration file as /api/config returns it: a comment block with product data,
// then <DeviceDatabase Version="…"> with sections such as <Network><DhcpEnabled>
// (2n-intercom.md §3.3). Only a handful of settings are modelled; an upload keeps the
// settings the simulator understands and ignores the rest, as a restore onto another
// firmware would.
import { esc, parseXml, text } from '../core/xml'
import type { IntercomIdentity } from './identity'

export interface IntercomConfig {
  deviceName: string
  dhcp: boolean
  /** Directory entries (name only); My2N auto-provisioning can overwrite them. */
  directory: string[]
  my2nEnabled: boolean
  provisioningMode: 'automatic' | 'manual'
}

export const defaultConfig = (id: IntercomIdentity): IntercomConfig => ({
  deviceName: id.model.variant, dhcp: true, directory: [], my2nEnabled: true, provisioningMode: 'automatic',
})

export function renderConfig(id: IntercomIdentity, cfg: IntercomConfig, ip: string): string {
  const yn = (b: boolean) => (b ? 'Yes' : 'No')
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!--',
    `  Product name: ${id.model.variant}`,
    `  Serial number: ${id.serial}`,
    `  Software version: ${id.swVersion}`,
    `  Hardware version: ${id.model.hwVersion}`,
    `  Bootloader version: ${id.bootloader}`,
    `  Display: ${yn(id.model.display)}`,
    `  Card reader: ${yn(id.model.cardReader)}`,
    '-->',
    '<DeviceDatabase Version="45">',
    '  <Network>',
    `    <DhcpEnabled>${cfg.dhcp ? 1 : 0}</DhcpEnabled>`,
    `    <StaticIpAddress>${esc(ip)}</StaticIpAddress>`,
    '    <StaticNetMask>255.0.0.0</StaticNetMask>',
    '  </Network>',
    '  <System>',
    `    <DeviceName>${esc(cfg.deviceName)}</DeviceName>`,
    '  </System>',
    '  <AutoProvisioning>',
    `    <My2NEnabled>${cfg.my2nEnabled ? 1 : 0}</My2NEnabled>`,
    `    <Mode>${cfg.provisioningMode}</Mode>`,
    '  </AutoProvisioning>',
    '  <Directory>',
    ...cfg.directory.map((n) => `    <User><Name>${esc(n)}</Name></User>`),
    '  </Directory>',
    '</DeviceDatabase>',
    '',
  ].join('\n')
}

/** Parse an uploaded file; null when it is not a 2N configuration. */
export function parseConfig(xmlText: string, base: IntercomConfig): IntercomConfig | null {
  const doc = parseXml(xmlText)
  const db = doc?.DeviceDatabase
  if (!db || typeof db !== 'object') return null
  const users = db.Directory?.User
  const list = users === undefined ? [] : Array.isArray(users) ? users : [users]
  const mode = text(db.AutoProvisioning?.Mode)
  return {
    deviceName: text(db.System?.DeviceName) ?? base.deviceName,
    dhcp: text(db.Network?.DhcpEnabled) !== undefined ? text(db.Network?.DhcpEnabled) === '1' : base.dhcp,
    directory: list.map((u: Record<string, unknown>) => text(u.Name) ?? '').filter(Boolean),
    my2nEnabled: text(db.AutoProvisioning?.My2NEnabled) !== undefined ? text(db.AutoProvisioning?.My2NEnabled) === '1' : base.my2nEnabled,
    provisioningMode: mode === 'manual' || mode === 'automatic' ? mode : base.provisioningMode,
  }
}
