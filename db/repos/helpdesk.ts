// Helpdesk providers, links, attachments and the outbox (migration 13). The writes that share
// one transaction with their audit entry (App.record) are reached through HelpdeskRepo.tx().
import type { Database } from 'better-sqlite3'
import type { HelpdeskAttachment, HelpdeskLink, HelpdeskProviderId, HelpdeskProviderInfo, OutboxItem } from '../../shared/contract/helpdesk'
import type { RowOf } from '../row-of'
import { reading, txScope, writing } from './tx-scope'

/** A provider as stored: the sealed token, and its address and user under the columns' names (the contract shows url, user, tokenSet). */
export type ProviderRow = Pick<HelpdeskProviderInfo, 'id' | 'updatedAt'> & { baseUrl: string; username: string; secretSealed: string }
export type Requester = HelpdeskLink['requester']
/** A link as stored: the contract's link without what is built for it (web address, attachments, outbox). */
export type LinkRow = Omit<HelpdeskLink, 'webUrl' | 'attachments' | 'outbox'>
/** A file of an outbox item as stored: its content rather than its size. */
export type OutboxFile = Omit<OutboxItem['files'][number], 'size'> & { content: Buffer }
export interface OutboxRow extends Omit<OutboxItem, 'summary' | 'files'> {
  subject: string
  body: string
}

type Raw = Record<string, unknown>

/** A helpdesk_outbox row: the item's key is the idem_key column. */
type OutboxDbRow = RowOf<Omit<OutboxRow, 'key'>, { idem_key: string }>

const toOutbox = (row: Raw): OutboxRow => {
  const r = row as OutboxDbRow
  return {
    id: r.id,
    key: r.idem_key,
    ticketId: r.ticket_id,
    provider: r.provider,
    remoteTicketId: r.remote_ticket_id,
    kind: r.kind,
    subject: r.subject,
    body: r.body,
    status: r.status,
    attempts: r.attempts,
    nextAt: r.next_at ?? null,
    lastError: r.last_error ?? null,
    remoteRef: r.remote_ref ?? null,
    createdAt: r.created_at,
    sentAt: r.sent_at ?? null,
  }
}

/**
 * The helpdesk's statements: the writes that run inside a transaction with their audit entry
 * (App.record), and the reads, reached only through `HelpdeskRepo.tx()`; everything else awaits
 * the repository, whose methods run these in a transaction of their own.
 */
export class HelpdeskTx {
  constructor(private readonly db: Database) {}

