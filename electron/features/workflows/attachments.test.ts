import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { WorkflowsRepo } from '../../../db/repos/workflows'
import { verifyEvidence } from '../audit/integrity'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { buildBundle } from '../reports/bundle'
import { RunFiles, sha256 } from './files'
import { buildServices } from '../../core/api'
import { FakeDevice, toBackup, workbench } from './testing'

const unreachable = async (w: ReturnType<typeof workbench>, runId: number) => {
  w.device.address = { host: '127.0.0.77', port: 1 }
  await w.engine.runAuto(runId, 'backup', { username: 'admin', devicePassword: 'x' })
  await w.engine.settled(runId)
}
const filesOnDisk = (dir: string): string[] => (existsSync(join(dir, 'workflows')) ? readdirSync(join(dir, 'workflows'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [])

describe('workflow step attachments in the evidence vault', () => {
  it('an attached backup is ticket evidence (kind, source, SHA-256), held once, and the workflow reads it from there', async () => {
    const w = workbench()
    const runId = await toBackup(w)
    await unreachable(w, runId)
    const cfg = Buffer.from(w.device.config)
    await w.engine.attach(runId, 'backup-upload', 'backup', 'cfg.xml', cfg)
    const ticketId = (await w.engine.get(runId)).ticketId
    const ev = await w.vault.listForTicket(ticketId)
    expect(ev).toEqual([expect.objectContaining({ kind: 'config-backup', source: 'workflow:my2n-move:backup-upload', name: 'cfg.xml', sha256: sha256(cfg), size: cfg.length, hasContent: true, personal: false })])
    expect((await w.vault.content(ev[0].id))!.equals(cfg)).toBe(true)
    // Verification reads the file back from the vault; keeping it as the verified backup adds no second copy.
    await w.engine.completeStep(runId, 'backup-upload', {})
    const r = await w.engine.get(runId)
    expect(r.current?.stepId).toBe('reset')
    expect(r.facts.backupSha256).toBe(sha256(cfg))
    expect(await w.vault.listForTicket(ticketId)).toHaveLength(1)
    expect(filesOnDisk(w.dataDir)).toEqual([])
    // The integrity check and the ticket's report bundle include it.
    expect(verifyEvidence(w.db)).toMatchObject({ checked: 1, problems: [] })
    const bundle = buildBundle(w.db, await w.tickets.get(ticketId), await w.vault.listForTicket(ticketId), 'Test Agent')
    expect(bundle.evidence).toEqual([expect.objectContaining({ name: 'cfg.xml', kind: 'config-backup', sha256: sha256(cfg) })])
  })

  it('keeps no step attachment whose workflow.attach entry cannot be written (the row and its entry in one transaction)', async () => {
    const w = workbench()
    const runId = await toBackup(w)
    await unreachable(w, runId)
    w.db.exec("CREATE TRIGGER fail_attach BEFORE INSERT ON audit_log WHEN new.action = 'workflow.attach' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    await expect(w.engine.attach(runId, 'backup-upload', 'backup', 'cfg.xml', Buffer.from(w.device.config))).rejects.toThrow(/disk is full/)
    w.db.exec('DROP TRIGGER fail_attach')
    expect(w.db.prepare('SELECT count(*) FROM workflow_files WHERE run_id = ?').pluck().get(runId)).toBe(0)
    expect((await w.engine.get(runId)).timeline.flatMap((s) => s.files)).toEqual([])
    // Once the entry can be written, the attachment is kept with it.
    await w.engine.attach(runId, 'backup-upload', 'backup', 'cfg.xml', Buffer.from(w.device.config))
    expect(w.db.prepare('SELECT count(*) FROM workflow_files WHERE run_id = ?').pluck().get(runId)).toBe(1)
    expect(w.auditRows().filter((e) => e.action === 'workflow.attach')).toHaveLength(1)
  })

  it('a label photo becomes personal evidence; a password-protected copy stays encrypted on disk and the vault records its hash', async () => {
    const w = workbench()
    const runId = await toBackup(w)
    await unreachable(w, runId)
    const cfg = Buffer.from(w.device.config)
    await w.engine.attach(runId, 'backup-upload', 'backup', 'cfg.xml', cfg, 'protect-me')
    const ticketId = (await w.engine.get(runId)).ticketId
    const [ev] = await w.vault.listForTicket(ticketId)
    expect(ev).toMatchObject({ kind: 'config-backup', sha256: sha256(cfg), hasContent: false, ref: expect.stringMatching(/^workflows[/\\]run-\d+[/\\].+\.enc$/) })
    expect(filesOnDisk(w.dataDir)).toHaveLength(1)
    await w.engine.completeStep(runId, 'backup-upload', { backupPassword: 'protect-me' })
    expect((await w.engine.get(runId)).facts.backupVerified).toBe(true)
    // The integrity check counts it as held by reference, with nothing wrong.
    expect(verifyEvidence(w.db)).toMatchObject({ byReference: 1, problems: [] })

    const w2 = workbench()
    const t = await w2.tickets.create({ externalRef: 'ZD-2', customerName: 'B', contact: '', deviceSerial: '', deviceModel: '', procedure: 'my2n-move', notes: '' })
    const run2 = await w2.engine.start(t.id, 'my2n-move')
    await w2.engine.attach(run2.id, 'serial', 'label-photo', 'label.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]))
    expect(await w2.vault.listForTicket(t.id)).toEqual([expect.objectContaining({ kind: 'label-photo', personal: true, source: 'workflow:my2n-move:serial' })])
  })

  it('moves attachments stored before the vault (data folder layout of migration 6) into it, and the run goes on reading them', async () => {
    const w = workbench()
    const runId = await toBackup(w)
    await unreachable(w, runId)
    const run = await w.engine.get(runId)
    const stepRow = run.timeline.find((e) => e.stepId === 'backup-upload' && e.row)!.row!
    // Written the way the console stored attachments before: a file under workflows/run-N and a row without an evidence link.
    const disk = new RunFiles(w.dataDir)
    const other = new FakeDevice('54-1111-2222').config
    const damaged = disk.write(runId, Buffer.from(other))
    await w.repo.addFile({ runId, stepRow, kind: 'backup', name: 'damaged.xml', ...damaged, sha256: 'f'.repeat(64), protected: false, verified: false, detail: '', createdAt: '2026-11-01T10:00:00.000Z', evidenceId: null })
    const cfg = Buffer.from(w.device.config)
    const old = disk.write(runId, cfg)
    await w.repo.addFile({ runId, stepRow, kind: 'backup', name: 'old-cfg.xml', ...old, protected: false, verified: false, detail: '', createdAt: '2026-11-01T10:01:00.000Z', evidenceId: null })

    const r = await w.engine.attachments.importLegacy()
    expect(r.moved).toBe(1)
    expect(r.skipped).toEqual([{ id: expect.any(Number), why: expect.stringMatching(/SHA-256/) }])
    const ev = await w.vault.listForTicket(run.ticketId)
    expect(ev).toEqual([expect.objectContaining({ name: 'old-cfg.xml', kind: 'config-backup', sha256: sha256(cfg), hasContent: true })])
    expect(existsSync(join(w.dataDir, old.storedAs))).toBe(false)
    expect(existsSync(join(w.dataDir, damaged.storedAs))).toBe(true) // left alone, still readable
    // Idempotent: a second start moves nothing again.
    expect((await w.engine.attachments.importLegacy()).moved).toBe(0)
    // The step verifies the newest attachment: the moved one, read from the vault.
    await w.engine.completeStep(runId, 'backup-upload', {})
    expect((await w.engine.get(runId)).facts.backupSha256).toBe(sha256(cfg))
    expect(await w.vault.listForTicket(run.ticketId)).toHaveLength(1)
  })
})

describe('start-up of the workflow service on an older data folder', () => {
  it('moves the attachments left under workflows/ into the vault by itself', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sc-wf-legacy-'))
    const keys = memoryKeyProvider()
    // An older console: a run with a label photo stored the old way.
    let app = new App({ dataDir, host: 'browser', keys })
    const t = await app.tickets.create({ externalRef: 'ZD-7', customerName: 'Old data', contact: '', deviceSerial: '', deviceModel: '', procedure: 'my2n-move', notes: '' })
    const repo = new WorkflowsRepo(app.db)
    const run = await repo.createRun(t.id, 'my2n-move', 1, 'serial', {})
    const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 9, 9, 9])
    const old = new RunFiles(dataDir).write(run.id, photo)
    await repo.addFile({ runId: run.id, stepRow: (await repo.steps(run.id))[0].id, kind: 'label-photo', name: 'label.jpg', ...old, protected: false, verified: false, detail: '', createdAt: '2026-10-01T08:00:00.000Z', evidenceId: null })
    await app.close()
    app = new App({ dataDir, host: 'browser', keys })
    try {
      const services = buildServices(app)
      void services.workflows // the composition root builds the engine, which moves them at start
      await expect.poll(() => services.vault.listForTicket(t.id), { timeout: 10_000 }).toEqual([expect.objectContaining({ name: 'label.jpg', kind: 'label-photo', sha256: sha256(photo), source: 'workflow:my2n-move:serial' })])
      expect(existsSync(join(dataDir, old.storedAs))).toBe(false)
      const view = await services.workflows.engine.get(run.id)
      expect(view.timeline[0].files).toEqual([expect.objectContaining({ name: 'label.jpg', sha256: sha256(photo) })])
    } finally {
      await app.close()
    }
  })
})
