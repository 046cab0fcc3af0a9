// Storage of the NVR reset (migration 6): photos' metadata and decode results, the reset
// case of a ticket, ownership checks and sealed security codes. Audit entries are written by
// the service in the same transaction (App.record), so this repo only reads and writes rows.
import type { Database } from 'better-sqlite3'
import type { ResetCase, ResetCheck, ResetCheckKind, ResetCode, ResetCodeStatus, ResetDecodeStatus, ResetFoundCode, ResetInvalidation, ResetPhoto, ResetPhotoSource } from '../../shared/contract/nvr-reset'
import { fromRow, type Override, snake } from '../row-of'
import { reading, txScope, writing } from './tx-scope'

// The contract's enums, under the names the reset feature uses.
export type PhotoSource = ResetPhotoSource
export type DecodeStatus = ResetDecodeStatus
export type CheckKind = ResetCheckKind
export type CodeStatus = ResetCodeStatus
export type Invalidation = ResetInvalidation

/** A code found in a photo, as stored (its kind is worked out from the text when the view is built). */
export type FoundCode = Omit<ResetFoundCode, 'kind'>

/** A photo as stored: the contract's photo with its ticket and the codes as stored. */
export type PhotoRow = Override<ResetPhoto, { ticketId: number; codes: FoundCode[] }>

export interface PhotoDecode {
  status: DecodeStatus
  ms: number | null
  strategy: string | null
  error: string | null
  codes: FoundCode[]
}

type Nullable<T> = { [K in keyof T]: T[K] | null }

/**
 * A reset case as stored: what the contract's case shows of the row, the payload's fields
 * (null until a payload is used) and its vendor, when the QR was received, and the row's times.
 */
export type CaseRow = Pick<ResetCase, 'photoId' | 'payload' | 'format' | 'customerTz' | 'deviceAddress' | 'deviceOffsetMs' | 'invalidated' | 'invalidatedAt'
  | 'approvedBy' | 'approvedAt' | 'wrongCodes' | 'lockedUntil' | 'appliedAt' | 'verifiedAt' | 'verifyDetail'>
  & Nullable<NonNullable<ResetCase['fields']>>
  & { ticketId: number; vendor: string | null; receivedAt: string | null; createdAt: string; updatedAt: string }

/** An ownership check as stored. */
export type CheckRow = ResetCheck & { id: number; ticketId: number }

/**
 * A security code as stored: sealed (codeSealed never leaves the main process), with the QR
 * nonce it was issued for; the contract's `hint` is codeHint, forCurrentQr is worked out.
 */
export type CodeRow = Omit<ResetCode, 'hint' | 'forCurrentQr'> & { ticketId: number; nonce: string; codeSealed: string; codeHint: string }

const mapRow = <T>(r: Record<string, unknown> | undefined): T | null => (r ? fromRow<T>(r) : null)

const toPhoto = (r: Record<string, unknown>): PhotoRow => {
  const p = mapRow<Record<string, unknown>>(r)!
  return { ...(p as unknown as PhotoRow), capturedHasZone: p.capturedHasZone === 1, codes: JSON.parse(p.codes as string) as FoundCode[] }
}

/** A photo whose read-out data is due to go (retention.ts): past the period, or its bytes already gone. */
export interface PhotoDueForPurge {
  id: number
  ticketId: number
  evidenceId: number
  sha256: string
  contentKept: boolean
  purged: string | null
}

/**
 * The reset's writes (and the reads they need) that run inside a transaction with their audit
 * entry (App.record), reached only through `NvrResetRepo.tx()`; everything else awaits the repository.
 */
export class NvrResetTx {
  constructor(private readonly db: Database) {}

