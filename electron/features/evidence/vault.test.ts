import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { buildServices, createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { verifyAll } from '../audit/integrity'
import { purgeExpired } from './retention'
import { sha256 } from './vault'

const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})
const ctx = { transport: 'test' as const }
async function setup() {
  const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
  apps.push(app)
  const call = createDispatcher(app)
  await call('system.setAgent', { name: 'Eva', email: '' }, ctx)
  const t = await call('tickets.create', { customerName: 'Acme' }, ctx)
  if (!t.ok) throw new Error('ticket')
  return { app, f: buildServices(app), call, ticketId: (t.value as { id: number }).id }
}
const photo = () => sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 200, g: 40, b: 40 } } }).jpeg().toBuffer()
const sql = (app: App, q: string, ...a: unknown[]) => {
  app.db.exec('DROP TRIGGER IF EXISTS evidence_content_only_dropped; DROP TRIGGER IF EXISTS evidence_fixed')
  app.db.prepare(q).run(...a)
}

describe('evidence vault', () => {
  it('adds a photo with its hash, a thumbnail and an audit entry carrying the hash', async () => {
    const { app, call, ticketId } = await setup()
    const data = await photo()
    const r = await call('evidence.add', { ticketId, kind: 'label-photo', name: 'label.jpg', dataBase64: data.toString('base64') }, ctx)
    expect(r.ok).toBe(true)
    const item = (r as { value: Record<string, unknown> }).value
    expect(item).toMatchObject({ ticketId, kind: 'label-photo', mime: 'image/jpeg', size: data.length, sha256: sha256(data), width: 1200, height: 800, personal: true, agent: 'Eva' })
    expect(String(item.thumbnail)).toMatch(/^data:image\/jpeg;base64,/)
    const entry = app.db.prepare('SELECT action, inputs, ticket_id FROM audit_log WHERE seq = ?').get(item.auditSeq) as { action: string; inputs: string; ticket_id: number }
    expect(entry.action).toBe('evidence.add')
    expect(JSON.parse(entry.inputs).sha256).toBe(sha256(data))
    const got = await call('evidence.get', { id: item.id }, ctx)
    expect(got.ok && Buffer.from((got.value as { dataBase64: string }).dataBase64, 'base64').equals(data)).toBe(true)
    expect(verifyAll(app.db)).toMatchObject({ ok: true, evidence: { checked: 1, problems: [] } })
  })

  it('stores non-images and broken images without a thumbnail, and refuses unknown tickets', async () => {
    const { call, ticketId } = await setup()
    const text = await call('evidence.add', { ticketId, kind: 'vendor-reply', name: 'reply.txt', dataBase64: Buffer.from('Code: see attachment').toString('base64') }, ctx)
    expect(text).toMatchObject({ ok: true, value: { mime: 'text/plain', thumbnail: null } })
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 7)])
    expect(await call('evidence.add', { ticketId, kind: 'qr-photo', name: 'qr.jpg', dataBase64: broken.toString('base64') }, ctx)).toMatchObject({ ok: true, value: { mime: 'image/jpeg', thumbnail: null } })
    expect(await call('evidence.add', { ticketId: 999, kind: 'other', name: 'x', dataBase64: 'AAAA' }, ctx)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(await call('evidence.add', { ticketId, kind: 'other', name: 'x', dataBase64: 'not base64!' }, ctx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('purges personal evidence after the retention period, keeps hashes and backups, audits the purge', async () => {
    const { app, f, call, ticketId } = await setup()
    const data = await photo()
    const a = await call('evidence.add', { ticketId, kind: 'qr-photo', name: 'qr.jpg', dataBase64: data.toString('base64') }, ctx)
    const backup = await f.vault.addRef({ ticketId, kind: 'config-backup', source: 'device-backup', name: 'config.bin', sha256: sha256(Buffer.from('cfg')), size: 3, ref: 'backup:1' })
    expect(await call('retention.set', { personalDays: 30 }, ctx)).toMatchObject({ ok: true, value: { personalDays: 30 } })
    expect(await purgeExpired(f.retention, new Date(Date.now() + 29 * 86_400_000))).toBe(0)
    expect(await purgeExpired(f.retention, new Date(Date.now() + 31 * 86_400_000))).toBe(1)
    const id = (a as { value: { id: number } }).value.id
    const m = await f.vault.repo.get(id)
    expect(m).toMatchObject({ hasContent: false, hasThumbnail: false, purgeReason: 'retention', sha256: sha256(data) })
    expect((await f.vault.repo.get(backup.id)).purgedAt).toBeNull()
    const purge = app.db.prepare("SELECT inputs FROM audit_log WHERE action = 'evidence.purge'").pluck().get() as string
    expect(JSON.parse(purge)).toMatchObject({ evidenceId: id, sha256: sha256(data), reason: 'retention' })
    expect(verifyAll(app.db)).toMatchObject({ ok: true, evidence: { checked: 0, purged: 1, byReference: 1 } })
    // Deleting on purpose needs a reason and is audited too.
    expect(await call('evidence.delete', { id: backup.id, reason: 'Customer asked' }, ctx)).toMatchObject({ ok: true, value: { purgeReason: 'deleted' } })
    expect(await call('evidence.delete', { id: backup.id, reason: 'again' }, ctx)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
  })

  it('verify catches content replaced behind the console, even with the hash column updated', async () => {
    const { app, call, ticketId } = await setup()
    const r = await call('evidence.add', { ticketId, kind: 'ownership-certificate', name: 'cert.pdf', dataBase64: Buffer.from('%PDF-1.4 original').toString('base64') }, ctx)
    const id = (r as { value: { id: number } }).value.id
    sql(app, 'UPDATE evidence SET content = ? WHERE id = ?', Buffer.from('%PDF-1.4 forged!!'), id)
    expect(verifyAll(app.db).evidence.problems[0].message).toMatch(/content was changed/)
    sql(app, 'UPDATE evidence SET sha256 = ? WHERE id = ?', sha256(Buffer.from('%PDF-1.4 forged!!')), id)
    const rep = verifyAll(app.db)
    expect(rep.ok).toBe(false)
    expect(rep.evidence.problems[0].message).toMatch(/does not match the audit entry/)
  })
})

describe('retention hooks', () => {
  it('runs the purges other features hand it, with the same cutoff', async () => {
    const { app, f } = await setup()
    const seen: string[] = []
    const purge = async (cutoff: string) => {
      seen.push(cutoff)
      return 2
    }
    await app.settings.set('retention.personalDays', 10)
    const now = new Date('2026-12-31T00:00:00.000Z')
    expect(await purgeExpired({ ...f.retention, purges: [purge] }, now)).toBe(2)
    expect(seen).toEqual(['2026-12-21T00:00:00.000Z'])
  })
})
