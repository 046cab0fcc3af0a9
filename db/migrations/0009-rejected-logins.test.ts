import { describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from '../migrate'
import { DevicesRepo } from '../repos/devices'
import { RejectedLoginsRepo } from '../repos/devices-rejected-logins'
import { dbAt, inTx } from '../test/helpers'

const fp = (c: string) => c.repeat(64)

describe('migration 9: rejected logins remembered by keyed fingerprint', () => {
  it('keeps the inventory and its stored (rejected) credentials, and remembers rejections per device across clears', async () => {
    const db = dbAt(8)
    const devices = new DevicesRepo(db)
    const nvr = inTx(db, () => devices.tx().recordSeen({ serial: '2102350000000000AB01', kind: 'nvr', ip: '192.168.1.64', protocols: ['isapi'] }))!
    const intercom = inTx(db, () => devices.tx().recordSeen({ serial: '54-1234-5678', kind: 'intercom', ip: '192.168.1.50', protocols: ['http-2n'] }))!
    await devices.setCredentials(nvr, 'admin', 'v1:sealed-nvr')
    await devices.markCredentialsRejected(nvr, '2024-05-01T10:00:00.000Z')
    await devices.setCredentials(intercom, 'api', 'v1:sealed-2n')
    const before = { devices: db.prepare('SELECT * FROM devices ORDER BY id').all(), creds: db.prepare('SELECT * FROM device_credentials ORDER BY device_id').all() }

    migrate(db, 9)
    expect(schemaVersion(db)).toBe(9)
    expect(db.prepare('SELECT * FROM devices ORDER BY id').all()).toEqual(before.devices)
    expect(db.prepare('SELECT * FROM device_credentials ORDER BY device_id').all()).toEqual(before.creds)
    expect(await devices.credentials(nvr)).toMatchObject({ username: 'admin', rejectedAt: '2024-05-01T10:00:00.000Z' })

    const repo = new RejectedLoginsRepo(db)
    inTx(db, () => repo.tx().record({ fingerprint: fp('a'), scope: 'serial', deviceId: nvr, serial: '2102350000000000AB01', ip: '192.168.1.64', kind: 'nvr', realm: 'device', username: 'admin', action: 'devices.info', rejectedAt: '2024-05-02T08:00:00.000Z' }))
    inTx(db, () => repo.tx().record({ fingerprint: fp('b'), scope: 'address', deviceId: null, serial: '', ip: '192.168.1.64', kind: 'nvr', realm: 'device', username: 'admin', action: 'devices.addByAddress', rejectedAt: '2024-05-02T09:00:00.000Z' }))
    // A backfill does not move an existing record's time; a fresh rejection does.
    inTx(db, () => repo.tx().record({ fingerprint: fp('a'), scope: 'serial', deviceId: nvr, serial: '2102350000000000AB01', ip: '192.168.1.64', kind: 'nvr', realm: 'device', username: 'admin', action: 'devices.storedCredentials', rejectedAt: '2024-04-01T00:00:00.000Z' }, { replace: false }))
    expect(inTx(db, () => repo.tx().find([fp('a')]))).toMatchObject({ deviceId: nvr, action: 'devices.info', rejectedAt: '2024-05-02T08:00:00.000Z', realm: 'device', username: 'admin' })
    expect(inTx(db, () => repo.tx().find([fp('c'), fp('b')]))).toMatchObject({ scope: 'address', ip: '192.168.1.64', deviceId: null })
    expect(inTx(db, () => repo.tx().find([fp('c')]))).toBeNull()

    // The console's own factory reset ends their effect, the history stays.
    expect(inTx(db, () => repo.tx().clearDevice({ serial: '2102350000000000AB01', ips: ['192.168.1.64'] }, 'factory-reset'))).toBe(2)
    expect(inTx(db, () => repo.tx().find([fp('a'), fp('b')]))).toBeNull()
    expect(db.prepare('SELECT count(*) FROM device_rejected_logins WHERE cleared_by = ?').pluck().get('factory-reset')).toBe(2)
    // Rejected again later: active again, with the new time.
    inTx(db, () => repo.tx().record({ fingerprint: fp('a'), scope: 'serial', deviceId: nvr, serial: '2102350000000000AB01', ip: '192.168.1.64', kind: 'nvr', realm: 'device', username: 'admin', action: 'devices.backup', rejectedAt: '2024-06-01T00:00:00.000Z' }))
    expect(inTx(db, () => repo.tx().find([fp('a')]))).toMatchObject({ action: 'devices.backup', rejectedAt: '2024-06-01T00:00:00.000Z' })
    expect(await repo.forDevice(nvr, '2102350000000000AB01')).toHaveLength(1)

    // STRICT table with checks: no stray types, no short "fingerprints", no unknown realms.
    const raw = db.prepare("INSERT INTO device_rejected_logins (fingerprint, scope, serial, ip, realm, username, action, rejected_at) VALUES (?, 'serial', '', '10.0.0.1', ?, 'admin', 'x', 'now')")
    expect(() => raw.run('abc', 'device')).toThrow(/CHECK/)
    expect(() => raw.run(fp('d'), 'ssh')).toThrow(/CHECK/)
    expect(() => db.prepare("INSERT INTO device_rejected_logins (fingerprint, scope, serial, ip, realm, username, action, rejected_at) VALUES (?, 'serial', '', '10.0.0.1', 'device', 'admin', 'x', x'00')").run(fp('e'))).toThrow(/cannot store BLOB/)
    // A device leaving the inventory keeps its rejections (the fingerprint holds the serial).
    db.prepare('DELETE FROM devices WHERE id = ?').run(nvr)
    expect(inTx(db, () => repo.tx().find([fp('a')]))).toMatchObject({ deviceId: null, serial: '2102350000000000AB01' })
  })
})