  saveProvider(p: ProviderRow): void {
    this.db
      .prepare(`INSERT INTO helpdesk_providers (id, base_url, username, secret_sealed, updated_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET base_url = excluded.base_url, username = excluded.username, secret_sealed = excluded.secret_sealed, updated_at = excluded.updated_at`)
      .run(p.id, p.baseUrl, p.username, p.secretSealed, p.updatedAt)
  }
  setFollowStatus(ticketId: number, follow: boolean): void {
    this.db.prepare('UPDATE helpdesk_links SET follow_status = ? WHERE ticket_id = ?').run(follow ? 1 : 0, ticketId)
  }
  saveLink(l: Omit<LinkRow, 'followStatus'>): void {
    this.db
      .prepare(`INSERT INTO helpdesk_links (ticket_id, provider, remote_id, subject, requester, linked_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (ticket_id) DO UPDATE SET provider = excluded.provider, remote_id = excluded.remote_id, subject = excluded.subject, requester = excluded.requester, linked_at = excluded.linked_at`)
      .run(l.ticketId, l.provider, l.remoteId, l.subject, JSON.stringify(l.requester), l.linkedAt)
  }
  setReported(ticketId: number, seq: number): void {
    this.db.prepare('UPDATE helpdesk_links SET reported_seq = max(reported_seq, ?) WHERE ticket_id = ?').run(seq, ticketId)
  }
  /** Adds attachments not seen before; ones already listed (and maybe taken) keep their state. */
  saveAttachments(ticketId: number, list: { remoteId: string; fileName: string; mime: string; size: number }[]): void {
    const ins = this.db.prepare('INSERT INTO helpdesk_attachments (ticket_id, remote_id, file_name, mime, size) VALUES (?, ?, ?, ?, ?) ON CONFLICT (ticket_id, remote_id) DO NOTHING')
    for (const a of list) ins.run(ticketId, a.remoteId, a.fileName, a.mime, a.size)
  }
  markTaken(ticketId: number, remoteId: string, evidenceId: number | null, at: string): void {
    this.db.prepare('UPDATE helpdesk_attachments SET evidence_id = ?, taken_at = ? WHERE ticket_id = ? AND remote_id = ?').run(evidenceId, at, ticketId, remoteId)
  }
  enqueue(o: { key: string; ticketId: number; provider: HelpdeskProviderId; remoteTicketId: string; kind: 'note' | 'reply' | 'status'; subject: string; body: string; files: OutboxFile[]; now: string }): OutboxRow {
    const id = this.db
      .prepare(`INSERT INTO helpdesk_outbox (idem_key, ticket_id, provider, remote_ticket_id, kind, subject, body, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(o.key, o.ticketId, o.provider, o.remoteTicketId, o.kind, o.subject, o.body, o.now, o.now).lastInsertRowid as number
    const f = this.db.prepare('INSERT INTO helpdesk_outbox_files (outbox_id, seq, name, mime, sha256, content) VALUES (?, ?, ?, ?, ?, ?)')
    o.files.forEach((x, i) => f.run(id, i, x.name, x.mime, x.sha256, x.content))
    return this.outboxItem(id)!
  }
  setStatus(id: number, s: { status: OutboxRow['status']; attempts?: number; nextAt?: string | null; lastError?: string | null; remoteRef?: string | null; sentAt?: string | null }): OutboxRow {
    const cur = this.outboxItem(id)!
    this.db
      .prepare('UPDATE helpdesk_outbox SET status = ?, attempts = ?, next_at = ?, last_error = ?, remote_ref = ?, sent_at = ? WHERE id = ?')
      .run(s.status, s.attempts ?? cur.attempts, s.nextAt === undefined ? cur.nextAt : s.nextAt, s.lastError === undefined ? cur.lastError : s.lastError, s.remoteRef === undefined ? cur.remoteRef : s.remoteRef, s.sentAt === undefined ? cur.sentAt : s.sentAt, id)
    return this.outboxItem(id)!
  }

  // ---- providers
  provider(id: HelpdeskProviderId): ProviderRow | null {
    const r = this.db.prepare('SELECT * FROM helpdesk_providers WHERE id = ?').get(id) as Raw | undefined
    return r ? { id: r.id as HelpdeskProviderId, baseUrl: r.base_url as string, username: r.username as string, secretSealed: r.secret_sealed as string, updatedAt: r.updated_at as string } : null
  }
  providers(): ProviderRow[] {
    return (this.db.prepare('SELECT id FROM helpdesk_providers ORDER BY id').pluck().all() as HelpdeskProviderId[]).map((id) => this.provider(id)!)
  }

  // ---- links and attachments
  link(ticketId: number): LinkRow | null {
    const r = this.db.prepare('SELECT * FROM helpdesk_links WHERE ticket_id = ?').get(ticketId) as Raw | undefined
    return r ? this.toLink(r) : null
  }
  linkByRemote(provider: HelpdeskProviderId, remoteId: string): LinkRow | null {
    const r = this.db.prepare('SELECT * FROM helpdesk_links WHERE provider = ? AND remote_id = ?').get(provider, remoteId) as Raw | undefined
    return r ? this.toLink(r) : null
  }
  private toLink(r: Raw): LinkRow {
    return { ticketId: r.ticket_id as number, provider: r.provider as HelpdeskProviderId, remoteId: r.remote_id as string, subject: r.subject as string, requester: JSON.parse(r.requester as string) as Requester, linkedAt: r.linked_at as string, followStatus: r.follow_status === 1 }
  }
  /** The console status last queued for the helpdesk (a status item not cancelled), if any. */
  lastQueuedStatus(ticketId: number): string | null {
    return (this.db.prepare("SELECT body FROM helpdesk_outbox WHERE ticket_id = ? AND kind = 'status' AND status != 'cancelled' ORDER BY id DESC LIMIT 1").pluck().get(ticketId) as string | undefined) ?? null
  }
  /**
   * Linked tickets with a procedure completed (audit entry) after the last reported one:
   * an NVR reset verified, or a guided workflow completed.
   */
  unreportedCompletions(): { ticketId: number; seq: number }[] {
    return this.db
      .prepare(`SELECT l.ticket_id AS ticketId, max(a.seq) AS seq FROM helpdesk_links l
        JOIN audit_log a ON a.ticket_id = l.ticket_id AND a.seq > l.reported_seq
        WHERE a.outcome = 'ok' AND a.action IN ('nvrReset.verify', 'workflow.complete') GROUP BY l.ticket_id`)
      .all() as { ticketId: number; seq: number }[]
  }
  attachments(ticketId: number): HelpdeskAttachment[] {
    return (this.db.prepare('SELECT * FROM helpdesk_attachments WHERE ticket_id = ? ORDER BY id').all(ticketId) as Raw[]).map((r) => ({
      remoteId: r.remote_id as string,
      fileName: r.file_name as string,
      mime: r.mime as string,
      size: r.size as number,
      evidenceId: (r.evidence_id as number | null) ?? null,
      takenAt: (r.taken_at as string | null) ?? null,
    }))
  }

  // ---- outbox
  outboxItem(id: number): OutboxRow | null {
    const r = this.db.prepare('SELECT * FROM helpdesk_outbox WHERE id = ?').get(id) as Raw | undefined
    return r ? toOutbox(r) : null
  }
  outbox(ticketId?: number): OutboxRow[] {
    const rows = ticketId === undefined
      ? this.db.prepare("SELECT * FROM helpdesk_outbox WHERE status IN ('pending', 'sending', 'failed') OR sent_at > datetime('now', '-1 day') ORDER BY id").all()
      : this.db.prepare('SELECT * FROM helpdesk_outbox WHERE ticket_id = ? ORDER BY id').all(ticketId)
    return (rows as Raw[]).map(toOutbox)
  }
  files(outboxId: number, withContent = true): OutboxFile[] {
    return (this.db.prepare(`SELECT name, mime, sha256, ${withContent ? 'content' : 'length(content) AS size'} FROM helpdesk_outbox_files WHERE outbox_id = ? ORDER BY seq`).all(outboxId) as Raw[]).map((r) => ({
      name: r.name as string,
      mime: r.mime as string,
      sha256: r.sha256 as string,
      content: withContent ? (r.content as Buffer) : Buffer.alloc(0),
      ...(withContent ? {} : { size: r.size as number }),
    }))
  }
  /** Due items: pending ones whose time has come, and 'sending' ones (uncertain: a crash or a lost answer; next_at is when the send began). */
  due(now: string): OutboxRow[] {
    return (this.db.prepare("SELECT * FROM helpdesk_outbox WHERE status IN ('pending', 'sending') AND (next_at IS NULL OR next_at <= ?) ORDER BY id").all(now) as Raw[]).map(toOutbox)
  }
  counts(): { pending: number; failed: number } {
    const r = this.db.prepare("SELECT sum(status IN ('pending', 'sending')) AS p, sum(status = 'failed') AS f FROM helpdesk_outbox").get() as { p: number | null; f: number | null }
    return { pending: r.p ?? 0, failed: r.f ?? 0 }
  }
  nextDue(): string | null {
    return (this.db.prepare("SELECT min(next_at) FROM helpdesk_outbox WHERE status IN ('pending', 'sending')").pluck().get() as string | null) ?? null
  }

  /** The evidence row an NVR reset photo (taken from a helpdesk attachment) was filed as. */
  photoEvidenceId(photoId: number): number | null {
    return (this.db.prepare('SELECT evidence_id FROM nvr_reset_photos WHERE id = ?').pluck().get(photoId) as number | null | undefined) ?? null
  }
}

export class HelpdeskRepo {
  private readonly view: HelpdeskTx
  constructor(private readonly db: Database) {
    this.view = new HelpdeskTx(db)
  }

  /** The synchronous statements, for a change and its audit entry in one transaction; throws outside one. */
  tx(): HelpdeskTx {
    return txScope(this.db, this.view, 'helpdesk')
  }

  /** An outbox item's state outside a record (a send begins, or waits as the helpdesk asked). */
  async setStatus(id: number, s: Parameters<HelpdeskTx['setStatus']>[1]): Promise<OutboxRow> {
    return writing(this.db, () => this.tx().setStatus(id, s))
  }

  // ---- providers
  async provider(id: HelpdeskProviderId): Promise<ProviderRow | null> {
    return reading(this.db, () => this.tx().provider(id))
  }
  async providers(): Promise<ProviderRow[]> {
    return reading(this.db, () => this.tx().providers())
  }

  // ---- links and attachments
  async link(ticketId: number): Promise<LinkRow | null> {
    return reading(this.db, () => this.tx().link(ticketId))
  }
  async linkByRemote(provider: HelpdeskProviderId, remoteId: string): Promise<LinkRow | null> {
    return reading(this.db, () => this.tx().linkByRemote(provider, remoteId))
  }
  /** See HelpdeskTx.lastQueuedStatus. */
  async lastQueuedStatus(ticketId: number): Promise<string | null> {
    return reading(this.db, () => this.tx().lastQueuedStatus(ticketId))
  }
  /** See HelpdeskTx.unreportedCompletions. */
  async unreportedCompletions(): Promise<{ ticketId: number; seq: number }[]> {
    return reading(this.db, () => this.tx().unreportedCompletions())
  }
  async attachments(ticketId: number): Promise<HelpdeskAttachment[]> {
    return reading(this.db, () => this.tx().attachments(ticketId))
  }

  // ---- outbox
  async outboxItem(id: number): Promise<OutboxRow | null> {
    return reading(this.db, () => this.tx().outboxItem(id))
  }
  async outbox(ticketId?: number): Promise<OutboxRow[]> {
    return reading(this.db, () => this.tx().outbox(ticketId))
  }
  async files(outboxId: number, withContent = true): Promise<OutboxFile[]> {
    return reading(this.db, () => this.tx().files(outboxId, withContent))
  }
  /** See HelpdeskTx.due. */
  async due(now: string): Promise<OutboxRow[]> {
    return reading(this.db, () => this.tx().due(now))
  }
  async counts(): Promise<{ pending: number; failed: number }> {
    return reading(this.db, () => this.tx().counts())
  }
  async nextDue(): Promise<string | null> {
    return reading(this.db, () => this.tx().nextDue())
  }
  /** See HelpdeskTx.photoEvidenceId. */
  async photoEvidenceId(photoId: number): Promise<number | null> {
    return reading(this.db, () => this.tx().photoEvidenceId(photoId))
  }
}
