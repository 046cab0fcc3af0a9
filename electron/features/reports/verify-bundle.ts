// Checks a ticket bundle (bundle.ts) without the source database; optionally also against
// a local trail (the source machine's data folder) to prove the entries are in it.
import type { Database } from 'better-sqlite3'
import { entryHash, GENESIS } from '../../../db/repos/audit'
import { AuditQueryRepo } from '../../../db/repos/audit-query'
import { reading } from '../../../db/repos/tx-scope'
import { BUNDLE_FORMAT, bundleHash, type Bundle, type BundleEntry, type Link } from './bundle'

export interface BundleReport {
  ok: boolean
  ticketId: number | null
  entries: number
  evidence: number
  chainHead: { seq: number; hash: string } | null
  linksChecked: boolean
  /** The first problem, naming the entry or evidence item. */
  problem: string | null
  /** What a passing result means, in words for the reader of the CLI output. */
  proves: string[]
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export function verifyBundle(raw: unknown, local?: Database): BundleReport {
  const rep: BundleReport = { ok: false, ticketId: null, entries: 0, evidence: 0, chainHead: null, linksChecked: false, problem: null, proves: [] }
  const fail = (p: string) => ((rep.problem = p), rep)
  if (!isObj(raw) || raw.format !== BUNDLE_FORMAT || raw.version !== 1) return fail('This file is not a Support Console audit bundle (format or version unknown).')
  const b = raw as unknown as Bundle
  if (!Array.isArray(b.entries) || !Array.isArray(b.evidence) || !isObj(b.ticket)) return fail('The bundle is incomplete (entries, evidence or ticket missing).')
  rep.ticketId = typeof b.ticket.id === 'number' ? b.ticket.id : null
  rep.chainHead = b.chainHead ?? null
  const { bundleHash: stated, ...body } = b
  if (bundleHash(body) !== stated) return fail('The bundle file was changed after export (its bundle hash does not match).')

  // 1. Each entry is what the console wrote.
  let prev: BundleEntry | null = null
  for (const e of b.entries) {
    if (!isObj(e) || typeof e.seq !== 'number') return fail('An entry of the bundle is malformed.')
    const { hash, ...rest } = e
    if (entryHash(rest) !== hash) return fail(`Entry ${e.seq} was altered: its content no longer matches its hash.`)
    if (e.ticketId !== b.ticket.id) return fail(`Entry ${e.seq} belongs to ticket ${e.ticketId}, not to ticket ${b.ticket.id}.`)
    if (prev && e.seq <= prev.seq) return fail(`Entry ${e.seq} comes after entry ${prev.seq}: the entries were reordered.`)
    if (prev && e.seq === prev.seq + 1 && e.prevHash !== prev.hash) return fail(`Entry ${e.seq} does not follow entry ${prev.seq}.`)
    if (!prev && e.seq === 1 && e.prevHash !== GENESIS) return fail('Entry 1 does not start the chain.')
    prev = e
  }
  rep.entries = b.entries.length

  // 2. The entries lie on one chain up to the head, through the links.
  if (b.links && b.entries.length) {
    const chain: Link[] = [...b.entries.map((e): Link => [e.seq, e.prevHash, e.hash]), ...b.links].sort((x, y) => x[0] - y[0])
    for (let i = 1; i < chain.length; i++) {
      const [s, p] = chain[i]
      const [ps, , ph] = chain[i - 1]
      if (s !== ps + 1) return fail(`Entry ${ps + 1} is missing from the chain between the bundle's entries (deleted, or the bundle was cut).`)
      if (p !== ph) return fail(`Entry ${s} does not follow entry ${ps}: the chain between the bundle's entries is broken.`)
    }
    const last = chain[chain.length - 1]
    if (!b.chainHead || last[0] !== b.chainHead.seq || last[2] !== b.chainHead.hash) return fail('The chain in the bundle does not end at the stated chain head.')
    rep.linksChecked = true
  }

  // 3. Evidence hashes were recorded in the trail when added.
  const bySeq = new Map(b.entries.map((e) => [e.seq, e]))
  for (const ev of b.evidence) {
    const e = bySeq.get(ev.auditSeq)
    let inputs: Record<string, unknown> = {}
    try {
      inputs = e ? JSON.parse(e.inputs) : {}
    } catch {
      /* mismatch below */
    }
    if (!e || e.action !== 'evidence.add' || inputs.evidenceId !== ev.id || inputs.sha256 !== ev.sha256) return fail(`Evidence #${ev.id} (${ev.name}): its SHA-256 is not the one recorded in the trail.`)
  }
  rep.evidence = b.evidence.length

  // 4. Optional: the entries are in this machine's trail, unchanged.
  if (local) {
    const trail = new AuditQueryRepo(local)
    // One snapshot of the local trail for all the entries.
    const missing = reading(local, () => b.entries.find((e) => trail.tx().hashOf(e.seq) !== e.hash))
    if (missing) return fail(`Entry ${missing.seq} of the bundle is not in the local trail as exported.`)
  }

  rep.ok = true
  rep.proves = [
    `All ${rep.entries} entries of ticket ${rep.ticketId} are exactly as the console recorded them (each hash recomputes).`,
    rep.linksChecked
      ? `They lie, in order, on one unbroken hash chain ending at entry ${b.chainHead?.seq} with hash ${b.chainHead?.hash}. Compare that hash with "support-console audit verify" on the source machine.`
      : 'The links to the rest of the chain were not included (too many entries in between); each entry still carries its predecessor\'s hash.',
    `All ${rep.evidence} evidence items carry the SHA-256 recorded in the trail when they were added.`,
    ...(local ? ['Every entry is present, unchanged, in the local trail.'] : []),
  ]
  return rep
}
