// The helpdesk as the system of record (issue 14): a console ticket linked to a ticket in
// Request Tracker or Zendesk, the customer's attachments pulled into the Option 2 intake,
// and notes/replies sent back through a persistent outbox. Tokens never cross this contract
// in a result: only whether one is stored.
import { z } from 'zod'
import { defineEvents, defineMethods, Empty, Id } from './common'
import { ResetIntakeResult } from './nvr-reset'
import { Ticket } from './tickets'

export const HelpdeskProviderId = z.enum(['rt', 'zendesk'])
export type HelpdeskProviderId = z.infer<typeof HelpdeskProviderId>

export const HelpdeskProviderInfo = z.object({
  id: HelpdeskProviderId,
  url: z.string(),
  user: z.string(),
  tokenSet: z.boolean(),
  updatedAt: z.string(),
})
export type HelpdeskProviderInfo = z.infer<typeof HelpdeskProviderInfo>

export const HelpdeskAttachment = z.object({
  /** The helpdesk's own attachment id (RT attachment, Zendesk attachment): the provenance kept in the evidence. */
  remoteId: z.string(),
  fileName: z.string(),
  mime: z.string(),
  size: z.number().int(),
  /** Set once it went into the console (evidence vault / Option 2 intake). */
  evidenceId: z.number().int().nullable(),
  takenAt: z.string().nullable(),
})
export type HelpdeskAttachment = z.infer<typeof HelpdeskAttachment>

export const OutboxStatus = z.enum(['pending', 'sending', 'sent', 'failed', 'cancelled'])
export const OutboxKind = z.enum(['note', 'reply', 'status'])
export const OutboxItem = z.object({
  id: Id,
  ticketId: Id,
  provider: HelpdeskProviderId,
  remoteTicketId: z.string(),
  kind: OutboxKind,
  status: OutboxStatus,
  /** The idempotency key: also written into what is sent, so an uncertain send is looked up before a retry. */
  key: z.string(),
  summary: z.string(),
  files: z.array(z.object({ name: z.string(), mime: z.string(), size: z.number().int(), sha256: z.string() })),
  attempts: z.number().int(),
  nextAt: z.string().nullable(),
  /** Why it is still pending or failed, for the agent. */
  lastError: z.string().nullable(),
  remoteRef: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
})
export type OutboxItem = z.infer<typeof OutboxItem>

export const HelpdeskLink = z.object({
  ticketId: Id,
  provider: HelpdeskProviderId,
  remoteId: z.string(),
  /** The helpdesk's page of the ticket, built from the configured base URL (never from a server-sent URL). */
  webUrl: z.string(),
  subject: z.string(),
  requester: z.object({ name: z.string(), email: z.string(), phone: z.string(), organization: z.string() }),
  linkedAt: z.string(),
  /** The agent allowed the helpdesk status to follow the console's (waiting on customer, solved). */
  followStatus: z.boolean(),
  attachments: z.array(HelpdeskAttachment),
  outbox: z.array(OutboxItem),
})
export type HelpdeskLink = z.infer<typeof HelpdeskLink>

/** A row of the pick list in the import/link dialog. */
export const HelpdeskOpenTicket = z.object({
  provider: HelpdeskProviderId,
  remoteId: z.string(),
  subject: z.string(),
  requesterName: z.string(),
  /** The helpdesk's own status word (RT new/open/stalled, Zendesk new/open/pending/hold). */
  status: z.string(),
  updatedAt: z.string(),
  webUrl: z.string(),
  /** The console ticket it is already linked to (picking it again would be refused), else null. */
  linkedTicketId: Id.nullable(),
})
export type HelpdeskOpenTicket = z.infer<typeof HelpdeskOpenTicket>

const Ref = z.string().trim().min(1, 'Paste a helpdesk ticket URL or number').max(500)

export const helpdeskMethods = defineMethods({
  'helpdesk.providers': { input: Empty, output: z.array(HelpdeskProviderInfo), summary: 'Helpdesks configured on this console (tokens are never returned)' },
  'helpdesk.connect': {
    input: z
      .object({ provider: HelpdeskProviderId, url: z.string().trim().url().max(500), user: z.string().trim().max(200).default(''), token: z.string().min(1).max(4000) })
      .strict(),
    output: HelpdeskProviderInfo,
    summary: 'Store a helpdesk (the token is sealed) and check that it answers',
  },
  'helpdesk.import': {
    input: z.object({ ref: Ref, ticketId: Id.optional(), provider: HelpdeskProviderId.optional() }).strict(),
    output: z.object({ ticket: Ticket, link: HelpdeskLink, intake: z.array(ResetIntakeResult) }),
    summary: 'Import a helpdesk ticket (URL or number) as a console ticket, or link it to an existing one',
  },
  'helpdesk.openTickets': {
    input: z.object({ provider: HelpdeskProviderId.optional(), limit: z.number().int().min(1).max(100).default(50) }).strict(),
    output: z.object({
      tickets: z.array(HelpdeskOpenTicket),
      /** A helpdesk that did not answer does not hide the others' tickets: its reason is here. */
      errors: z.array(z.object({ provider: HelpdeskProviderId, message: z.string() })),
    }),
    summary: 'The agent\'s open helpdesk tickets (theirs or unassigned), newest update first, to pick one to import or link',
  },
  'helpdesk.link': { input: z.object({ ticketId: Id }).strict(), output: HelpdeskLink.nullable(), summary: 'The helpdesk ticket linked to a console ticket' },
  'helpdesk.takeAttachment': {
    input: z.object({ ticketId: Id, remoteId: z.string().min(1).max(64) }).strict(),
    output: z.object({ link: HelpdeskLink, intake: z.array(ResetIntakeResult) }),
    summary: 'Send a helpdesk attachment to the Option 2 intake (provenance kept)',
  },
  'helpdesk.postReport': {
    input: z.object({ ticketId: Id }).strict(),
    output: OutboxItem,
    summary: 'Queue an internal note with the PDF report, the JSON bundle and the audit chain head',
  },
  'helpdesk.reply': {
    input: z.object({ ticketId: Id, text: z.string().trim().min(1).max(20_000), confirmed: z.literal(true, { message: 'Preview the reply and confirm it first' }) }).strict(),
    output: OutboxItem,
    summary: 'Queue a public reply to the customer (after the agent confirmed the preview)',
  },
  'helpdesk.followStatus': {
    input: z.object({ ticketId: Id, follow: z.boolean() }).strict(),
    output: HelpdeskLink,
    summary: 'Let the helpdesk ticket\'s status follow the console ticket (waiting on customer, solved), or stop it',
  },
  'helpdesk.outbox': { input: z.object({ ticketId: Id.optional() }).strict(), output: z.array(OutboxItem), summary: 'What waits to be sent, and why' },
  'helpdesk.outboxRetry': { input: z.object({ id: Id }).strict(), output: OutboxItem, summary: 'Send an outbox item again now (audited)' },
  'helpdesk.outboxCancel': { input: z.object({ id: Id }).strict(), output: OutboxItem, summary: 'Cancel an outbox item that was not sent (audited)' },
  'helpdesk.sync': {
    input: Empty,
    output: z.object({ sent: z.number().int(), pending: z.number().int(), failed: z.number().int() }),
    summary: 'Send the outbox now',
  },
})

export const helpdeskEvents = defineEvents({
  'helpdesk.changed': z.object({ ticketId: Id.nullable() }),
})
