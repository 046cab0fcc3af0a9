// The database's own records against the trail: a ticket, an evidence item, a workflow run or a
// finished step, a device backup or a reset code is written in the same transaction as the entry
// that records its creation (app.record, the vault, the workflow engine, device operations). So
// any such row without its entry means entries were removed, and the chain alone cannot show
// it when they were the newest ones (the rest still links up): this is how `audit verify`
// sees a trail cut at its end even without the head file.
//
// Only creations that are always audited in the same transaction are checked, so an intact
// folder can never fail here, whatever instant a crash hit. Where an entry names its row
// (evidence, reset codes) the match is exact; otherwise entries and rows are counted per ticket
// (and step), which never over-counts rows: a run or a step visit is written only with its entry.
//
// Runs in one read transaction: a change and its entry are committed together, so a snapshot
// never holds one without the other, even while the app keeps writing.
import type { Database } from 'better-sqlite3'
import type { VerifyReport } from '../../../shared/contract/audit'

type Problem = VerifyReport['records']['problems'][number]
type RecordKind = Problem['kind']

export interface RecordsReport {
  checked: number
  /** How many of each kind were checked: the summary says what it counted. */
  byKind: Record<RecordKind, number>
  problems: Problem[]
  /** The highest seq a missing entry is known to have had (evidence names it), if above the trail's end. */
  knownMissingUpTo: number | null
}

const hasTable = (db: Database, name: string) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name)

/** At most this many problems of each kind are listed (the first says what happened). */
const LIMIT = 50

export function checkRecords(db: Database): RecordsReport {
  return db.transaction(() => walk(db))()
}

