// The full integrity check behind `support-console audit verify` and the "Verify the trail"
// button: the hash chain (verify.ts); every evidence file against the SHA-256 recorded both in
// its row and in the audit entry written with it, so replacing a file AND its hash column is
// caught too; every record against the entry that created it (records.ts); what tickets and
// device backups hold against what their last entries recorded (row-values.ts); and the trail's
// end against the head kept outside the database (head-file.ts). The records and the head are
// what catch the newest entries cut off, which leaves a chain that verifies on its own.
import type { Database } from 'better-sqlite3'
import { createHash } from 'node:crypto'
import type { VerifyReport } from '../../../shared/contract/audit'
import { evidenceWithEntries } from '../../../db/repos/audit-evidence'
import { auditHeadReads, maxSeq } from '../../../db/repos/audit-head'
import { anySealedEntry } from '../../../db/repos/audit-seal'
import { HEAD_FILE, readHeadFile, type HeadFileRead } from './head-file'
import { checkRecords, type RecordsReport } from './records'
import { checkRowValues } from './row-values'
import { headSealOf } from './seal'
import { verifyChain, verifyChainAsync, type ChainReport } from './verify'

export function verifyEvidence(db: Database): VerifyReport['evidence'] {
  const it = evidenceSteps(db)
  for (;;) {
    const s = it.next()
    if (s.done) return s.value
  }
}

function* evidenceSteps(db: Database): Generator<void, VerifyReport['evidence']> {
  const out: VerifyReport['evidence'] = { checked: 0, purged: 0, byReference: 0, problems: [] }
  const rows = evidenceWithEntries(db)
  for (const r of rows) {
    const problem = (message: string) => out.problems.push({ evidenceId: r.id, message: `Evidence #${r.id}: ${message}` })
    let recorded: { evidenceId?: unknown; sha256?: unknown } = {}
    try {
      recorded = r.inputs ? JSON.parse(r.inputs) : {}
    } catch {
      /* reported below as a mismatch */
    }
    // A missing entry (audit_action null) is reported by checkRecords, with what it means for the trail.
    if (r.audit_action !== null && (r.audit_action !== 'evidence.add' || recorded.evidenceId !== r.id || recorded.sha256 !== r.sha256 || r.audit_ticket !== r.ticket_id)) {
      problem('its hash or ticket does not match the audit entry written when it was added.')
    }
    if (r.content) {
      out.checked++
      if (r.content.length !== r.size || createHash('sha256').update(r.content).digest('hex') !== r.sha256) problem('its content was changed after it was added (SHA-256 mismatch).')
    } else if (r.purged_at) out.purged++
    else if (r.ref) out.byReference++
    else problem('its content is missing but it was never purged or deleted.')
    yield
  }
  return out
}

export interface VerifyOptions {
  /** The data folder, to compare the trail's end with its head file; without it the head file is not checked. */
  dataDir?: string
  onProgress?: (done: number, total: number) => void
  /**
   * The audit key (SecretBox.auditKey; issue 13): entry seals and the head file's seal are
   * checked, and a missing head file beside a non-empty trail is an alarm. Without it only the
   * hash chain is checked, which anyone able to write the database could have recomputed.
   */
  key?: Buffer
}

export function verifyAll(db: Database, o: VerifyOptions = {}): VerifyReport {
  const t0 = performance.now()
  // Read before the database: the file names a head committed before it was written, so any
  // snapshot taken after this read holds that entry. Read after, it could name newer commits.
  const file = o.dataDir ? readHeadFile(o.dataDir) : ({ state: 'none' } as const)
  const chain = verifyChain(db, { onProgress: o.onProgress, key: o.key })
  const evidence = verifyEvidence(db)
  return conclude(db, chain, evidence, file, o.dataDir !== undefined, t0, o.key)
}

/** The UI's check: its own read-only connection, pausing between pages so the console stays responsive. */
export async function verifyAllAsync(db: Database, o: VerifyOptions = {}): Promise<VerifyReport> {
  const t0 = performance.now()
  const file = o.dataDir ? readHeadFile(o.dataDir) : ({ state: 'none' } as const)
  const chain = await verifyChainAsync(db, { onProgress: o.onProgress, key: o.key })
  const it = evidenceSteps(db)
  let evidence: VerifyReport['evidence']
  for (;;) {
    const s = it.next()
    if (s.done) {
      evidence = s.value
      break
    }
    await new Promise((r) => setImmediate(r))
  }
  return conclude(db, chain, evidence, file, o.dataDir !== undefined, t0, o.key)
}

function conclude(db: Database, chain: ChainReport, evidence: VerifyReport['evidence'], file: HeadFileRead, fileChecked: boolean, t0: number, key?: Buffer): VerifyReport {
  const records = checkRecords(db)
  // Rows whose values differ from their last entry's: edited outside the console, not a cut trail.
  const values = checkRowValues(db, key)
  const headFile = compareHead(db, file, fileChecked, key)
  const cut = chain.firstBreak ? null : truncation(db, headFile, records)
  const firstBreak = chain.firstBreak ?? cut
  const recordProblems = [...records.problems, ...values.problems]
  return {
    ok: firstBreak === null && evidence.problems.length === 0 && recordProblems.length === 0 && (headFile.state === 'ok' || headFile.state === 'none'),
    entries: chain.entries,
    head: chain.head,
    firstBreak,
    evidence,
    records: { checked: records.checked, byKind: records.byKind, problems: recordProblems },
    headFile,
    ms: Math.round(performance.now() - t0),
  }
}

