// The evidence vault service: what other features call to attach files to a ticket.
//   vault.add({ ticketId, kind, source, name, data })   a file held in the vault
//   vault.addRef({ ticketId, kind, source, name, sha256, size, ref })  held elsewhere (config backups)
// One vault per console, created by the composition root (createEvidenceVault) and handed to
// the features that attach files (issue 11: no service locator).
// Each addition is hashed (SHA-256) and audited in the same transaction.
import { createHash } from 'node:crypto'
import { AppError } from '../../../shared/contract/common'
import { MAX_EVIDENCE_BYTES, type EvidenceItem } from '../../../shared/contract/evidence'
import { EvidenceRepo, type EvidenceKind, type EvidenceMeta } from '../../../db/repos/evidence'
import type { CommonRepos, Events, Recording, Store } from '../../infra/ports'
import { makeThumbnail, sniffMime } from './thumbnail'

/** What the vault needs: the database for its repository, the tickets it files under, the audit trail, the agent, events. */
export type VaultDeps = Store & Pick<CommonRepos, 'tickets' | 'auditLog'> & Pick<Recording, 'agentLabel'> & Events

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

export interface AddEvidence {
  ticketId: number
  kind: EvidenceKind
  /** 'upload', 'qr-intake', 'email', 'device-backup'… */
  source: string
  name: string
  data: Buffer
  /** Used only when the bytes are not recognised (text, vendor formats). */
  declaredMime?: string
  note?: string
}

export interface AddEvidenceRef {
  ticketId: number
  kind: EvidenceKind
  source: string
  name: string
  mime?: string
  sha256: string
  size: number
  ref: string
  note?: string
}

export class EvidenceVault {
  readonly repo: EvidenceRepo
  constructor(private readonly deps: VaultDeps) {
    this.repo = new EvidenceRepo(deps.db, deps.auditLog)
  }

  private async ensureTicket(ticketId: number): Promise<void> {
    await this.deps.tickets.get(ticketId) // throws NOT_FOUND with a message for the agent
  }

  async add(e: AddEvidence): Promise<EvidenceMeta> {
    if (e.data.length === 0) throw new AppError('BAD_INPUT', `"${e.name}" is empty; nothing was added.`, { field: 'dataBase64', key: 'evidence.empty', values: { name: e.name } })
    if (e.data.length > MAX_EVIDENCE_BYTES) {
      throw new AppError('BAD_INPUT', `"${e.name}" is ${(e.data.length / 1048576).toFixed(1)} MB; evidence files can be up to ${MAX_EVIDENCE_BYTES / 1048576} MB.`, {
        hint: 'Send a smaller photo (a phone photo at normal quality is 2–5 MB) or a compressed PDF.',
        field: 'dataBase64',
        key: 'evidence.tooBig',
        values: { name: e.name, size: Number((e.data.length / 1048576).toFixed(1)), max: MAX_EVIDENCE_BYTES / 1048576 },
      })
    }
    await this.ensureTicket(e.ticketId)
    const mime = sniffMime(e.data, e.declaredMime)
    const thumb = await makeThumbnail(e.data, mime)
    const meta = await this.repo.add(
      { ticketId: e.ticketId, kind: e.kind, source: e.source, name: e.name, mime, size: e.data.length, sha256: sha256(e.data), note: e.note, content: e.data, thumbnail: thumb?.thumbnail, width: thumb?.width, height: thumb?.height },
      await this.deps.agentLabel(),
    )
    this.deps.bus.emit('evidence.changed', { ticketId: e.ticketId })
    return meta
  }

  async addRef(e: AddEvidenceRef): Promise<EvidenceMeta> {
    if (!/^[0-9a-f]{64}$/.test(e.sha256)) throw new AppError('INTERNAL', 'Evidence by reference needs the SHA-256 of its content.', { key: 'evidence.needsSha' })
    await this.ensureTicket(e.ticketId)
    const meta = await this.repo.add({ ...e, mime: e.mime ?? 'application/octet-stream', content: null }, await this.deps.agentLabel())
    this.deps.bus.emit('evidence.changed', { ticketId: e.ticketId })
    return meta
  }

  async toItem(m: EvidenceMeta): Promise<EvidenceItem> {
    const { hasThumbnail, ...rest } = m
    const t = hasThumbnail ? await this.repo.thumbnail(m.id) : null
    return { ...rest, thumbnail: t ? `data:image/jpeg;base64,${t.toString('base64')}` : null }
  }

  async find(id: number): Promise<EvidenceMeta> {
    const m = await this.repo.find(id)
    if (!m) throw new AppError('NOT_FOUND', `Evidence #${id} does not exist.`, { hint: 'Reload the ticket: the list may be out of date.', key: 'evidence.noSuch', values: { id } })
    return m
  }

  async listForTicket(ticketId: number): Promise<EvidenceMeta[]> {
    return this.repo.listForTicket(ticketId)
  }
  async content(id: number): Promise<Buffer | null> {
    return this.repo.content(id)
  }
  async thumbnail(id: number): Promise<Buffer | null> {
    return this.repo.thumbnail(id)
  }

  async delete(id: number, reason: string): Promise<EvidenceMeta> {
    const m = await this.find(id)
    if (m.purgedAt) throw new AppError('CONFLICT', `Evidence #${id} was already removed on ${m.purgedAt.slice(0, 10)}; its hash stays on record.`, { key: 'evidence.alreadyRemoved', values: { id, on: m.purgedAt.slice(0, 10) } })
    const agent = await this.deps.agentLabel()
    await this.repo.erasingAsync(() => this.repo.purge(id, 'deleted', agent, new Date().toISOString(), reason))
    this.deps.bus.emit('evidence.changed', { ticketId: m.ticketId })
    return this.find(id)
  }
}

/** The console's vault: created once by the composition root (electron/core/api.ts). */
export function createEvidenceVault(deps: VaultDeps): EvidenceVault {
  return new EvidenceVault(deps)
}
