// The full integrity check behind `support-console audit verify` and the "Verify the trail"
// button: the hash chain (verify.ts) plus every evidence file against the SHA-256 recorded
// both in its row and in the audit entry written with it, so replacing a file AND its
// hash column is caught too.
import type { Database } from 'better-sqlite3'
import { createHash } from 'node:crypto'
import type { VerifyReport } from '../../shared/contract/audit'
import { verifyChain, verifyChainAsync } from './verify'

interface EvRow {
  id: number
  sha256: string
  size: number
  content: Buffer | null
  ref: string | null
  purged_at: string | null
  ticket_id: number
  inputs: string | null
  audit_action: string | null
  audit_ticket: number | null
}

export function verifyEvidence(db: Database): VerifyReport['evidence'] {
  const it = evidenceSteps(db)
  for (;;) {
    const s = it.next()
    if (s.done) return s.value
  }
}

function* evidenceSteps(db: Database): Generator<void, VerifyReport['evidence']> {
  const out: VerifyReport['evidence'] = { checked: 0, purged: 0, byReference: 0, problems: [] }
  const rows = db
    .prepare(`SELECT e.id, e.sha256, e.size, e.content, e.ref, e.purged_at, e.ticket_id, a.inputs, a.action AS audit_action, a.ticket_id AS audit_ticket
      FROM evidence e LEFT JOIN audit_log a ON a.seq = e.audit_seq ORDER BY e.id`)
    .iterate() as IterableIterator<EvRow>
  for (const r of rows) {
    const problem = (message: string) => out.problems.push({ evidenceId: r.id, message: `Evidence #${r.id}: ${message}` })
    let recorded: { evidenceId?: unknown; sha256?: unknown } = {}
    try {
      recorded = r.inputs ? JSON.parse(r.inputs) : {}
    } catch {
      /* reported below as a mismatch */
    }
    if (r.audit_action !== 'evidence.add' || recorded.evidenceId !== r.id || recorded.sha256 !== r.sha256 || r.audit_ticket !== r.ticket_id) {
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

export function verifyAll(db: Database, onProgress?: (done: number, total: number) => void): VerifyReport {
  const t0 = performance.now()
  const chain = verifyChain(db, { onProgress })
  const evidence = verifyEvidence(db)
  return {
    ok: chain.ok && evidence.problems.length === 0,
    entries: chain.entries,
    head: chain.head,
    firstBreak: chain.firstBreak,
    evidence,
    ms: Math.round(performance.now() - t0),
  }
}

/** The UI's check: its own read-only connection, pausing between pages so the console stays responsive. */
export async function verifyAllAsync(db: Database, onProgress?: (done: number, total: number) => void): Promise<VerifyReport> {
  const t0 = performance.now()
  const chain = await verifyChainAsync(db, { onProgress })
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
  return { ok: chain.ok && evidence.problems.length === 0, entries: chain.entries, head: chain.head, firstBreak: chain.firstBreak, evidence, ms: Math.round(performance.now() - t0) }
}
