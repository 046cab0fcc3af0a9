// Checks the audit trail end to end: every entry's hash is recomputed from its columns,
// every entry must name its predecessor's hash, and sequence numbers must run 1, 2, 3…
// without gaps. The first entry that fails is named with what most likely happened to it,
// so an agent (or an auditor) can say "entry 4182 was altered" rather than "bad hash".
//
// Speed matters (a busy bench PC accumulates millions of entries): rows are read in
// raw (array) mode in pages by seq range with one prepared statement, and the canonical
// form is JSON.stringify of the first ten columns, exactly as entryHash builds it.
import type { Database } from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { GENESIS } from '../../../db/repos/audit'
import { beginRead, chainPages, countEntries, endRead, hasSealColumn, rawRowAt, seqOfHash as seqWithHash } from '../../../db/repos/audit-chain'
import { KEYED_ACTION, sealMatches } from './seal'

export type BreakKind = 'altered' | 'deleted' | 'reordered' | 'inserted' | 'relinked'

export interface ChainBreak {
  /** The first entry that fails (the one after the gap for deletions). */
  seq: number
  kind: BreakKind
  message: string
}

export interface ChainReport {
  ok: boolean
  entries: number
  /** seq and hash of the last entry checked: a value to write down or compare with an export. */
  head: { seq: number; hash: string } | null
  firstBreak: ChainBreak | null
  ms: number
}

const PAGE = 20_000

export interface ChainOptions {
  onProgress?: (done: number, total: number) => void
  /**
   * The audit key (SecretBox.auditKey): every entry's seal is checked too. Entries without a
   * seal are accepted only before the `audit.chain.keyed` entry that sealed an older trail.
   * Without the key only the hash chain is checked (anyone who can write the database could
   * have recomputed it).
   */
  key?: Buffer
}

/** Recomputes the hash of a raw row [seq, at, agent, ticket, device, action, inputs, outcome, detail, prev, hash]. */
export function rawRowHash(r: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(r.length === 10 ? r : r.slice(0, 10))).digest('hex')
}

/** Walks the chain page by page; `pause` (async variant) lets other work run between pages. */
function* walk(db: Database, opts: ChainOptions): Generator<void, Omit<ChainReport, 'ms'>> {
  const key = opts.key && hasSealColumn(db) ? opts.key : undefined
  const page = chainPages(db, PAGE, key !== undefined)
  let keyed = false
  const total = opts.onProgress ? (countEntries(db) ?? 0) : 0
  let expectSeq = 1
  let prevHash = GENESIS
  let count = 0
  let head: ChainReport['head'] = null
  let after = 0
  for (;;) {
    const rows = page.after(after)
    if (rows.length === 0) break
    for (const r of rows) {
      const seq = r[0] as number
      const hash = r[10] as string
      const mac = r[11]
      r.length = 10
      const computed = createHash('sha256').update(JSON.stringify(r)).digest('hex')
      if (seq !== expectSeq || r[9] !== prevHash || computed !== hash) {
        r.push(hash)
        return { ok: false, entries: count, head, firstBreak: diagnose(db, r, expectSeq, computed) }
      }
      if (key) {
        const unsealed = (message: string) => ({ ok: false, entries: count, head, firstBreak: { seq, kind: 'altered' as const, message } })
        if (mac === null) {
          if (keyed) return unsealed(`Entry ${seq} has no seal, but the trail was sealed before it: it was written or rewritten outside the console.`)
        } else {
          if (!sealMatches(key, hash, mac)) return unsealed(`Entry ${seq} was altered: its seal does not match (it was written or re-hashed without this data folder's key).`)
          if (!keyed && seq !== 1 && r[5] !== KEYED_ACTION) return unsealed(`Entry ${seq} is sealed but the unsealed entries before it were never sealed by the console (${KEYED_ACTION}).`)
          keyed = true
        }
      }
      prevHash = hash
      expectSeq = seq + 1
      count++
      head = { seq, hash }
    }
    after = rows[rows.length - 1][0] as number
    opts.onProgress?.(count, total)
    yield
  }
  if (key && count > 0 && !keyed) {
    return { ok: false, entries: count, head, firstBreak: { seq: head?.seq ?? 1, kind: 'altered', message: `No entry of the trail carries a seal: its seals were removed or the trail was replaced outside the console.` } }
  }
  return { ok: true, entries: count, head, firstBreak: null }
}

