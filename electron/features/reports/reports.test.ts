import BetterSqlite3 from 'better-sqlite3'
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PDFDocument } from 'pdf-lib'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { DB_FILE, openDatabase } from '../../../db/database'
import { tempDir } from '../../../db/test/helpers'
import { HEAD_FILE } from '../audit/head-file'
import { buildServices, createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { exportTicketBundle, exportTicketPdf } from './export'
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
    const { data } = await exportTicketBundle(buildServices(app).reports, ticketId)
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
    const { data, fileName } = await exportTicketPdf(buildServices(app).reports, ticketId)
    expect(fileName).toMatch(/^ticket-2-report-.*\.pdf$/)
    const doc = await PDFDocument.load(data)
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(1)
    const dir = tempDir()
    writeFileSync(join(dir, 'r.pdf'), data)
    // pdftotext (poppler-utils) reads what a person would see.
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' })
    for (const s of ['Ticket #2 (ZD-4410)', 'Timeline', 'Evidence added', 'label.jpg', 'Integrity', 'Audit chain head at export', 'Jiří Novák']) expect(text).toContain(s)
    // The seals of the ticket's values (for `audit verify`) are not printed: they mean nothing to a reader.
    expect(text).not.toContain('ticketState')
  })

  it('prints Czech, Slovak, Polish and German names exactly, with the summary on the first page', async () => {
    const { app, call, ticketId } = await setup()
    const names = {
      czech: 'Jiří Černý, Petr Dvořák, Šárka Ťuková, Ůdolní 7, Říčany',
      slovak: 'Ľubomír Šťastný, Ĺudmila Ôsmová, Dĺžka Ŕ',
      polish: 'Zażółć gęślą jaźń, Łukasz Żółtowski, Kraków, Łódź',
      german: 'Jürgen Groß, Straße, Müller & Söhne',
    }
    await call('tickets.update', { id: ticketId, patch: { customerName: names.czech.split(',')[0], contact: names.slovak, notes: `${names.polish}. ${names.german}. ${names.czech}.` } }, ctx)
    const { data } = await exportTicketPdf(buildServices(app).reports, ticketId)
    const dir = tempDir()
    writeFileSync(join(dir, 'r.pdf'), data)
    const all = execFileSync('pdftotext', [join(dir, 'r.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
    for (const n of [...Object.values(names).flatMap((x) => x.split(', ')), 'Eva Dvořáková']) expect(all).toContain(n)
    // The fonts are embedded and subset (no standard-14 font, no full 700 KB TTF).
    expect(data.length).toBeLessThan(200_000)
    expect(data.toString('latin1')).not.toContain('/BaseFont /Helvetica')
    // Page 1 is the summary a reader needs; the timeline comes after it.
    const first = execFileSync('pdftotext', ['-f', '1', '-l', '1', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
    for (const s of ['Customer', 'Jiří Černý', 'Ľubomír Šťastný', 'Device', '54-1234-5678', 'Procedure and outcome', 'Evidence (1)', 'label.jpg', 'SHA-256', 'Codes and passwords released', 'Approvals', 'Audit chain head at export']) expect(first).toContain(s)
    expect(first).not.toContain('Timeline (')
  })

  it('exports names in complex scripts (Arabic, N’Ko, Lao, Tifinagh) and a long timeline without failing', async () => {
    // fontkit shapes these scripts with generators that need a global regeneratorRuntime; without
    // it the export failed with an internal error. A long, wrapped timeline must stay quick.
    const { app, call, ticketId } = await setup()
    const named = await call('tickets.update', { id: ticketId, patch: { customerName: 'محمد العلي ߒߞߏ', contact: 'ⵜⴰⵎⴰⵣⵉⵖⵜ ສະບາຍດີ', notes: `${'a0b1c2d3e4f5'.repeat(40)} ${'word '.repeat(400)}` } }, ctx)
    expect(named.ok, JSON.stringify(named)).toBe(true)
    for (let i = 0; i < 300; i++) await call('tickets.update', { id: ticketId, patch: { notes: `note ${i} ${'lang '.repeat(i % 50)}` } }, ctx)
    const t0 = Date.now()
    const { data } = await exportTicketPdf(buildServices(app).reports, ticketId)
    const ms = Date.now() - t0
    const doc = await PDFDocument.load(data)
    expect(doc.getPageCount()).toBeGreaterThan(3)
    expect(ms, `a 300-entry report took ${ms} ms`).toBeLessThan(15_000)
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

  // Entries: 1 agent, 2 ticket #1, 3 ticket #2, 4 edit, 5 evidence #1, 6 status, 7 edit (setup).
  it('exits 3 naming what is gone when the newest entries were deleted behind the console, with or without the head file', async () => {
    const { app, dataDir } = await setup()
    await app.close() // the console is closed; its head file names entry 7
    const ok = cli('audit', 'verify', '--data-dir', dataDir)
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('Head file: The head file records entry 7, the last one.')
    const db = new BetterSqlite3(join(dataDir, DB_FILE))
    db.exec('DROP TRIGGER audit_no_delete')
    db.prepare('DELETE FROM audit_log WHERE seq >= 4').run()
    db.close()
    const cut = cli('audit', 'verify', '--data-dir', dataDir)
    expect(cut.status).toBe(3)
    expect(cut.stderr).toMatch(/Audit trail BROKEN at entry 4 \(truncated\): The trail ends at entry 3, but the head file recorded entry 7 .*: entries 4–7 were cut from the end of the trail/)
    expect(cut.stderr).toContain('  Evidence #1 exists but entry 5, which recorded its addition (evidence.add), is missing.')
    // Deleting the head file as well does not hide it: the evidence row still names its entry.
    rmSync(join(dataDir, HEAD_FILE))
    const both = cli('audit', 'verify', '--data-dir', dataDir, '--json')
    expect(both.status).toBe(3)
    expect(JSON.parse(both.stdout)).toMatchObject({
      ok: false,
      entries: 3,
      firstBreak: { seq: 4, kind: 'truncated', message: expect.stringMatching(/^Entries are missing from the trail, which now ends at entry 3 \(at least entries 4–5 were removed\): Evidence #1 exists/) },
      records: { problems: [{ kind: 'evidence', id: 1 }] },
      headFile: { state: 'none' },
    })
  })

  it('verifies a data folder it may not write, without changing a byte of the database', async () => {
    const { app, dataDir } = await setup()
    await app.close()
    const file = join(dataDir, DB_FILE)
    const stamp = () => ({ mtimeMs: statSync(file).mtimeMs, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') })
    const before = stamp()
    chmodSync(file, 0o444)
    chmodSync(join(dataDir, HEAD_FILE), 0o444)
    chmodSync(dataDir, 0o555)
    try {
      // root ignores permissions: run the check as root without any capability then (no
      // CAP_DAC_OVERRIDE), for whom the 0555 folder and 0444 files really are read-only. It
      // stays the checkout's owner, so this works in a clone under a private (0700) folder
      // too, which another user (nobody) could not even enter to load the CLI.
      const asRoot = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv')
      const r = asRoot
        ? spawnSync('/usr/bin/setpriv', ['--bounding-set=-all', '--inh-caps=-all', join(process.cwd(), 'node_modules/.bin/node'), 'bin/support-console.mjs', 'audit', 'verify', '--data-dir', dataDir], { encoding: 'utf8' })
        : cli('audit', 'verify', '--data-dir', dataDir)
      expect(r.status, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/Audit trail OK: 7 entries verified/)
      expect(r.stdout).toContain('Head file: The head file records entry 7, the last one.')
      if (asRoot) expect(r.stderr).toMatch(/The data folder cannot be written, so SQLite could not read the database in place; a private copy taken now/)
    } finally {
      chmodSync(dataDir, 0o755)
      chmodSync(file, 0o644)
    }
    expect(stamp()).toEqual(before)
  })

  it('says a database needs migrating instead of migrating it', () => {
    const dataDir = tempDir()
    openDatabase(dataDir, { targetVersion: 7 }).close()
    const r = cli('audit', 'verify', '--data-dir', dataDir)
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^Error: The database in .* needs migrating before this console can verify it \(missing: 8 audit-hash-unindexed/)
    expect(r.stderr).toMatch(/start this console once on the folder \(it migrates on start, keeping every entry\) and verify then\. Nothing was changed\./)
    const db = new BetterSqlite3(join(dataDir, DB_FILE), { readonly: true })
    expect(db.pragma('user_version', { simple: true })).toBe(7)
    db.close()
  })
})