  insertPhoto(p: Omit<PhotoRow, 'id' | 'decodeStatus' | 'decodeMs' | 'decodeStrategy' | 'decodeError' | 'codes'>): PhotoRow {
    const id = this.db
      .prepare(`INSERT INTO nvr_reset_photos (ticket_id, evidence_id, sha256, size, mime, width, height, file_name, source, received_at, captured_at, captured_has_zone)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(p.ticketId, p.evidenceId, p.sha256, p.size, p.mime, p.width, p.height, p.fileName, p.source, p.receivedAt, p.capturedAt, p.capturedHasZone ? 1 : 0).lastInsertRowid
    return this.photo(Number(id))!
  }
  photo(id: number): PhotoRow | null {
    const r = this.db.prepare('SELECT * FROM nvr_reset_photos WHERE id = ?').get(id) as Record<string, unknown> | undefined
    return r ? toPhoto(r) : null
  }
  setDecode(id: number, d: PhotoDecode): void {
    this.db.prepare('UPDATE nvr_reset_photos SET decode_status = ?, decode_ms = ?, decode_strategy = ?, decode_error = ?, codes = ? WHERE id = ?').run(d.status, d.ms, d.strategy, d.error, JSON.stringify(d.codes), id)
  }
  case(ticketId: number): CaseRow | null {
    return mapRow<CaseRow>(this.db.prepare('SELECT * FROM nvr_reset_cases WHERE ticket_id = ?').get(ticketId) as Record<string, unknown> | undefined)
  }
  /** Creates the case row on first use and applies `patch` (camelCase keys of CaseRow). */
  upsertCase(ticketId: number, patch: Partial<Omit<CaseRow, 'ticketId' | 'createdAt' | 'updatedAt'>>, now = new Date().toISOString()): CaseRow {
    this.db.prepare('INSERT INTO nvr_reset_cases (ticket_id, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (ticket_id) DO NOTHING').run(ticketId, now, now)
    const keys = Object.keys(patch)
    if (keys.length) {
      const sets = keys.map((k) => `${snake(k)} = @${k}`).join(', ')
      this.db.prepare(`UPDATE nvr_reset_cases SET ${sets}, updated_at = @__now WHERE ticket_id = @__id`).run({ ...patch, __now: now, __id: ticketId })
    }
    return this.case(ticketId)!
  }
  addCheck(c: Omit<CheckRow, 'id'>): CheckRow {
    const id = this.db.prepare('INSERT INTO nvr_reset_checks (ticket_id, kind, passed, evidence_id, note, agent, at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(c.ticketId, c.kind, c.passed ? 1 : 0, c.evidenceId, c.note, c.agent, c.at).lastInsertRowid
    return { ...c, id: Number(id) }
  }
  addCode(c: Omit<CodeRow, 'id' | 'status' | 'statusDetail' | 'usedAt' | 'sentAt'>): CodeRow {
    const id = this.db
      .prepare('INSERT INTO nvr_reset_codes (ticket_id, nonce, provider, code_sealed, code_hint, reference, expires_at, agent, obtained_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(c.ticketId, c.nonce, c.provider, c.codeSealed, c.codeHint, c.reference, c.expiresAt, c.agent, c.obtainedAt).lastInsertRowid
    return this.code(Number(id))!
  }
  code(id: number): CodeRow | null {
    return mapRow<CodeRow>(this.db.prepare('SELECT * FROM nvr_reset_codes WHERE id = ?').get(id) as Record<string, unknown> | undefined)
  }
  setCodeStatus(id: number, status: CodeStatus, detail: string, usedAt: string | null): void {
    this.db.prepare('UPDATE nvr_reset_codes SET status = ?, status_detail = ?, used_at = coalesce(?, used_at) WHERE id = ?').run(status, detail, usedAt, id)
  }
  markSent(id: number, at: string): void {
    this.db.prepare('UPDATE nvr_reset_codes SET sent_at = coalesce(sent_at, ?) WHERE id = ?').run(at, id)
  }
  voidOpenCodes(ticketId: number, detail: string): void {
    this.db.prepare("UPDATE nvr_reset_codes SET status = 'void', status_detail = ? WHERE ticket_id = ? AND status = 'issued'").run(detail, ticketId)
  }
  /** Drops what was read out of a photo (decoded QR text and positions, capture time); size, hash and status stay. */
  scrubPhoto(id: number): void {
    this.db.prepare("UPDATE nvr_reset_photos SET codes = '[]', captured_at = NULL, captured_has_zone = 0, decode_error = NULL WHERE id = ?").run(id)
  }
}

export class NvrResetRepo {
  private readonly view: NvrResetTx
  constructor(private readonly db: Database) {
    this.view = new NvrResetTx(db)
  }

  /** The synchronous operations, for a change and its audit entry in one transaction; throws outside one. */
  tx(): NvrResetTx {
    return txScope(this.db, this.view, 'nvrReset')
  }


  /** A photo's row on its own (the intake writes it with its entry: tx().insertPhoto). */
  async insertPhoto(p: Parameters<NvrResetTx['insertPhoto']>[0]): Promise<PhotoRow> {
    return writing(this.db, () => this.tx().insertPhoto(p))
  }
  async photo(id: number): Promise<PhotoRow | null> {
    return reading(this.db, () => this.tx().photo(id))
  }
  async photoBySha(ticketId: number, sha256: string): Promise<PhotoRow | null> {
    const r = this.db.prepare('SELECT * FROM nvr_reset_photos WHERE ticket_id = ? AND sha256 = ?').get(ticketId, sha256) as Record<string, unknown> | undefined
    return r ? toPhoto(r) : null
  }
  async photos(ticketId: number): Promise<PhotoRow[]> {
    return (this.db.prepare('SELECT * FROM nvr_reset_photos WHERE ticket_id = ? ORDER BY id').all(ticketId) as Record<string, unknown>[]).map(toPhoto)
  }
  async setDecode(id: number, d: PhotoDecode): Promise<void> {
    writing(this.db, () => this.tx().setDecode(id, d))
  }

  async getCase(ticketId: number): Promise<CaseRow | null> {
    return reading(this.db, () => this.tx().case(ticketId))
  }

  /** The latest check of each kind (a later failed check replaces an earlier pass). */
  async latestChecks(ticketId: number): Promise<CheckRow[]> {
    const rows = this.db
      .prepare('SELECT * FROM nvr_reset_checks WHERE id IN (SELECT max(id) FROM nvr_reset_checks WHERE ticket_id = ? GROUP BY kind) ORDER BY kind')
      .all(ticketId) as Record<string, unknown>[]
    return rows.map((r) => ({ ...mapRow<CheckRow>(r)!, passed: r.passed === 1 }))
  }

  async code(id: number): Promise<CodeRow | null> {
    return reading(this.db, () => this.tx().code(id))
  }
  async codes(ticketId: number): Promise<CodeRow[]> {
    return (this.db.prepare('SELECT * FROM nvr_reset_codes WHERE ticket_id = ? ORDER BY id').all(ticketId) as Record<string, unknown>[]).map((r) => mapRow<CodeRow>(r)!)
  }
  /** Tickets with a reset case that is not verified yet, or with a run of the reset still active (start-up catch-up). */
  async unfinishedTickets(): Promise<number[]> {
    return this.db
      .prepare(`SELECT ticket_id FROM nvr_reset_cases WHERE verified_at IS NULL
        UNION SELECT ticket_id FROM workflow_runs WHERE procedure = 'nvr-password-reset' AND status = 'active' ORDER BY 1`)
      .pluck()
      .all() as number[]
  }

  /** Photos past `cutoffIso` (or whose bytes the vault dropped) that still hold decoded text, a capture time or bytes. */
  async photosDueForPurge(cutoffIso: string): Promise<PhotoDueForPurge[]> {
    const rows = this.db
      .prepare(
        `SELECT p.id, p.ticket_id, p.evidence_id, p.sha256, e.content IS NOT NULL AS content_kept, e.purged_at AS purged
         FROM nvr_reset_photos p JOIN evidence e ON e.id = p.evidence_id
         WHERE (e.purged_at IS NOT NULL OR p.received_at < ?) AND (p.codes != '[]' OR p.captured_at IS NOT NULL OR e.content IS NOT NULL)
         ORDER BY p.id`,
      )
      .all(cutoffIso) as { id: number; ticket_id: number; evidence_id: number; sha256: string; content_kept: 0 | 1; purged: string | null }[]
    return rows.map((r) => ({ id: r.id, ticketId: r.ticket_id, evidenceId: r.evidence_id, sha256: r.sha256, contentKept: r.content_kept === 1, purged: r.purged }))
  }

  /** Where the inventory last saw a device: by serial first, else by MAC (the bench address of the reset's NVR). */
  async inventorySighting(serial: string, mac: string): Promise<{ ip: string; httpPort: number | null } | null> {
    const r = this.db
      .prepare(`SELECT ip, http_port FROM devices WHERE ip <> '' AND ((? <> '' AND serial = ?) OR (? <> '' AND mac = ?))
        ORDER BY (serial = ?) DESC, last_seen DESC LIMIT 1`)
      .get(serial, serial, mac, mac, serial) as { ip: string; http_port: number | null } | undefined
    return r ? { ip: r.ip, httpPort: r.http_port } : null
  }
  /** Other tickets holding a photo with this hash (the same picture sent for two requests). */
  async ticketsWithPhoto(sha256: string, exceptTicketId: number): Promise<number[]> {
    return this.db.prepare('SELECT DISTINCT ticket_id FROM nvr_reset_photos WHERE sha256 = ? AND ticket_id != ? ORDER BY ticket_id').pluck().all(sha256, exceptTicketId) as number[]
  }
}
