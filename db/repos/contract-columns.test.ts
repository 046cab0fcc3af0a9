// The database matches the contract (issue 11): the repos' row types are derived from the
// contract's schemas (db/row-of.ts), so each schema's keys, in snake_case, must be columns of
// the table its rows are stored in, on a database migrated from scratch. A migration that
// renames or drops such a column, or a contract field added without one, fails here; a field
// that is not stored, or stored under another name, is declared below with the reason.
import type { Database } from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { AuditItem } from '../../shared/contract/audit'
import { Backup, Device, DeviceAuditEntry } from '../../shared/contract/devices'
import { EvidenceItem } from '../../shared/contract/evidence'
import { HelpdeskAttachment, HelpdeskLink, HelpdeskProviderInfo, OutboxItem } from '../../shared/contract/helpdesk'
import { ResetCase, ResetCheck, ResetCode, ResetPhoto } from '../../shared/contract/nvr-reset'
import { Ticket, TicketEdit } from '../../shared/contract/tickets'
import { TimelineEntry, WorkflowFile, WorkflowNote, WorkflowRun } from '../../shared/contract/workflows'
import { snake } from '../row-of'
import { dbAt } from '../test/helpers'

interface Stored {
  /** The contract schema a repo derives its row type from. */
  schema: z.ZodObject<z.ZodRawShape>
  table: string
  /** Keys stored under another column than their snake_case name: key → that column (checked too). */
  renamed?: Record<string, string>
  /** Keys not stored in the table at all: key → why. */
  notStored?: Record<string, string>
}

const STORED: Stored[] = [
  { schema: Ticket, table: 'tickets' },
  { schema: TicketEdit, table: 'ticket_edits', renamed: { from: 'old_value', to: 'new_value' } },
  { schema: AuditItem, table: 'audit_log' },
  { schema: DeviceAuditEntry, table: 'audit_log' },
  {
    schema: EvidenceItem,
    table: 'evidence',
    notStored: { hasContent: 'read as content IS NOT NULL: the bytes are in the content column, which the listing does not load' },
  },
  {
    schema: Device,
    table: 'devices',
    notStored: {
      ticketIds: 'rows of device_tickets',
      hasCredentials: 'a row of device_credentials exists',
      credentialUser: 'device_credentials.username',
      pinnedFingerprint: 'device_tls_pins.fingerprint of the pin not replaced',
    },
  },
  { schema: Backup, table: 'device_backups' },
  { schema: ResetPhoto, table: 'nvr_reset_photos' },
  {
    schema: ResetCase,
    table: 'nvr_reset_cases',
    notStored: {
      formatLabel: 'worked out from format by the payload parser',
      fields: 'its keys are columns: checked as ResetCase.fields below',
      problems: 'worked out from the payload',
      validity: 'worked out from issued_at, the time zone and the settings',
      serialMatchesTicket: 'compares the serial column with the ticket',
      invalidatedMessage: 'the text for the invalidated column',
      inventoryAddress: 'looked up in the device inventory',
    },
  },
  { schema: ResetCase.shape.fields.unwrap(), table: 'nvr_reset_cases' },
  { schema: ResetCheck, table: 'nvr_reset_checks' },
  {
    schema: ResetCode,
    table: 'nvr_reset_codes',
    renamed: { hint: 'code_hint' },
    notStored: { forCurrentQr: 'compares the code’s nonce with the case’s' },
  },
  {
    schema: WorkflowRun,
    table: 'workflow_runs',
    notStored: {
      procedureTitle: 'from the procedure definition',
      pendingReveal: 'from the run’s sealed secrets and the reveal records',
      revealAgain: 'from the run’s sealed secrets and the reveal records',
      timeline: 'rows of workflow_steps',
      current: 'the current step’s definition with its row',
    },
  },
  {
    schema: TimelineEntry,
    table: 'workflow_steps',
    renamed: { row: 'id', running: 'phase' },
    notStored: {
      title: 'from the procedure definition',
      kind: 'from the procedure definition',
      outcomeLabel: 'the definition’s label of the outcome column',
      tone: 'the definition’s tone of the outcome column',
      notes: 'rows of workflow_notes',
      files: 'rows of workflow_files',
    },
  },
  { schema: WorkflowNote, table: 'workflow_notes' },
  { schema: WorkflowFile, table: 'workflow_files' },
  {
    schema: HelpdeskProviderInfo,
    table: 'helpdesk_providers',
    renamed: { url: 'base_url', user: 'username', tokenSet: 'secret_sealed' },
  },
  {
    schema: HelpdeskLink,
    table: 'helpdesk_links',
    notStored: {
      webUrl: 'built from the provider’s base URL and remote_id',
      attachments: 'rows of helpdesk_attachments',
      outbox: 'rows of helpdesk_outbox',
    },
  },
  { schema: HelpdeskAttachment, table: 'helpdesk_attachments' },
  {
    schema: OutboxItem,
    table: 'helpdesk_outbox',
    renamed: { key: 'idem_key' },
    notStored: { summary: 'the first line of body', files: 'rows of helpdesk_outbox_files' },
  },
  { schema: OutboxItem.shape.files.element, table: 'helpdesk_outbox_files', notStored: { size: 'length(content)' } },
]

/** The contract keys whose columns are missing, and the declared exceptions naming no key of the schema. */
function mismatches(db: Database, s: Stored): { missing: string[]; stale: string[] } {
  const columns = new Set(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(s.table) as string[])
  const keys = Object.keys(s.schema.shape)
  const renamed = s.renamed ?? {}
  const notStored = s.notStored ?? {}
  const missing = keys
    .filter((k) => !(k in notStored))
    .map((k) => renamed[k] ?? snake(k))
    .filter((c) => !columns.has(c))
  const stale = [...Object.keys(renamed), ...Object.keys(notStored)].filter((k) => !keys.includes(k))
  return { missing, stale }
}

describe('the database matches the contract', () => {
  const db = dbAt()
  afterAll(() => db.close())

  it.each(STORED.map((s) => [`${s.table} ← ${Object.keys(s.schema.shape).slice(0, 3).join(', ')}…`, s] as const))('%s: every stored contract field has its column', (_, s) => {
    expect(mismatches(db, s)).toEqual({ missing: [], stale: [] })
  })

  it('fails when a column is renamed or dropped, or the contract gains a stored field', () => {
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, ticket_id INTEGER, old_name TEXT)')
    const shape = { ...Ticket.pick({ id: true }).shape, ticketId: Ticket.shape.id, newName: Ticket.shape.notes }
    expect(mismatches(db, { schema: Ticket.pick({ id: true }).extend(shape), table: 't' }).missing).toEqual(['new_name'])
    expect(mismatches(db, { schema: Ticket.pick({ id: true }).extend(shape), table: 't', renamed: { newName: 'old_name' } }).missing).toEqual([])
    expect(mismatches(db, { schema: Ticket.pick({ id: true }), table: 't', notStored: { gone: 'was removed' } }).stale).toEqual(['gone'])
  })
})