function walk(db: Database): RecordsReport {
  const problems: Problem[] = []
  const byKind: Record<RecordKind, number> = { ticket: 0, evidence: 0, 'workflow-run': 0, 'workflow-step': 0, 'device-backup': 0, 'reset-code': 0, 'rejected-login': 0 }
  let knownMissingUpTo: number | null = null
  const count = (sql: string) => db.prepare(sql).pluck().get() as number

  // Tickets: 'ticket.create' with the ticket's id (tickets.create handler, app.record).
  byKind.ticket += count('SELECT count(*) FROM tickets')
  for (const id of db.prepare(`SELECT t.id FROM tickets t
      WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.ticket_id = t.id AND a.action = 'ticket.create')
      ORDER BY t.id LIMIT ${LIMIT}`).pluck().all() as number[]) {
    problems.push({ kind: 'ticket', id, message: `Ticket #${id} exists but the entry that created it (ticket.create) is missing.` })
  }

  // Evidence: each row names the entry written with it (audit_seq); a wrong entry is verifyEvidence's to report.
  if (hasTable(db, 'evidence')) {
    byKind.evidence += count('SELECT count(*) FROM evidence')
    const missing = db.prepare(`SELECT e.id, e.audit_seq FROM evidence e
        WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.seq = e.audit_seq) ORDER BY e.id`).raw(true).all() as [number, number][]
    for (const [id, seq] of missing.slice(0, LIMIT)) problems.push({ kind: 'evidence', id, message: `Evidence #${id} exists but entry ${seq}, which recorded its addition (evidence.add), is missing.` })
    for (const [, seq] of missing) knownMissingUpTo = Math.max(knownMissingUpTo ?? 0, seq)
  }

  if (hasTable(db, 'workflow_runs')) {
    // Runs: one 'workflow.start' per run of the ticket. The runs past the count are the ones without.
    byKind['workflow-run'] += count('SELECT count(*) FROM workflow_runs')
    const short = db.prepare(`WITH runs AS (SELECT ticket_id, count(*) AS n FROM workflow_runs GROUP BY ticket_id),
        starts AS (SELECT ticket_id, count(*) AS n FROM audit_log WHERE action = 'workflow.start' GROUP BY ticket_id)
      SELECT runs.ticket_id, coalesce(starts.n, 0) FROM runs LEFT JOIN starts USING (ticket_id) WHERE runs.n > coalesce(starts.n, 0) ORDER BY runs.ticket_id`).raw(true).all() as [number, number][]
    const runsOf = db.prepare('SELECT id FROM workflow_runs WHERE ticket_id = ? ORDER BY id LIMIT -1 OFFSET ?').pluck()
    for (const [ticketId, started] of short) {
      for (const id of runsOf.all(ticketId, started) as number[]) {
        if (problems.filter((p) => p.kind === 'workflow-run').length >= LIMIT) break
        problems.push({ kind: 'workflow-run', id, message: `Workflow run #${id} of ticket #${ticketId} exists but the entry that started it (workflow.start) is missing.` })
      }
    }

    // Step visits that ended (done, skipped, failed): each with its 'workflow.step.<id>' entry, in the
    // same transaction as the visit's end. Other entries of the step (refusals, re-checks) only add to
    // the count, so this never flags an intact folder; the newest visits are named.
    byKind['workflow-step'] += count("SELECT count(*) FROM workflow_steps WHERE state IN ('done', 'skipped', 'failed')")
    const shortSteps = db.prepare(`WITH ended AS (
          SELECT r.ticket_id, 'workflow.step.' || s.step_id AS action, count(*) AS n FROM workflow_steps s JOIN workflow_runs r ON r.id = s.run_id
          WHERE s.state IN ('done', 'skipped', 'failed') GROUP BY 1, 2),
        logged AS (SELECT ticket_id, action, count(*) AS n FROM audit_log WHERE action >= 'workflow.step.' AND action < 'workflow.step/' GROUP BY 1, 2)
      SELECT ended.ticket_id, ended.action, ended.n - coalesce(logged.n, 0) FROM ended LEFT JOIN logged USING (ticket_id, action)
      WHERE ended.n > coalesce(logged.n, 0) ORDER BY ended.ticket_id, ended.action`).raw(true).all() as [number, string, number][]
    const newestVisits = db.prepare(`SELECT s.id, s.run_id, s.state FROM workflow_steps s JOIN workflow_runs r ON r.id = s.run_id
        WHERE r.ticket_id = ? AND s.step_id = ? AND s.state IN ('done', 'skipped', 'failed') ORDER BY s.id DESC LIMIT ?`).raw(true)
    for (const [ticketId, action, n] of shortSteps) {
      const stepId = action.slice('workflow.step.'.length)
      for (const [id, runId, state] of (newestVisits.all(ticketId, stepId, n) as [number, number, string][]).reverse()) {
        if (problems.filter((p) => p.kind === 'workflow-step').length >= LIMIT) break
        problems.push({ kind: 'workflow-step', id, message: `Step "${stepId}" of workflow run #${runId} (ticket #${ticketId}) is ${state} but the entry that recorded it (${action}) is missing.` })
      }
    }
  }

  // Device backups: one 'devices.backup' ok entry per backup of the ticket (stored with it, device-ops).
  if (hasTable(db, 'device_backups')) {
    byKind['device-backup'] += count('SELECT count(*) FROM device_backups')
    const short = db.prepare(`WITH backups AS (SELECT ticket_id, count(*) AS n FROM device_backups GROUP BY ticket_id),
        logged AS (SELECT ticket_id, count(*) AS n FROM audit_log WHERE action = 'devices.backup' AND outcome = 'ok' GROUP BY ticket_id)
      SELECT backups.ticket_id, coalesce(logged.n, 0) FROM backups LEFT JOIN logged ON logged.ticket_id IS backups.ticket_id
      WHERE backups.n > coalesce(logged.n, 0)`).raw(true).all() as [number | null, number][]
    const backupsOf = db.prepare('SELECT id FROM device_backups WHERE ticket_id IS ? ORDER BY id LIMIT -1 OFFSET ?').pluck()
    for (const [ticketId, logged] of short) {
      for (const id of backupsOf.all(ticketId, logged) as number[]) {
        if (problems.filter((p) => p.kind === 'device-backup').length >= LIMIT) break
        problems.push({ kind: 'device-backup', id, message: `Device backup #${id}${ticketId ? ` (ticket #${ticketId})` : ''} exists but the entry that recorded it (devices.backup) is missing.` })
      }
    }
  }

  // Backups and rejected logins named by their entries must still be there (issue 13): the
  // console never deletes either, so a missing one was deleted outside it (a deleted rejection
  // would let the console send a rejected password again).
  if (hasTable(db, 'device_backups')) {
    for (const [seq, id] of db.prepare(`SELECT a.seq, CAST(substr(a.detail, 9, instr(a.detail, ':') - 9) AS INTEGER) AS id FROM audit_log a
        WHERE a.action = 'devices.backup' AND a.outcome = 'ok' AND a.detail LIKE 'Backup #%:%'
          AND NOT EXISTS (SELECT 1 FROM device_backups b WHERE b.id = CAST(substr(a.detail, 9, instr(a.detail, ':') - 9) AS INTEGER))
        ORDER BY a.seq LIMIT ${LIMIT}`).raw(true).all() as [number, number][]) {
      problems.push({ kind: 'device-backup', id, message: `Device backup #${id}, recorded by entry ${seq} (devices.backup), is gone from the database: it was deleted outside the console.` })
    }
  }
  if (hasTable(db, 'device_rejected_logins')) {
    byKind['rejected-login'] += count('SELECT count(*) FROM device_rejected_logins')
    for (const [seq, id] of db.prepare(`SELECT a.seq, json_extract(a.inputs, '$.rejectionId') FROM audit_log a
        WHERE a.action = 'devices.loginRejected'
          AND NOT EXISTS (SELECT 1 FROM device_rejected_logins r WHERE r.id = json_extract(a.inputs, '$.rejectionId'))
        ORDER BY a.seq LIMIT ${LIMIT}`).raw(true).all() as [number, number][]) {
      problems.push({ kind: 'rejected-login', id, message: `The record of a password the device rejected (#${id}, entry ${seq}) is gone from the database: it was deleted outside the console, which would let the console send that password again.` })
    }
  }

  // NVR reset codes: 'nvrReset.code.issued' names the code's id (electron/features/nvr-reset/case.ts, app.record).
  if (hasTable(db, 'nvr_reset_codes')) {
    byKind['reset-code'] += count('SELECT count(*) FROM nvr_reset_codes')
    for (const [id, ticketId] of db.prepare(`SELECT c.id, c.ticket_id FROM nvr_reset_codes c
        WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.ticket_id = c.ticket_id AND a.action = 'nvrReset.code.issued' AND json_extract(a.inputs, '$.codeId') = c.id)
        ORDER BY c.id LIMIT ${LIMIT}`).raw(true).all() as [number, number][]) {
      problems.push({ kind: 'reset-code', id, message: `Reset code #${id} of ticket #${ticketId} exists but the entry that recorded it (nvrReset.code.issued) is missing.` })
    }
  }

  const checked = Object.values(byKind).reduce((a, b) => a + b, 0)
  return { checked, byKind, problems, knownMissingUpTo }
}
