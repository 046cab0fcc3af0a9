import type { Database, Statement } from 'better-sqlite3'
import type { EvidenceItem, EvidenceKind } from '../../shared/contract/evidence'
import type { RowOf } from '../row-of'
import type { AuditRepo } from './audit'
import { reading, txScope, writing } from './tx-scope'

export type { EvidenceKind }

/** Everything but config backups is personal data of the customer and expires. */
export const isPersonal = (kind: EvidenceKind): boolean => kind !== 'config-backup'

export interface NewEvidence {
  ticketId: number
  kind: EvidenceKind
  /** Where it came from: 'upload', 'qr-intake', 'device-backup', 'email'… */
  source: string
  name: string
  mime: string
  size: number
  sha256: string
  note?: string
  /** Content stored elsewhere (a backup in the backups store): the vault keeps the hash. */
  ref?: string | null
  content?: Buffer | null
  thumbnail?: Buffer | null
  width?: number | null
  height?: number | null
}

/** An item as stored: the contract's item without the thumbnail's data URL (built from the blob), with whether there is one. */
export type EvidenceMeta = Omit<EvidenceItem, 'thumbnail'> & { hasThumbnail: boolean }

/** A row as META selects it: 0/1 flags, the content and thumbnail only as whether they are held. */
export type EvidenceRow = RowOf<EvidenceMeta, { personal: number; has_content: number; has_thumbnail: number }>
type Row = EvidenceRow

const META = `id, ticket_id, kind, source, name, mime, size, sha256, added_at, agent, note, ref, personal,
  content IS NOT NULL AS has_content, thumbnail IS NOT NULL AS has_thumbnail, width, height, purged_at, purge_reason, audit_seq`

const toMeta = (r: Row): EvidenceMeta => ({
  id: r.id,
  ticketId: r.ticket_id,
  kind: r.kind,
  source: r.source,
  name: r.name,
  mime: r.mime,
  size: r.size,
  sha256: r.sha256,
  addedAt: r.added_at,
  agent: r.agent,
  note: r.note,
  ref: r.ref,
  personal: r.personal === 1,
  hasContent: r.has_content === 1,
  hasThumbnail: r.has_thumbnail === 1,
  width: r.width,
  height: r.height,
  purgedAt: r.purged_at,
  purgeReason: r.purge_reason,
  auditSeq: r.audit_seq,
})

/**
 * The evidence vault's statements, reached only through `EvidenceRepo.tx()`. Every write goes
 * through one transaction with its audit entry, which carries the SHA-256: the trail alone
 * proves what was added, even after the content is purged.
 */
