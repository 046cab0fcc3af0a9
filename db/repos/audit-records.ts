// The reads behind `audit verify`'s record checks (electron/features/audit/records.ts): rows
// created with an audit entry in the same transaction, against the entries that created them,
// and rows named by entries against the tables. Each returns raw rows as typed tuples; the
// statements run per ticket (runsAfter, backupsAfter, newestEndedVisits) are prepared once.
import type { Database } from 'better-sqlite3'

/** Whether a table exists (the check runs on folders of any migrated version it knows). */
export const hasTable = (db: Database, name: string): boolean => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name)

const COUNTS = {
  tickets: 'SELECT count(*) FROM tickets',
  evidence: 'SELECT count(*) FROM evidence',
  workflowRuns: 'SELECT count(*) FROM workflow_runs',
  endedSteps: "SELECT count(*) FROM workflow_steps WHERE state IN ('done', 'skipped', 'failed')",
  deviceBackups: 'SELECT count(*) FROM device_backups',
  rejectedLogins: 'SELECT count(*) FROM device_rejected_logins',
  resetCodes: 'SELECT count(*) FROM nvr_reset_codes',
} as const

/** How many records of a kind there are (step visits: the ended ones). */
export const countRecords = (db: Database, what: keyof typeof COUNTS): number => db.prepare(COUNTS[what]).pluck().get() as number

/** Tickets without their 'ticket.create' entry, first `limit` by id. */
export const ticketsWithoutCreation = (db: Database, limit: number): number[] =>
  db.prepare(`SELECT t.id FROM tickets t
      WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.ticket_id = t.id AND a.action = 'ticket.create')
      ORDER BY t.id LIMIT ${limit}`).pluck().all() as number[]

/** Evidence whose entry (audit_seq) is gone, by id. */
export const evidenceWithoutEntry = (db: Database): [id: number, auditSeq: number][] =>
  db.prepare(`SELECT e.id, e.audit_seq FROM evidence e
        WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.seq = e.audit_seq) ORDER BY e.id`).raw(true).all() as [number, number][]

/** Tickets with more workflow runs than 'workflow.start' entries, and how many entries they have. */
export const ticketsShortOfRunStarts = (db: Database): [ticketId: number, started: number][] =>
  db.prepare(`WITH runs AS (SELECT ticket_id, count(*) AS n FROM workflow_runs GROUP BY ticket_id),
        starts AS (SELECT ticket_id, count(*) AS n FROM audit_log WHERE action = 'workflow.start' GROUP BY ticket_id)
      SELECT runs.ticket_id, coalesce(starts.n, 0) FROM runs LEFT JOIN starts USING (ticket_id) WHERE runs.n > coalesce(starts.n, 0) ORDER BY runs.ticket_id`).raw(true).all() as [number, number][]

/** A ticket's run ids past the first `offset` (prepared once, called per ticket). */
export function runsAfter(db: Database): (ticketId: number, offset: number) => number[] {
  const st = db.prepare('SELECT id FROM workflow_runs WHERE ticket_id = ? ORDER BY id LIMIT -1 OFFSET ?').pluck()
  return (ticketId, offset) => st.all(ticketId, offset) as number[]
}

/** Per ticket and 'workflow.step.<id>' action: how many ended visits lack their entry. */
export const stepsShortOfEntries = (db: Database): [ticketId: number, action: string, missing: number][] =>
  db.prepare(`WITH ended AS (
          SELECT r.ticket_id, 'workflow.step.' || s.step_id AS action, count(*) AS n FROM workflow_steps s JOIN workflow_runs r ON r.id = s.run_id
          WHERE s.state IN ('done', 'skipped', 'failed') GROUP BY 1, 2),
        logged AS (SELECT ticket_id, action, count(*) AS n FROM audit_log WHERE action >= 'workflow.step.' AND action < 'workflow.step/' GROUP BY 1, 2)
      SELECT ended.ticket_id, ended.action, ended.n - coalesce(logged.n, 0) FROM ended LEFT JOIN logged USING (ticket_id, action)
      WHERE ended.n > coalesce(logged.n, 0) ORDER BY ended.ticket_id, ended.action`).raw(true).all() as [number, string, number][]

