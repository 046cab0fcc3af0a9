import { execFileSync, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PDFDocument } from 'pdf-lib'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { createDispatcher } from '../core/api'
import { App } from '../core/app'
import { memoryKeyProvider } from '../core/secret-box'
import { exportTicketBundle, exportTicketPdf } from './export'
import { winAnsi } from './pdf'
import { verifyBundle } from './verify-bundle'

const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})
const ctx = { transport: 'test' as const }
async function setup() {
  const dataDir = tempDir()
  const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider() })
  apps.push(app)
  const call = createDispatcher(app)
  await call('system.setAgent', { name: 'Eva Dvořáková', email: 'eva@example.com' }, ctx)
  await call('tickets.create', { customerName: 'Other customer' }, ctx)
  const t = await call('tickets.create', { customerName: 'Jiří Novák', externalRef: 'ZD-4410', deviceSerial: '54-1234-5678', deviceModel: 'IP Verso', procedure: 'my2n-move' }, ctx)
  const ticketId = (t as { value: { id: number } }).value.id
  await call('tickets.update', { id: 1, patch: { notes: 'interleaved' } }, ctx)
  const img = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 30, g: 90, b: 200 } } }).jpeg().toBuffer()
  await call('evidence.add', { ticketId, kind: 'label-photo', name: 'label.jpg', dataBase64: img.toString('base64') }, ctx)
  await call('tickets.setStatus', { id: ticketId, status: 'waiting' }, ctx)
  await call('tickets.update', { id: 1, patch: { notes: 'more' } }, ctx)
  return { app, call, ticketId, dataDir }
}
const cli = (...args: string[]) => spawnSync(join(process.cwd(), 'node_modules/.bin/node'), ['bin/support-console.mjs', ...args], { encoding: 'utf8' })

describe('ticket bundle', () => {
  it('verifies on its own, names tampering, and the CLI checks it', async () => {
    const { app, ticketId, dataDir } = await setup()
    const { data } = await exportTicketBundle(app, ticketId)
    const b = JSON.parse(data.toString())
    expect(b.entries.every((e: { ticketId: number }) => e.ticketId === ticketId)).toBe(true)
    expect(b.entries.map((e: { action: string }) => e.action)).toEqual(['ticket.create', 'evidence.add', 'ticket.status', 'report.export'])
    expect(b.links.length).toBeGreaterThan(0)
    expect(JSON.stringify(b)).not.toContain('Jiří Novák') // customer name stays out of the bundle
    const ok = verifyBundle(b, app.db)
    expect(ok.problem).toBeNull()
    expect(ok).toMatchObject({ ok: true, entries: 4, evidence: 1, linksChecked: true })

    const file = join(tempDir(), 'bundle.json')
    writeFileSync(file, data)
    const good = cli('audit', 'verify', '--bundle', file)
    expect(good.status).toBe(0)
    expect(good.stdout).toMatch(/Bundle OK: ticket 2, 4 entries/)

    // Tampering with an entry, even re-stating the bundle hash, is caught at that entry.
    const t1 = structuredClone(b)
    t1.entries[2].outcome = 'failed'
    const { bundleHash: _, ...body } = t1
    const { bundleHash } = await import('./bundle')
    t1.bundleHash = bundleHash(body)
    expect(verifyBundle(t1).problem).toMatch(new RegExp(`Entry ${b.entries[2].seq} was altered`))
    // Dropping an entry breaks the chain through the links.
    const t2 = structuredClone(b)
    t2.entries.splice(1, 1)
    t2.evidence = []
    const { bundleHash: __, ...body2 } = t2
    t2.bundleHash = bundleHash(body2)
    expect(verifyBundle(t2).problem).toMatch(/missing from the chain/)
    // A damaged file.
    writeFileSync(file, data.toString().replace('"waiting"', '"resolved"'))
    const bad = cli('audit', 'verify', '--bundle', file)
    expect(bad.status).toBe(3)
    expect(bad.stderr).toMatch(/BROKEN/)
    void dataDir
  })
})

describe('ticket PDF', () => {
  it('renders pages with the timeline, evidence and integrity sections', async () => {
    const { app, ticketId } = await setup()
    const { data, fileName } = await exportTicketPdf(app, ticketId)
    expect(fileName).toMatch(/^ticket-2-report-.*\.pdf$/)
    const doc = await PDFDocument.load(data)
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(1)
    const dir = tempDir()
    writeFileSync(join(dir, 'r.pdf'), data)
    // pdftotext (poppler-utils) reads what a person would see.
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' })
    for (const s of ['Ticket #2 (ZD-4410)', 'Timeline', 'Evidence added', 'label.jpg', 'Integrity', 'Chain head at export', 'Jirí Novák']) expect(text).toContain(s)
  })

  it('transliterates what the standard fonts cannot show', () => {
    expect(winAnsi('Dvořák Šťastný ✓ €')).toBe('Dvorák Stastný ? €')
  })
})

describe('audit CLI', () => {
  it('exits 0 on an intact trail and 3 naming the first broken entry', async () => {
    const { app, dataDir } = await setup()
    const ok = cli('audit', 'verify', '--data-dir', dataDir)
    expect(ok.status).toBe(0)
    expect(ok.stdout).toMatch(/Audit trail OK: \d+ entries/)
    app.db.exec('DROP TRIGGER audit_no_update')
    app.db.prepare("UPDATE audit_log SET agent = 'Mallory' WHERE seq = 3").run()
    const bad = cli('audit', 'verify', '--data-dir', dataDir)
    expect(bad.status).toBe(3)
    expect(bad.stderr).toMatch(/BROKEN at entry 3 \(altered\)/)
    const list = cli('audit', 'list', '--data-dir', dataDir, '--ticket', '2', '--json')
    expect(JSON.parse(list.stdout).items.length).toBeGreaterThan(2)
  })
})
