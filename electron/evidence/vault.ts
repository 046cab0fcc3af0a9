// The evidence vault service: what other features call to attach files to a ticket.
//   addEvidence(app, { ticketId, kind, source, name, data })   a file held in the vault
//   addEvidenceRef(app, { ticketId, kind, source, name, sha256, size, ref })  held elsewhere (config backups)
// Each addition is hashed (SHA-256) and audited in the same transaction.
import { createHash } from 'node:crypto'
import { AppError } from '../../shared/contract/common'
import { MAX_EVIDENCE_BYTES, type EvidenceItem } from '../../shared/contract/evidence'
import { EvidenceRepo, type EvidenceKind, type EvidenceMeta } from '../../db/repos/evidence'
import type { App } from '../core/app'
import { makeThumbnail, sniffMime } from './thumbnail'

const repos = new WeakMap<App, EvidenceRepo>()
/** The vault of this app (one per process, created on first use). */
export function vault(app: App): EvidenceRepo {
  let r = repos.get(app)
  if (!r) repos.set(app, (r = new EvidenceRepo(app.db, app.auditLog)))
  return r
}

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

async function ensureTicket(app: App, ticketId: number): Promise<void> {
  await app.tickets.get(ticketId) // throws NOT_FOUND with a message for the agent
}

export async function addEvidence(app: App, e: AddEvidence): Promise<EvidenceMeta> {
  if (e.data.length === 0) throw new AppError('BAD_INPUT', `"${e.name}" is empty; nothing was added.`, { field: 'dataBase64', key: 'evidence.empty', values: { name: e.name } })
  if (e.data.length > MAX_EVIDENCE_BYTES) {
    throw new AppError('BAD_INPUT', `"${e.name}" is ${(e.data.length / 1048576).toFixed(1)} MB; evidence files can be up to ${MAX_EVIDENCE_BYTES / 1048576} MB.`, {
      hint: 'Send a smaller photo (a phone photo at normal quality is 2–5 MB) or a compressed PDF.',
      field: 'dataBase64',
 key: 'evidence.tooBig', values: { name: e.name, size: Number((e.data.length / 1048576).toFixed(1)), max: MAX_EVIDENCE_BYTES / 1048576 },    })
  }
  await ensureTicket(app, e.ticketId)
  const mime = sniffMime(e.data, e.declaredMime)
  const thumb = await makeThumbnail(e.data, mime)
  const meta = vault(app).addSync(
    { ticketId: e.ticketId, kind: e.kind, source: e.source, name: e.name, mime, size: e.data.length, sha256: sha256(e.data), note: e.note, content: e.data, thumbnail: thumb?.thumbnail, width: thumb?.width, height: thumb?.height },
    await app.agentLabel(),
  )
  app.bus.emit('evidence.changed', { ticketId: e.ticketId })
  return meta
}

export async function addEvidenceRef(app: App, e: { ticketId: number; kind: EvidenceKind; source: string; name: string; mime?: string; sha256: string; size: number; ref: string; note?: string }): Promise<EvidenceMeta> {
  if (!/^[0-9a-f]{64}$/.test(e.sha256)) throw new AppError('INTERNAL', 'Evidence by reference needs the SHA-256 of its content.', { key: 'evidence.needsSha' })
  await ensureTicket(app, e.ticketId)
  const meta = vault(app).addSync({ ...e, mime: e.mime ?? 'application/octet-stream', content: null }, await app.agentLabel())
  app.bus.emit('evidence.changed', { ticketId: e.ticketId })
  return meta
}

export function toItem(app: App, m: EvidenceMeta): EvidenceItem {
  const { hasThumbnail, ...rest } = m
  const t = hasThumbnail ? vault(app).thumbnail(m.id) : null
  return { ...rest, thumbnail: t ? `data:image/jpeg;base64,${t.toString('base64')}` : null }
}

export function findEvidence(app: App, id: number): EvidenceMeta {
  const m = vault(app).find(id)
  if (!m) throw new AppError('NOT_FOUND', `Evidence #${id} does not exist.`, { hint: 'Reload the ticket: the list may be out of date.', key: 'evidence.noSuch', values: { id } })
  return m
}

export async function deleteEvidence(app: App, id: number, reason: string): Promise<EvidenceMeta> {
  const m = findEvidence(app, id)
  if (m.purgedAt) throw new AppError('CONFLICT', `Evidence #${id} was already removed on ${m.purgedAt.slice(0, 10)}; its hash stays on record.`, { key: 'evidence.alreadyRemoved', values: { id, on: m.purgedAt.slice(0, 10) } })
  const agent = await app.agentLabel()
  erasing(app, () => vault(app).purgeSync(id, 'deleted', agent, new Date().toISOString(), reason))
  app.bus.emit('evidence.changed', { ticketId: m.ticketId })
  return findEvidence(app, id)
}

/**
 * Runs a purge so the dropped bytes leave the disk as well, not just the row: SQLite only
 * unlinks deleted content, so the pages it frees are zeroed (secure_delete) and the WAL is
 * then checkpointed into the database file and truncated (best effort: a reader may hold it).
 */
export function erasing<T>(app: App, fn: () => T): T {
  const restore = secureDelete(app)
  try {
    return fn()
  } finally {
    restore()
  }
}

/** The same around a purge that awaits between items (the retention run). */
export async function erasingAsync<T>(app: App, fn: () => Promise<T>): Promise<T> {
  const restore = secureDelete(app)
  try {
    return await fn()
  } finally {
    restore()
  }
}

function secureDelete(app: App): () => void {
  const prev = app.db.pragma('secure_delete', { simple: true }) as number
  const changes = () => app.db.prepare('SELECT total_changes()').pluck().get() as number
  const before = changes()
  app.db.pragma('secure_delete = ON')
  return () => {
    app.db.pragma(`secure_delete = ${prev === 2 ? 'FAST' : prev ? 'ON' : 'OFF'}`)
    if (app.db.inTransaction || changes() === before) return
    try {
      app.db.pragma('wal_checkpoint(TRUNCATE)')
    } catch {
      /* the next checkpoint writes the zeroed pages */
    }
  }
}
