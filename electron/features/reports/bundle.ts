// The JSON bundle of one ticket: its audit entries exactly as stored (with prev_hash and
// hash), the hash links of the entries in between and up to the chain head, and the
// evidence hashes. `support-console audit verify --bundle FILE` checks it on any machine.
//
// What a bundle that verifies proves:
//  - every ticket entry is byte-for-byte what the console wrote (its hash recomputes);
//  - the entries sit, in this order, on one unbroken hash chain ending at `chainHead`
//    (the links between them carry only seq/prev/hash, not other tickets' content);
//  - every evidence item was recorded in the trail with this SHA-256 when it was added.
// What it does not prove on its own: that the source trail was genuine. Compare
// `chainHead.hash` with `support-console audit verify` on the source machine (or with a
// head written down or sent earlier): any later rewrite of the trail changes that hash.
import { createHash } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import type { Ticket } from '../../../shared/contract/tickets'
import type { AuditEntry } from '../../../db/repos/audit'
import { AuditQueryRepo, type AuditRow } from '../../../db/repos/audit-query'
import { reading } from '../../../db/repos/tx-scope'
import type { EvidenceMeta } from '../../../db/repos/evidence'

export const BUNDLE_FORMAT = 'support-console.audit-bundle'
/** Above this many in-between entries the links are left out (the bundle says so). */
export const MAX_LINKS = 50_000

/** An entry as the chain holds it (db/repos/audit.ts): the bundle carries it field for field. */
export type BundleEntry = AuditEntry
export type Link = [seq: number, prevHash: string, hash: string]

export interface Bundle {
  format: typeof BUNDLE_FORMAT
  version: 1
  exportedAt: string
  exportedBy: string
  ticket: Pick<Ticket, 'id' | 'externalRef' | 'deviceSerial' | 'deviceModel' | 'procedure' | 'status' | 'createdAt'>
  chainHead: { seq: number; hash: string } | null
  entries: BundleEntry[]
  /** seq/prev/hash of every other entry from the first ticket entry to the head; null if too many. */
  links: Link[] | null
  evidence: Pick<EvidenceMeta, 'id' | 'kind' | 'name' | 'mime' | 'size' | 'sha256' | 'addedAt' | 'auditSeq' | 'purgedAt'>[]
  /** sha256 of the canonical JSON of all the fields above: catches a damaged file. */
  bundleHash: string
}

export const toBundleEntry = (r: AuditRow): BundleEntry => ({
  seq: r.seq, at: r.at, agent: r.agent, ticketId: r.ticket_id, device: r.device, action: r.action, inputs: r.inputs, outcome: r.outcome, detail: r.detail, prevHash: r.prev_hash, hash: r.hash,
})

export function bundleHash(b: Omit<Bundle, 'bundleHash'>): string {
  const { format, version, exportedAt, exportedBy, ticket, chainHead, entries, links, evidence } = b
  return createHash('sha256').update(JSON.stringify([format, version, exportedAt, exportedBy, ticket, chainHead, entries, links, evidence])).digest('hex')
}

export function buildBundle(db: Database, ticket: Ticket, evidence: EvidenceMeta[], exportedBy: string, now = new Date().toISOString()): Bundle {
  const q = new AuditQueryRepo(db)
  // One snapshot: the entries, links and head must describe the same chain.
  return reading(db, () => {
    const t = q.tx()
    const entries = t.forTicket(ticket.id).map(toBundleEntry)
    const chainHead = t.head()
    let links: Link[] | null = []
    if (entries.length && chainHead) {
      const first = entries[0].seq
      const span = chainHead.seq - first + 1 - entries.length
      if (span > MAX_LINKS) links = null
      else {
        links = t.linksAfter(first, ticket.id)
      }
    }
    const body: Omit<Bundle, 'bundleHash'> = {
      format: BUNDLE_FORMAT,
      version: 1,
      exportedAt: now,
      exportedBy,
      ticket: { id: ticket.id, externalRef: ticket.externalRef, deviceSerial: ticket.deviceSerial, deviceModel: ticket.deviceModel, procedure: ticket.procedure, status: ticket.status, createdAt: ticket.createdAt },
      chainHead,
      entries,
      links,
      evidence: evidence.map(({ id, kind, name, mime, size, sha256, addedAt, auditSeq, purgedAt }) => ({ id, kind, name, mime, size, sha256, addedAt, auditSeq, purgedAt })),
    }
    return { ...body, bundleHash: bundleHash(body) }
  })
}