/** The newest `n` ended visits of a step in a ticket's runs, newest first (prepared once). */
export function newestEndedVisits(db: Database): (ticketId: number, stepId: string, n: number) => [id: number, runId: number, state: string][] {
  const st = db.prepare(`SELECT s.id, s.run_id, s.state FROM workflow_steps s JOIN workflow_runs r ON r.id = s.run_id
        WHERE r.ticket_id = ? AND s.step_id = ? AND s.state IN ('done', 'skipped', 'failed') ORDER BY s.id DESC LIMIT ?`).raw(true)
  return (ticketId, stepId, n) => st.all(ticketId, stepId, n) as [number, number, string][]
}

/** Tickets (null: none) with more device backups than ok 'devices.backup' entries, and how many entries they have. */
export const ticketsShortOfBackupEntries = (db: Database): [ticketId: number | null, logged: number][] =>
  db.prepare(`WITH backups AS (SELECT ticket_id, count(*) AS n FROM device_backups GROUP BY ticket_id),
        logged AS (SELECT ticket_id, count(*) AS n FROM audit_log WHERE action = 'devices.backup' AND outcome = 'ok' GROUP BY ticket_id)
      SELECT backups.ticket_id, coalesce(logged.n, 0) FROM backups LEFT JOIN logged ON logged.ticket_id IS backups.ticket_id
      WHERE backups.n > coalesce(logged.n, 0)`).raw(true).all() as [number | null, number][]

/** A ticket's backup ids past the first `offset` (prepared once, called per ticket). */
export function backupsAfter(db: Database): (ticketId: number | null, offset: number) => number[] {
  const st = db.prepare('SELECT id FROM device_backups WHERE ticket_id IS ? ORDER BY id LIMIT -1 OFFSET ?').pluck()
  return (ticketId, offset) => st.all(ticketId, offset) as number[]
}

/** Ok 'devices.backup' entries whose backup (named in the detail, "Backup #<id>:") is gone, first `limit`. */
export const backupEntriesWithoutRow = (db: Database, limit: number): [seq: number, backupId: number][] =>
  db.prepare(`SELECT a.seq, CAST(substr(a.detail, 9, instr(a.detail, ':') - 9) AS INTEGER) AS id FROM audit_log a
        WHERE a.action = 'devices.backup' AND a.outcome = 'ok' AND a.detail LIKE 'Backup #%:%'
          AND NOT EXISTS (SELECT 1 FROM device_backups b WHERE b.id = CAST(substr(a.detail, 9, instr(a.detail, ':') - 9) AS INTEGER))
        ORDER BY a.seq LIMIT ${limit}`).raw(true).all() as [number, number][]

/** 'devices.loginRejected' entries whose rejection record (inputs.rejectionId) is gone, first `limit`. */
export const rejectionEntriesWithoutRow = (db: Database, limit: number): [seq: number, rejectionId: number][] =>
  db.prepare(`SELECT a.seq, json_extract(a.inputs, '$.rejectionId') FROM audit_log a
        WHERE a.action = 'devices.loginRejected'
          AND NOT EXISTS (SELECT 1 FROM device_rejected_logins r WHERE r.id = json_extract(a.inputs, '$.rejectionId'))
        ORDER BY a.seq LIMIT ${limit}`).raw(true).all() as [number, number][]

/** Reset codes without their 'nvrReset.code.issued' entry, first `limit` by id. */
export const resetCodesWithoutEntry = (db: Database, limit: number): [id: number, ticketId: number][] =>
  db.prepare(`SELECT c.id, c.ticket_id FROM nvr_reset_codes c
        WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.ticket_id = c.ticket_id AND a.action = 'nvrReset.code.issued' AND json_extract(a.inputs, '$.codeId') = c.id)
        ORDER BY c.id LIMIT ${limit}`).raw(true).all() as [number, number][]
