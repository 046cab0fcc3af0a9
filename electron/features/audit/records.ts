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
import {
  backupEntriesWithoutRow, backupsAfter, countRecords, evidenceWithoutEntry, hasTable, newestEndedVisits, rejectionEntriesWithoutRow,
  resetCodesWithoutEntry, runsAfter, stepsShortOfEntries, ticketsShortOfBackupEntries, ticketsShortOfRunStarts, ticketsWithoutCreation,
} from '../../../db/repos/audit-records'

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

/** At most this many problems of each kind are listed (the first says what happened). */
const LIMIT = 50

export function checkRecords(db: Database): RecordsReport {
  return db.transaction(() => walk(db))()
}

function walk(db: Database): RecordsReport {
  const problems: Problem[] = []
  const byKind: Record<RecordKind, number> = { ticket: 0, evidence: 0, 'workflow-run': 0, 'workflow-step': 0, 'device-backup': 0, 'reset-code': 0, 'rejected-login': 0 }
  let knownMissingUpTo: number | null = null

  // Tickets: 'ticket.create' with the ticket's id (tickets.create handler, app.record).
  byKind.ticket += countRecords(db, 'tickets')
  for (const id of ticketsWithoutCreation(db, LIMIT)) {
    problems.push({ kind: 'ticket', id, message: `Ticket #${id} exists but the entry that created it (ticket.create) is missing.` })
  }

  // Evidence: each row names the entry written with it (audit_seq); a wrong entry is verifyEvidence's to report.
  if (hasTable(db, 'evidence')) {
    byKind.evidence += countRecords(db, 'evidence')
    const missing = evidenceWithoutEntry(db)
    for (const [id, seq] of missing.slice(0, LIMIT)) problems.push({ kind: 'evidence', id, message: `Evidence #${id} exists but entry ${seq}, which recorded its addition (evidence.add), is missing.` })
    for (const [, seq] of missing) knownMissingUpTo = Math.max(knownMissingUpTo ?? 0, seq)
  }

  if (hasTable(db, 'workflow_runs')) {
    // Runs: one 'workflow.start' per run of the ticket. The runs past the count are the ones without.
    byKind['workflow-run'] += countRecords(db, 'workflowRuns')
    const short = ticketsShortOfRunStarts(db)
    const runsOf = runsAfter(db)
    for (const [ticketId, started] of short) {
      for (const id of runsOf(ticketId, started)) {
        if (problems.filter((p) => p.kind === 'workflow-run').length >= LIMIT) break
        problems.push({ kind: 'workflow-run', id, message: `Workflow run #${id} of ticket #${ticketId} exists but the entry that started it (workflow.start) is missing.` })
      }
    }

    // Step visits that ended (done, skipped, failed): each with its 'workflow.step.<id>' entry, in the
    // same transaction as the visit's end. Other entries of the step (refusals, re-checks) only add to
    // the count, so this never flags an intact folder; the newest visits are named.
    byKind['workflow-step'] += countRecords(db, 'endedSteps')
    const shortSteps = stepsShortOfEntries(db)
    const newestVisits = newestEndedVisits(db)
    for (const [ticketId, action, n] of shortSteps) {
      const stepId = action.slice('workflow.step.'.length)
      for (const [id, runId, state] of newestVisits(ticketId, stepId, n).reverse()) {
        if (problems.filter((p) => p.kind === 'workflow-step').length >= LIMIT) break
        problems.push({ kind: 'workflow-step', id, message: `Step "${stepId}" of workflow run #${runId} (ticket #${ticketId}) is ${state} but the entry that recorded it (${action}) is missing.` })
      }
    }
  }

  // Device backups: one 'devices.backup' ok entry per backup of the ticket (stored with it, device-ops).
  if (hasTable(db, 'device_backups')) {
    byKind['device-backup'] += countRecords(db, 'deviceBackups')
    const short = ticketsShortOfBackupEntries(db)
    const backupsOf = backupsAfter(db)
    for (const [ticketId, logged] of short) {
      for (const id of backupsOf(ticketId, logged)) {
        if (problems.filter((p) => p.kind === 'device-backup').length >= LIMIT) break
        problems.push({ kind: 'device-backup', id, message: `Device backup #${id}${ticketId ? ` (ticket #${ticketId})` : ''} exists but the entry that recorded it (devices.backup) is missing.` })
      }
    }
  }

  // Backups and rejected logins named by their entries must still be there (issue 13): the
  // console never deletes either, so a missing one was deleted outside it (a deleted rejection
  // would let the console send a rejected password again).
  if (hasTable(db, 'device_backups')) {
    for (const [seq, id] of backupEntriesWithoutRow(db, LIMIT)) {
      problems.push({ kind: 'device-backup', id, message: `Device backup #${id}, recorded by entry ${seq} (devices.backup), is gone from the database: it was deleted outside the console.` })
    }
  }
  if (hasTable(db, 'device_rejected_logins')) {
    byKind['rejected-login'] += countRecords(db, 'rejectedLogins')
    for (const [seq, id] of rejectionEntriesWithoutRow(db, LIMIT)) {
      problems.push({ kind: 'rejected-login', id, message: `The record of a password the device rejected (#${id}, entry ${seq}) is gone from the database: it was deleted outside the console, which would let the console send that password again.` })
    }
  }

  // NVR reset codes: 'nvrReset.code.issued' names the code's id (electron/features/nvr-reset/case.ts, app.record).
  if (hasTable(db, 'nvr_reset_codes')) {
    byKind['reset-code'] += countRecords(db, 'resetCodes')
    for (const [id, ticketId] of resetCodesWithoutEntry(db, LIMIT)) {
      problems.push({ kind: 'reset-code', id, message: `Reset code #${id} of ticket #${ticketId} exists but the entry that recorded it (nvrReset.code.issued) is missing.` })
    }
  }

  const checked = Object.values(byKind).reduce((a, b) => a + b, 0)
  return { checked, byKind, problems, knownMissingUpTo }
}
