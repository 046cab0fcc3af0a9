// Photo intake writes a photo's row, its decode result and its audit entry in one transaction
// (issue 11): when the entry cannot be written, no photo row is left behind without it.
import QRCode from 'qrcode'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { buildServices, createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { addPhotos } from './photos'
import { exifUtc, phonePhoto } from './testing/phone-photo'

const RESET = `2MSIM1:${Buffer.from(JSON.stringify({ v: 1, serial: '2M0123456789', mac: '00:11:22:33:44:55', model: 'NVR-2M-08', nonce: 'ab12', issuedAt: '2026-11-22T03:00:00Z' })).toString('base64url')}.${Buffer.alloc(32, 7).toString('base64url')}`

const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})

async function setup() {
  const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
  apps.push(app)
  const call = createDispatcher(app)
  await call('system.setAgent', { name: 'Eva Agent', email: 'eva@example.com' }, { transport: 'test' })
  const t = await call('tickets.create', { customerName: 'Acme' }, { transport: 'test' })
  if (!t.ok) throw new Error('ticket')
  const ticket = t.value as { id: number }
  const png = await QRCode.toBuffer(RESET, { width: 600, margin: 4 })
  const jpg = await phonePhoto(png, { captured: { local: exifUtc(Date.now() - 60_000), offset: '+00:00' } })
  return { app, reset: buildServices(app).reset, ticketId: ticket.id, jpg }
}
const count = (app: App, table: string) => app.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number

describe('photo intake', () => {
  it('writes the photo row, its decoded codes and its audit entry together', async () => {
    const { app, reset, ticketId, jpg } = await setup()
    const [r] = await addPhotos(reset, ticketId, [{ name: 'IMG_0001.jpg', source: 'drop', data: jpg }])
    expect(r).toMatchObject({ status: 'added' })
    const row = app.db.prepare('SELECT id, decode_status, codes FROM nvr_reset_photos').get() as { id: number; decode_status: string; codes: string }
    expect(row.decode_status).toBe('found')
    expect(JSON.parse(row.codes)[0].text).toBe(RESET)
    const entry = app.db.prepare("SELECT inputs FROM audit_log WHERE action = 'nvrReset.photo'").pluck().get() as string
    expect(JSON.parse(entry)).toMatchObject({ photoId: row.id, codesFound: 1 })
  })

  it('leaves no photo row when its audit entry cannot be written', async () => {
    const { app, reset, ticketId, jpg } = await setup()
    // The trail refuses this one entry (as a full disk would refuse the write).
    app.db.exec("CREATE TEMP TRIGGER no_photo_entry BEFORE INSERT ON audit_log WHEN NEW.action = 'nvrReset.photo' BEGIN SELECT RAISE(ABORT, 'no room for the entry'); END")
    await expect(addPhotos(reset, ticketId, [{ name: 'IMG_0001.jpg', source: 'drop', data: jpg }])).rejects.toThrow(/no room for the entry/)
    expect(count(app, 'nvr_reset_photos')).toBe(0)
    expect(count(app, 'nvr_reset_cases')).toBe(0)
  })
})
