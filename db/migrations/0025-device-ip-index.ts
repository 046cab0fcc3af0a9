import type { Database } from 'better-sqlite3'

/**
 * The inventory device at an address is looked up exactly (a workflow step working by address,
 * electron/features/devices/address-port.ts), not by a substring search over a page of rows: an index on
 * the device's current address keeps that a seek whatever the inventory's size.
 */
export function up(db: Database): void {
  db.exec('CREATE INDEX devices_ip ON devices (ip, last_seen DESC)')
}
