// Retention with data: customer photos of an NVR reset (bytes in the vault, decoded QR and
// capture time in nvr_reset_photos) are purged after the configured days, the purge is
// audited with the hashes, the chain still verifies, and the bytes are gone from the files
// on disk, not just unlinked from a row.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { DB_FILE } from '../../../db/database'
import { tempDir } from '../../../db/test/helpers'
import { verifyAll } from '../audit/integrity'
import { buildServices, createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { purgeExpired } from './retention'

const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})
const ctx = { transport: 'test' as const }
const DAY = 86_400_000

async function setup() {
  const dataDir = tempDir()
  const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider() })
  apps.push(app)
  const call = createDispatcher(app) // wires the handlers, which register the NVR reset purge
  await call('system.setAgent', { name: 'Eva', email: 'eva@example.com' }, ctx)
  const t = await call('tickets.create', { customerName: 'Acme' }, ctx)
  if (!t.ok) throw new Error('ticket')
  const files = () => Buffer.concat([readFileSync(join(dataDir, DB_FILE)), ...[`${DB_FILE}-wal`].map((f) => readFileSync(join(dataDir, f), { flag: 'a+' }))])
  // The vault and retention run as the composition root builds them (with the NVR reset's purge).
  const f = buildServices(app)
  return { app, f, call, ticketId: (t.value as { id: number }).id, files }
}

/** A customer's QR photo as the intake stores it: bytes in the vault, what was read from it beside. */
async function qrPhoto(app: App, f: ReturnType<typeof buildServices>, ticketId: number, qrText: string) {
  const data = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#888', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 90 }).toBuffer()
  const ev = await f.vault.add({ ticketId, kind: 'qr-photo', source: 'qr-intake:drop', name: 'IMG_2041.jpg', data })
  const repo = f.reset.repo
  const p = await repo.insertPhoto({ ticketId, evidenceId: ev.id, sha256: ev.sha256, size: data.length, mime: 'image/jpeg', width: 640, height: 480, fileName: 'IMG_2041.jpg', source: 'drop', receivedAt: new Date().toISOString(), capturedAt: '2026-11-20T18:42:10', capturedHasZone: false })
  await repo.setDecode(p.id, { status: 'found', ms: 41, strategy: 'full', error: null, codes: [{ text: qrText, position: [[10, 10], [90, 10], [90, 90], [10, 90]], region: null }] })
  // 64 bytes from the middle of the JPEG: noise, so they occur nowhere else.
  return { photoId: p.id, evidenceId: ev.id, sha256: ev.sha256, probe: data.subarray(data.length >> 1, (data.length >> 1) + 64) }
}

const photoRow = (app: App, id: number) => app.db.prepare('SELECT codes, captured_at, sha256, size, width, file_name FROM nvr_reset_photos WHERE id = ?').get(id) as { codes: string; captured_at: string | null; sha256: string; size: number; width: number; file_name: string }
const entries = (app: App, action: string) => (app.db.prepare('SELECT inputs, ticket_id FROM audit_log WHERE action = ? ORDER BY seq').all(action) as { inputs: string; ticket_id: number }[]).map((r) => ({ ...JSON.parse(r.inputs), ticketId: r.ticket_id }))

describe('retention of NVR reset photos', () => {
  it('keeps them inside the period, then purges bytes, decoded QR and capture time, audited with the hash', async () => {
    const { app, f, call, ticketId, files } = await setup()
    const qrText = 'HIK-RESET:DS-7608NI-K2/8P0820200101CCRR:nonce=7f3a9c51e2'
    const ph = await qrPhoto(app, f, ticketId, qrText)
    expect(files().includes(ph.probe)).toBe(true) // the probe is findable while the photo is kept

    // Day 10 of 90: nothing is due.
    expect(await purgeExpired(f.retention, new Date(Date.now() + 10 * DAY))).toBe(0)
    expect(JSON.parse(photoRow(app, ph.photoId).codes)[0].text).toBe(qrText)
    expect((await call('nvrReset.photoImage', { photoId: ph.photoId }, ctx)).ok).toBe(true)

    // Day 91: the vault purges the bytes, the reset purge what was read from them.
    expect(await purgeExpired(f.retention, new Date(Date.now() + 91 * DAY))).toBe(2)
    const row = photoRow(app, ph.photoId)
    expect(row).toMatchObject({ codes: '[]', captured_at: null, sha256: ph.sha256, width: 640 })
    const ev = app.db.prepare('SELECT content, thumbnail, purged_at, purge_reason, sha256 FROM evidence WHERE id = ?').get(ph.evidenceId) as Record<string, unknown>
    expect(ev).toMatchObject({ content: null, thumbnail: null, purge_reason: 'retention', sha256: ph.sha256 })
    const img = await call('nvrReset.photoImage', { photoId: ph.photoId }, ctx)
    expect(img.ok ? 'ok' : img.error.code).toBe('NOT_FOUND')

    expect(entries(app, 'evidence.purge')).toEqual([expect.objectContaining({ evidenceId: ph.evidenceId, sha256: ph.sha256, kind: 'qr-photo', ticketId })])
    expect(entries(app, 'nvrReset.photoPurge')).toEqual([expect.objectContaining({ photoId: ph.photoId, evidenceId: ph.evidenceId, sha256: ph.sha256, ticketId })])
    const report = verifyAll(app.db)
    expect(report.ok).toBe(true)
    expect(report.evidence.purged).toBe(1)

    // Gone from the database file and the WAL, not just unlinked.
    const disk = files()
    expect(disk.includes(ph.probe)).toBe(false)
    expect(disk.includes(Buffer.from('nonce=7f3a9c51e2'))).toBe(false)

    // Running again finds nothing more to do.
    expect(await purgeExpired(f.retention, new Date(Date.now() + 92 * DAY))).toBe(0)
    expect(entries(app, 'nvrReset.photoPurge')).toHaveLength(1)
  })

  it('drops what was read from a photo deleted on purpose at the next run, and the bytes at once', async () => {
    const { app, f, ticketId, files } = await setup()
    const ph = await qrPhoto(app, f, ticketId, 'HIK-RESET:DS-7616NI:nonce=aa11bb22cc33')
    await f.vault.delete(ph.evidenceId, 'Customer sent the wrong photo')
    expect(files().includes(ph.probe)).toBe(false)
    expect(await purgeExpired(f.retention)).toBe(1)
    expect(photoRow(app, ph.photoId)).toMatchObject({ codes: '[]', captured_at: null, sha256: ph.sha256 })
    expect(entries(app, 'evidence.delete')).toEqual([expect.objectContaining({ evidenceId: ph.evidenceId, sha256: ph.sha256 })])
    expect(verifyAll(app.db).ok).toBe(true)
  })

  it('keeps everything when retention is off (0 days)', async () => {
    const { app, f, call, ticketId } = await setup()
    expect((await call('retention.set', { personalDays: 0 }, ctx)).ok).toBe(true)
    const ph = await qrPhoto(app, f, ticketId, 'HIK-RESET:DS-7604NI:nonce=0011')
    expect(await purgeExpired(f.retention, new Date(Date.now() + 400 * DAY))).toBe(0)
    expect(JSON.parse(photoRow(app, ph.photoId).codes)).toHaveLength(1)
  })
})