export class EvidenceTx {
  private readonly ins: Statement
  private readonly purgeOne: Statement
  constructor(
    private readonly db: Database,
    private readonly audit: AuditRepo,
  ) {
    this.ins = db.prepare(`INSERT INTO evidence (ticket_id, kind, source, name, mime, size, sha256, added_at, agent, note, ref, personal, content, thumbnail, width, height, audit_seq)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.purgeOne = db.prepare('UPDATE evidence SET content = NULL, thumbnail = NULL, purged_at = ?, purge_reason = ? WHERE id = ? AND purged_at IS NULL')
  }

  add(e: NewEvidence, agent: string, now = new Date().toISOString()): EvidenceMeta {
    return this.db.transaction(() => {
      const id = (this.db.prepare('SELECT coalesce(max(id), 0) + 1 FROM evidence').pluck().get() as number)
      const entry = this.audit.tx().append(
        {
          agent,
          action: 'evidence.add',
          outcome: 'ok',
          ticketId: e.ticketId,
          inputs: { evidenceId: id, kind: e.kind, name: e.name, mime: e.mime, size: e.size, sha256: e.sha256, source: e.source, ...(e.ref ? { ref: e.ref } : {}) },
        },
        now,
      )
      this.ins.run(e.ticketId, e.kind, e.source, e.name, e.mime, e.size, e.sha256, now, agent, e.note ?? '', e.ref ?? null, isPersonal(e.kind) ? 1 : 0, e.content ?? null, e.thumbnail ?? null, e.width ?? null, e.height ?? null, entry.seq)
      return this.get(id)
    }).immediate()
  }
  /** Drops the content of one item, keeping its row and hash; audited in the same transaction. */
  purge(id: number, reason: 'retention' | 'deleted', agent: string, now = new Date().toISOString(), detail = ''): boolean {
    return this.db.transaction(() => {
      const m = this.find(id)
      if (!m || m.purgedAt) return false
      this.purgeOne.run(now, reason, id)
      this.audit.tx().append(
        { agent, action: reason === 'retention' ? 'evidence.purge' : 'evidence.delete', outcome: 'ok', ticketId: m.ticketId, inputs: { evidenceId: id, kind: m.kind, sha256: m.sha256, reason }, detail },
        now,
      )
      return true
    }).immediate()
  }

  get(id: number): EvidenceMeta {
    const r = this.db.prepare(`SELECT ${META} FROM evidence WHERE id = ?`).get(id) as Row | undefined
    if (!r) throw Object.assign(new Error(`evidence ${id} not found`), { notFound: true })
    return toMeta(r)
  }
  find(id: number): EvidenceMeta | null {
    const r = this.db.prepare(`SELECT ${META} FROM evidence WHERE id = ?`).get(id) as Row | undefined
    return r ? toMeta(r) : null
  }

  listForTicket(ticketId: number): EvidenceMeta[] {
    return (this.db.prepare(`SELECT ${META} FROM evidence WHERE ticket_id = ? ORDER BY id`).all(ticketId) as Row[]).map(toMeta)
  }

  content(id: number): Buffer | null {
    return (this.db.prepare('SELECT content FROM evidence WHERE id = ?').pluck().get(id) as Buffer | null | undefined) ?? null
  }
  thumbnail(id: number): Buffer | null {
    return (this.db.prepare('SELECT thumbnail FROM evidence WHERE id = ?').pluck().get(id) as Buffer | null | undefined) ?? null
  }

  /** Personal evidence added before `cutoff` whose content is still held. */
  expired(cutoff: string): EvidenceMeta[] {
    return (this.db.prepare(`SELECT ${META} FROM evidence WHERE personal = 1 AND purged_at IS NULL AND content IS NOT NULL AND added_at < ? ORDER BY id`).all(cutoff) as Row[]).map(toMeta)
  }
}

export class EvidenceRepo {
  private readonly view: EvidenceTx
  constructor(
    private readonly db: Database,
    audit: AuditRepo,
  ) {
    this.view = new EvidenceTx(db, audit)
  }

  /** The synchronous statements, for one inside a caller's transaction (App.record); throws outside one. */
  tx(): EvidenceTx {
    return txScope(this.db, this.view, 'evidence')
  }

  /** Adds an item with its audit entry (one transaction). */
  async add(e: NewEvidence, agent: string, now?: string): Promise<EvidenceMeta> {
    return writing(this.db, () => this.tx().add(e, agent, now))
  }

  /** Drops the content of one item, keeping its row and hash; audited in the same transaction. False when already purged. */
  async purge(id: number, reason: 'retention' | 'deleted', agent: string, now?: string, detail?: string): Promise<boolean> {
    return writing(this.db, () => this.tx().purge(id, reason, agent, now, detail))
  }


  async get(id: number): Promise<EvidenceMeta> {
    return reading(this.db, () => this.tx().get(id))
  }
  async find(id: number): Promise<EvidenceMeta | null> {
    return reading(this.db, () => this.tx().find(id))
  }

  async listForTicket(ticketId: number): Promise<EvidenceMeta[]> {
    return reading(this.db, () => this.tx().listForTicket(ticketId))
  }

  async content(id: number): Promise<Buffer | null> {
    return reading(this.db, () => this.tx().content(id))
  }
  async thumbnail(id: number): Promise<Buffer | null> {
    return reading(this.db, () => this.tx().thumbnail(id))
  }

  /** Personal evidence added before `cutoff` whose content is still held. */
  async expired(cutoff: string): Promise<EvidenceMeta[]> {
    return reading(this.db, () => this.tx().expired(cutoff))
  }

  /**
   * Runs a purge so the dropped bytes leave the disk as well, not just the row: SQLite only
   * unlinks deleted content, so the pages it frees are zeroed (secure_delete) and the WAL is
   * then checkpointed into the database file and truncated (best effort: a reader may hold it).
   */
  async erasingAsync<T>(fn: () => Promise<T>): Promise<T> {
    const restore = this.secureDelete()
    try {
      return await fn()
    } finally {
      restore()
    }
  }

  private secureDelete(): () => void {
    const db = this.db
    const prev = db.pragma('secure_delete', { simple: true }) as number
    const changes = () => db.prepare('SELECT total_changes()').pluck().get() as number
    const before = changes()
    db.pragma('secure_delete = ON')
    return () => {
      db.pragma(`secure_delete = ${prev === 2 ? 'FAST' : prev ? 'ON' : 'OFF'}`)
      if (db.inTransaction || changes() === before) return
      try {
        db.pragma('wal_checkpoint(TRUNCATE)')
      } catch {
        /* the next checkpoint writes the zeroed pages */
      }
    }
  }
}
