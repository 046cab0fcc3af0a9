import BetterSqlite3 from 'better-sqlite3'
import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SecretBox, memoryKeyProvider } from '../../electron/infra/secret-box'
import { configure } from '../database'
import { migrate } from '../migrate'
import { DevicesRepo } from '../repos/devices'
import { inTx } from '../test/helpers'

describe('migration 3: devices', () => {
  it('adds the inventory to a database with tickets, keeping them, and enforces its rules', async () => {
    const db = new BetterSqlite3(':memory:')
    configure(db)
    migrate(db, 2)
    db.prepare("INSERT INTO tickets (customer_name, created_at, updated_at) VALUES ('Acme', 'now', 'now')").run()
    migrate(db, 3)
    expect(db.prepare('SELECT customer_name FROM tickets').pluck().get()).toBe('Acme')

    const repo = new DevicesRepo(db)
    const box = new SecretBox(memoryKeyProvider())
    // Sightings: same serial from two addresses and two firmware versions = one device with history.
    const id = inTx(db, () => repo.tx().recordSeen({ serial: '54-0562-0293', mac: '7C:1E:B3:00:00:05', kind: 'intercom', model: '2N IP Verso', firmware: '2.46.0.60.2', ip: '192.168.1.20', iface: 'eth0', protocols: ['http-2n'] }, '2026-01-01T00:00:00.000Z'))!
    expect(inTx(db, () => repo.tx().recordSeen({ serial: '54-0562-0293', firmware: '2.50.0.76.2', ip: '192.168.1.77', protocols: ['wsd'] }, '2026-02-01T00:00:00.000Z'))).toBe(id)
    // Seen by MAC only (no serial yet): still the same device.
    expect(inTx(db, () => repo.tx().recordSeen({ mac: '7C:1E:B3:00:00:05', ip: '192.168.1.77' }, '2026-02-02T00:00:00.000Z'))).toBe(id)
    // Nothing to identify it by: not recorded.
    expect(inTx(db, () => repo.tx().recordSeen({ ip: '192.168.1.9' }))).toBeNull()
    const d = await repo.get(id)
    expect(d).toMatchObject({ serial: '54-0562-0293', firmware: '2.50.0.76.2', ip: '192.168.1.77', firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-02-02T00:00:00.000Z' })
    expect(d.protocols.sort()).toEqual(['http-2n', 'wsd'])
    expect((await repo.addresses(id)).map((a) => a.ip).sort()).toEqual(['192.168.1.20', '192.168.1.77'])
    expect((await repo.firmwareHistory(id)).map((f) => f.firmware).sort()).toEqual(['2.46.0.60.2', '2.50.0.76.2'])

    // Serial is unique; credentials only sealed.
    expect(() => db.prepare("INSERT INTO devices (serial, first_seen, last_seen) VALUES ('54-0562-0293', 'now', 'now')").run()).toThrow(/UNIQUE/)
    expect(() => db.prepare("INSERT INTO device_credentials (device_id, username, sealed, updated_at) VALUES (?, 'admin', 'plain-text', 'now')").run(id)).toThrow(/CHECK/)
    await repo.setCredentials(id, 'admin', box.seal('s3cret'))
    const stored = db.prepare('SELECT sealed FROM device_credentials').pluck().get() as string
    expect(stored).not.toContain('s3cret')
    expect(box.open((await repo.credentials(id))!.sealed)).toBe('s3cret')

    // Ticket links, TLS pins (one current), backups as BLOBs with their hash.
    await repo.linkTicket(id, 1)
    expect((await repo.get(id)).ticketIds).toEqual([1])
    expect(() => db.prepare("INSERT INTO device_tickets (device_id, ticket_id, linked_at) VALUES (?, 99, 'now')").run(id)).toThrow(/FOREIGN KEY/)
    inTx(db, () => repo.tx().setPin(id, 'AA', 'first-use'))
    inTx(db, () => repo.tx().setPin(id, 'BB', 'agent'))
    expect(inTx(db, () => repo.tx().pin(id))).toBe('BB')
    expect(db.prepare('SELECT count(*) FROM device_tls_pins').pluck().get()).toBe(2)
    const data = randomBytes(5000)
    const b = await repo.addBackup({ deviceId: id, ticketId: 1, sha256: createHash('sha256').update(data).digest('hex'), size: data.length, serial: d.serial, firmware: d.firmware, format: '2n-config-xml', verified: true, verifyDetail: 'ok', data })
    expect((await repo.backupWithData(b.id)).data.equals(data)).toBe(true)
    expect(await repo.verifiedBackup(id, 1)).toMatchObject({ id: b.id, verified: true })
    expect(() => db.prepare("INSERT INTO device_backups (device_id, taken_at, sha256, size, serial, format, data) VALUES (?, 'now', 'short', 1, 'x', 'f', x'00')").run(id)).toThrow(/CHECK/)
    // A deleted ticket unlinks but keeps the backup.
    db.prepare('DELETE FROM tickets WHERE id = 1').run()
    expect((await repo.get(id)).ticketIds).toEqual([])
    expect((await repo.backups(id))[0].ticketId).toBeNull()
  })
})