const short = (h: string) => `${h.slice(0, 16)}…`
const sealedTrail = (db: Database): boolean => {
  try {
    return anySealedEntry(db)
  } catch {
    return false // before migration 11
  }
}
const range = (from: number, to: number) => (from === to ? `entry ${from} was` : `entries ${from}–${to} were`)

/** The head file against the trail as it is now (at least as new as the file). */
export function compareHead(db: Database, file: HeadFileRead, checked = true, key?: Buffer): VerifyReport['headFile'] {
  const none = { seq: null, hash: null, at: null, lag: 0 }
  if (!checked) return { state: 'none', ...none, message: 'The head file was not checked (no data folder given).' }
  const entries = () => maxSeq(db)
  if (file.state === 'none' && key && entries() > 0) {
    return { state: 'missing', ...none, message: `The head file ${HEAD_FILE} is missing although the trail has ${entries()} entries: the console writes it when it creates the folder and after every change, so it was deleted outside the console, possibly with entries cut from the end.` }
  }
  if (file.state === 'present' && key && (file.head.mac === undefined ? sealedTrail(db) : file.head.mac !== headSealOf(key, file.head))) {
    return { state: 'forged', seq: file.head.seq, hash: file.head.hash, at: file.head.at, lag: 0, message: `The head file ${HEAD_FILE} (entry ${file.head.seq}, written ${file.head.at}) was not written by this console: its seal ${file.head.mac === undefined ? 'is missing' : 'does not match'}.` }
  }
  if (file.state === 'none') {
    return { state: 'none', ...none, message: `No head file (${HEAD_FILE}) in the data folder yet: the end of the trail was checked against the console's own records only. The console writes it after its commits.` }
  }
  if (file.state === 'damaged') {
    return { state: 'damaged', ...none, message: `The head file ${HEAD_FILE} cannot be read (${file.error}). The console replaces it whole or not at all, so it was edited or damaged outside the console.` }
  }
  const f = file.head
  const base = { seq: f.seq, hash: f.hash, at: f.at }
  if (f.seq === 0) {
    const n = entries()
    return { state: 'ok', ...base, lag: n, message: n ? `The head file recorded the empty trail on ${f.at}; the ${n} entries came later (it is written after commits, so it may lag).` : 'The head file records the empty trail.' }
  }
  const reads = auditHeadReads(db)
  const last = reads.last()
  const first = reads.firstHash()
  if (first !== undefined && first !== f.first) {
    return { state: 'mismatch', ...base, lag: 0, message: `The head file was written on ${f.at} for another trail (its entry 1 differs): this database replaced the one whose head it records, entry ${f.seq}.` }
  }
  if (!last || last.seq < f.seq) {
    const end = last?.seq ?? 0
    return { state: 'ahead', ...base, lag: 0, message: `The trail ends at entry ${end}, but the head file recorded entry ${f.seq} (hash ${short(f.hash)}) on ${f.at}: ${range(end + 1, f.seq)} cut from the end of the trail, or the database was replaced by an older copy.` }
  }
  const at = reads.hashAt(f.seq)
  if (at !== f.hash) {
    return { state: 'mismatch', ...base, lag: 0, message: `Entry ${f.seq} is not the entry the head file recorded on ${f.at} (hash ${short(at ?? '')} instead of ${short(f.hash)}): the trail was rewritten up to it, or cut and written again after the cut.` }
  }
  const lag = last.seq - f.seq
  return { state: 'ok', ...base, lag, message: lag ? `The head file recorded entry ${f.seq} on ${f.at}; the ${lag} newer ${lag === 1 ? 'entry' : 'entries'} came later (it is written after commits, so it may lag).` : `The head file records entry ${f.seq}, the last one.` }
}

/** With an intact chain: entries cut from it, as the head file or the records without their entries show. */
function truncation(db: Database, headFile: VerifyReport['headFile'], records: RecordsReport): VerifyReport['firstBreak'] {
  const end = maxSeq(db) ?? 0
  if (headFile.state === 'ahead') return { seq: end + 1, kind: 'truncated', message: headFile.message }
  if (headFile.state === 'mismatch') return { seq: headFile.seq ?? 1, kind: 'rewritten', message: headFile.message }
  if (!records.problems.length) return null
  const upTo = records.knownMissingUpTo !== null && records.knownMissingUpTo > end ? ` (at least ${range(end + 1, records.knownMissingUpTo)} removed)` : ''
  const n = records.problems.length
  return {
    seq: end + 1,
    kind: 'truncated',
    message: `Entries are missing from the trail, which now ends at entry ${end}${upTo}: ${records.problems[0].message}${n > 1 ? ` ${n - 1} more record${n > 2 ? 's' : ''} lack${n > 2 ? '' : 's'} their entries too.` : ''}`,
  }
}
