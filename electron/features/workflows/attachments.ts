// Step attachments (a configuration backup, a label photo) go into the ticket's evidence vault,
// so they are listed with the ticket's evidence, hashed (SHA-256), audited, covered by the
// retention rules and included in reports. The workflow keeps a row per attachment that names
// its evidence row. A password-protected copy stays encrypted under <dataDir>/workflows and the
// vault records it by reference (hash and size of the plain file): the vault never holds bytes
// that only the agent's password can open.
import { existsSync, readFileSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../../shared/contract/common'
import type { EvidenceKind } from '../../../shared/contract/evidence'
import type { FileRow, RunRow, WorkflowsRepo } from '../../../db/repos/workflows'
import { OTHER_EVIDENCE, type ProcedureDef, type StepDef } from './definition'
import { RunFiles, sha256 } from './files'

/** What the engine needs from the evidence vault (electron/features/evidence/vault.ts, public functions only). */
export interface EvidencePort {
  add(e: { ticketId: number; kind: EvidenceKind; source: string; name: string; data: Buffer; note?: string }): Promise<{ id: number }>
  addRef(e: { ticketId: number; kind: EvidenceKind; source: string; name: string; sha256: string; size: number; ref: string; note?: string }): Promise<{ id: number }>
  /** The bytes the vault holds; null once purged (retention or deleted on purpose). */
  content(id: number): Promise<Buffer | null>
}

export interface NewAttachment {
  stepRow: number
  stepId: string
  /** The step's evidence id ('backup', 'label-photo') or the action's file kind. */
  kind: string
  name: string
  data: Buffer
  password?: string
  verified: boolean
  detail?: string
}

/** A step takes the attachments it declares, plus the optional "other" attachment every step takes. */
export function takesEvidence(step: StepDef, evidence: string): boolean {
  return evidence === OTHER_EVIDENCE || step.evidence.some((e) => e.id === evidence)
}

/** The vault kind of a workflow file: as the procedure declares it, else by its name. */
export function vaultKind(p: ProcedureDef, kind: string): EvidenceKind {
  if (kind === OTHER_EVIDENCE) return 'other'
  for (const s of p.steps) for (const e of s.evidence) if (e.id === kind && e.vault) return e.vault
  return kind === 'backup' ? 'config-backup' : kind === 'label-photo' ? 'label-photo' : 'other'
}

export class RunAttachments {
  private readonly disk: RunFiles

  constructor(
    private readonly d: { repo: WorkflowsRepo; evidence: EvidencePort; dataDir: string; procedureOf(run: RunRow): ProcedureDef },
  ) {
    this.disk = new RunFiles(d.dataDir)
  }

  /** See `takesEvidence`. */
  takes(step: StepDef, evidence: string): boolean {
    return takesEvidence(step, evidence)
  }

  /** Files the bytes in the evidence vault (with the vault's own entry), then writes the run's row. */
  async store(run: RunRow, f: NewAttachment): Promise<FileRow> {
    const row = await this.filed(run, f)
    return this.d.repo.addFile({ ...row, createdAt: new Date().toISOString() })
  }

  /**
   * Files the bytes in the evidence vault (with the vault's own entry), and returns the
   * synchronous write of the run's row, for the caller to commit with its audit entry (inside
   * its transaction: App.record).
   */
  async file(run: RunRow, f: NewAttachment): Promise<() => FileRow> {
    const row = await this.filed(run, f)
    return () => this.d.repo.tx().addFile({ ...row, createdAt: new Date().toISOString() })
  }

  /** Files the bytes in the evidence vault; returns the run's row to write (its time is the write's). */
  private async filed(run: RunRow, f: NewAttachment): Promise<Omit<FileRow, 'id' | 'createdAt'>> {
    if (f.data.length === 0) throw new AppError('BAD_INPUT', `The file ${f.name} is empty.`, { hint: 'Download it again and attach the new file.', key: 'workflow.emptyFile', values: { name: f.name } })
    const kind = vaultKind(this.d.procedureOf(run), f.kind)
    const source = `workflow:${run.procedure}:${f.stepId}`
    const note = [`Workflow run #${run.id}`, f.detail].filter(Boolean).join(' — ')
    let evidenceId: number
    let storedAs = ''
    const digest = sha256(f.data)
    // The same bytes already filed for this run (an uploaded backup kept as the verified one): one evidence row.
    const same = (await this.d.repo.files(run.id)).filter((x) => x.sha256 === digest && x.evidenceId !== null)
    if (f.password) {
      const onDisk = this.disk.write(run.id, f.data, f.password)
      storedAs = onDisk.storedAs
      evidenceId = same[0]?.evidenceId
        ?? (await this.d.evidence.addRef({ ticketId: run.ticketId, kind, source, name: f.name, sha256: digest, size: onDisk.size, ref: storedAs, note: `${note} — password-protected copy held by the console` })).id
    } else {
      // Only a row whose bytes the vault still holds can serve an unprotected copy.
      let held: FileRow | undefined
      for (const x of same) if (!x.storedAs && (await this.d.evidence.content(x.evidenceId!))) {
        held = x
        break
      }
      evidenceId = held?.evidenceId ?? (await this.d.evidence.add({ ticketId: run.ticketId, kind, source, name: f.name, data: f.data, note })).id
    }
    return {
      runId: run.id, stepRow: f.stepRow, kind: f.kind, name: f.name, size: f.data.length, sha256: digest, storedAs, protected: Boolean(f.password),
      verified: f.verified, detail: f.detail ?? '', evidenceId,
    }
  }

  async read(f: FileRow, password?: string): Promise<Buffer> {
    if (f.storedAs) return this.disk.read(f.storedAs, f.protected, password)
    const data = f.evidenceId === null ? null : await this.d.evidence.content(f.evidenceId)
    if (!data) {
      throw new AppError('NOT_FOUND', `The attached file ${f.name} is no longer held (removed from the ticket's evidence).`, { hint: 'Attach the file again.', key: 'workflow.fileGone', values: { name: f.name } })
    }
    return data
  }

  /**
   * Moves attachments written before migration 7 from <dataDir>/workflows into the vault (once;
   * called at start-up). A plain file becomes vault content and its disk copy is removed after
   * the link is recorded; a protected copy stays on disk and is recorded by reference. A file
   * missing on disk, or whose bytes no longer match the recorded SHA-256, is left as it was.
   */
  async importLegacy(): Promise<{ moved: number; skipped: { id: number; why: string }[] }> {
    let moved = 0
    const skipped: { id: number; why: string }[] = []
    for (const f of await this.d.repo.unfiledFiles()) {
      const path = join(this.d.dataDir, f.storedAs)
      if (!f.storedAs || !existsSync(path)) {
        skipped.push({ id: f.id, why: `missing on disk (${f.storedAs || 'no path'})` })
        continue
      }
      const run = await this.d.repo.getRun(f.runId)
      const kind = vaultKind(this.d.procedureOf(run), f.kind)
      const step = (await this.d.repo.step(f.stepRow)).stepId
      const source = `workflow:${run.procedure}:${step}`
      const note = [`Workflow run #${run.id} (attached ${f.createdAt})`, f.detail].filter(Boolean).join(' — ')
      if (f.protected) {
        const ev = await this.d.evidence.addRef({ ticketId: run.ticketId, kind, source, name: f.name, sha256: f.sha256, size: f.size, ref: f.storedAs, note: `${note} — password-protected copy held by the console` })
        await this.d.repo.fileInVault(f.id, ev.id, f.storedAs)
      } else {
        const data = readFileSync(path)
        if (sha256(data) !== f.sha256) {
          skipped.push({ id: f.id, why: 'content does not match its recorded SHA-256' })
          continue
        }
        const ev = await this.d.evidence.add({ ticketId: run.ticketId, kind, source, name: f.name, data, note })
        await this.d.repo.fileInVault(f.id, ev.id, '')
        unlinkSync(path)
      }
      moved++
    }
    return { moved, skipped }
  }
}