export function verifyChain(db: Database, opts: ChainOptions = {}): ChainReport {
  const t0 = performance.now()
  // One read transaction: the pages form one consistent snapshot even while the app appends.
  const result = db.transaction(() => {
    const it = walk(db, opts)
    for (;;) {
      const step = it.next()
      if (step.done) return step.value
    }
  })()
  return { ...result, ms: Math.round(performance.now() - t0) }
}

/**
 * The same check without blocking the process for seconds: give it a connection of its
 * own (read-only), since it holds a read transaction open across the pauses.
 */
export async function verifyChainAsync(db: Database, opts: ChainOptions = {}): Promise<ChainReport> {
  const t0 = performance.now()
  beginRead(db)
  try {
    const it = walk(db, opts)
    for (;;) {
      const step = it.next()
      if (step.done) return { ...step.value, ms: Math.round(performance.now() - t0) }
      await new Promise((r) => setImmediate(r))
    }
  } finally {
    endRead(db)
  }
}

const hashWithSeq = (r: unknown[], seq: number): string => rawRowHash([seq, ...r.slice(1, 10)])

/** Slow path, run once: says what most likely happened at the first failing row. */
function diagnose(db: Database, r: unknown[], expectSeq: number, computed: string): ChainBreak {
  const seq = r[0] as number
  const linkedTo = r[9] as string
  const stored = r[10] as string
  const seqOfHash = (h: string) => (h === GENESIS ? 0 : seqWithHash(db, h))
  const rowAt = (s: number) => rawRowAt(db, s)
  if (seq > expectSeq) {
    const missing = seq - expectSeq
    return {
      seq,
      kind: 'deleted',
      message: `Entry ${seq}: ${missing === 1 ? `entry ${expectSeq} is missing` : `entries ${expectSeq}–${seq - 1} are missing`} (deleted from the trail).`,
    }
  }
  const parent = seqOfHash(linkedTo)
  if (computed !== stored) {
    // Intact content at the wrong position: find where it was written.
    const candidates = [...(parent !== undefined ? [parent + 1] : []), seq - 1, seq + 1, seq - 2, seq + 2, seq - 3, seq + 3]
    const origin = candidates.find((s) => s > 0 && s !== seq && hashWithSeq(r, s) === stored)
    if (origin === undefined) return { seq, kind: 'altered', message: `Entry ${seq} was altered: its content no longer matches its hash.` }
    const other = rowAt(origin)
    if (other && hashWithSeq(other, seq) === other[10]) {
      return { seq, kind: 'reordered', message: `Entry ${seq} was swapped with entry ${origin}: the trail was reordered.` }
    }
    if (origin < seq) return { seq, kind: 'inserted', message: `Entry ${seq} was written as entry ${origin}: ${seq - origin === 1 ? 'an entry was' : `${seq - origin} entries were`} inserted before it.` }
    return { seq, kind: 'deleted', message: `Entry ${seq} was written as entry ${origin}: entries before it were deleted and the rest renumbered.` }
  }
  // The row is self-consistent but does not follow its predecessor.
  if (parent !== undefined && parent !== seq - 1) {
    return { seq, kind: 'reordered', message: `Entry ${seq} is out of order: it was written after entry ${parent}, not after entry ${seq - 1}.` }
  }
  return {
    seq,
    kind: 'relinked',
    message: `Entry ${seq} does not follow entry ${seq - 1}: ${parent === undefined ? `the entry it names as its predecessor does not exist (entry ${seq - 1} was rewritten, or entry ${seq} forged)` : 'the chain was rewritten'}.`,
  }
}
