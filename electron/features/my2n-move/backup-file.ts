// Checks a 2N configuration backup before the console relies on it: it must be the XML the
// device exports (a comment block naming the serial, then <DeviceDatabase>), and its serial
// must be the device's. Also the "readable diff of two backups" shown before a restore.
import { XMLParser } from 'fast-xml-parser'
import { AppError } from '../../../shared/contract/common'

export interface ParsedBackup {
  serial: string | null
  product: string | null
  firmware: string | null
  version: string | null
  /** Flattened settings: "Network/DhcpEnabled" → "1". Later list entries are numbered: "Directory/User[2]/Name". */
  settings: Map<string, string>
}

const header = (xml: string, name: string) => xml.slice(0, 4000).match(new RegExp(`^\\s*${name}\\s*:\\s*(.+?)\\s*$`, 'mi'))?.[1] ?? null

export function parseBackup(data: Buffer): ParsedBackup {
  const text = data.toString('utf8')
  if (/^\s*<!doctype html|<html[\s>]/i.test(text.slice(0, 500)))
    throw new AppError('BAD_INPUT', 'This file is a web page, not a configuration backup (the device probably showed its login page).', { hint: 'Log in to the web interface, download the backup again under Maintenance > Backup configuration, and attach that file.', key: 'my2nMove.backupIsWebPage' })
  let doc: Record<string, unknown>
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true }).parse(text, true) as Record<string, unknown>
  } catch (e) {
    throw new AppError('BAD_INPUT', `This backup does not parse as XML (${(e as Error).message.split('\n')[0]}).`, { hint: 'The file may be cut short or damaged: download it again from the device and attach the new file.', key: 'my2nMove.backupNotXml', values: { detail: (e as Error).message.split('\n')[0] } })
  }
  const root = doc.DeviceDatabase as Record<string, unknown> | undefined
  if (!root || typeof root !== 'object') throw new AppError('BAD_INPUT', 'This XML file is not a 2N configuration backup (no <DeviceDatabase>).', { hint: 'Attach the file downloaded under Maintenance > Backup configuration.', key: 'my2nMove.backupNot2N' })
  const settings = new Map<string, string>()
  flatten(root, '', settings)
  return { serial: header(text, 'Serial number'), product: header(text, 'Product name'), firmware: header(text, 'Software version'), version: String(root['@Version'] ?? '') || null, settings }
}

function flatten(node: unknown, path: string, out: Map<string, string>): void {
  if (Array.isArray(node)) {
    // The first element keeps the bare path, so a list that shrinks to one entry still compares.
    node.forEach((x, i) => flatten(x, i === 0 ? path : `${path}[${i + 1}]`, out))
    return
  }
  if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) flatten(v, path ? `${path}/${k}` : k, out)
    return
  }
  out.set(path, node === null || node === undefined ? '' : String(node))
}

/** Verifies a backup for this device; returns what was read, or throws BAD_INPUT saying why. */
export function verifyBackup(data: Buffer, serial: string): ParsedBackup {
  const b = parseBackup(data)
  if (!b.serial) throw new AppError('BAD_INPUT', 'The backup does not name the serial number of its device.', { hint: 'Attach the file exactly as downloaded from the device (the first lines name the product and serial).', key: 'my2nMove.backupNoSerial' })
  if (b.serial !== serial) throw new AppError('BAD_INPUT', `This backup belongs to device ${b.serial}, not ${serial}.`, { hint: 'Download the backup from the right device and attach it.', key: 'my2nMove.backupOtherDevice', values: { from: b.serial, serial } })
  return b
}

export interface DiffLine { path: string; before: string | null; after: string | null }

/** Settings that differ between two backups, in a stable, readable order. */
export function diffBackups(before: ParsedBackup, after: ParsedBackup, limit = 200): { lines: DiffLine[]; more: number } {
  const keys = [...new Set([...before.settings.keys(), ...after.settings.keys()])].sort()
  const lines: DiffLine[] = []
  for (const k of keys) {
    const a = before.settings.get(k) ?? null
    const b = after.settings.get(k) ?? null
    if (a !== b) lines.push({ path: k, before: a, after: b })
  }
  return { lines: lines.slice(0, limit), more: Math.max(0, lines.length - limit) }
}
