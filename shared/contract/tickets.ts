import { z } from 'zod'
import { defineEvents, defineMethods, Empty, Id, identifierText, IsoTime } from './common'

export const TicketStatus = z.enum(['open', 'waiting', 'resolved', 'closed'])
export type TicketStatus = z.infer<typeof TicketStatus>

export const Procedure = z.enum(['nvr-password-reset', 'my2n-move', 'other'])
export type Procedure = z.infer<typeof Procedure>

const text = (max: number) => z.string().trim().max(max)

const ticketFields = {
  // Identifiers: no invisible or direction-changing characters (issue 13).
  externalRef: identifierText(64),
  customerName: text(200).min(1, 'Customer name is required'),
  contact: text(200),
  deviceSerial: identifierText(64),
  deviceModel: identifierText(64),
  procedure: Procedure,
  notes: text(20_000),
}

export const TicketInput = z
  .object({
    ...ticketFields,
    externalRef: ticketFields.externalRef.default(''),
    contact: ticketFields.contact.default(''),
    deviceSerial: ticketFields.deviceSerial.default(''),
    deviceModel: ticketFields.deviceModel.default(''),
    procedure: ticketFields.procedure.default('other'),
    notes: ticketFields.notes.default(''),
  })
  .strict()
/**
 * An edit names only the fields it changes. Built from the fields without their defaults:
 * zod keeps `.default()` inside `.partial()`, which would blank every field not sent.
 */
export const TicketPatch = z.object(ticketFields).partial().strict()
export type TicketInput = z.input<typeof TicketInput>

/** A language the console writes customer messages in. */
export const CustomerLang = z.enum(['en', 'cs', 'de'])
export type CustomerLang = z.infer<typeof CustomerLang>

export const Ticket = z.object({
  id: Id,
  externalRef: z.string(),
  customerName: z.string(),
  contact: z.string(),
  deviceSerial: z.string(),
  deviceModel: z.string(),
  procedure: Procedure,
  notes: z.string(),
  status: TicketStatus,
  /** The language of messages to this ticket's customer; null: not chosen (the console's default). */
  customerLang: CustomerLang.nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
})
export type Ticket = z.infer<typeof Ticket>

export const TicketListQuery = z
  .object({
    search: text(200).default(''),
    status: z.union([TicketStatus, z.literal('active'), z.literal('all')]).default('active'),
    limit: z.number().int().min(1).max(500).default(100),
    offset: z.number().int().min(0).max(10_000_000).default(0),
  })
  .strict()

export const TicketList = z.object({
  items: z.array(Ticket),
  total: z.number().int(),
  /** False when `total` is an estimate (very broad searches with a status filter). */
  totalExact: z.boolean(),
})

export const TicketField = z.enum(['externalRef', 'customerName', 'contact', 'deviceSerial', 'deviceModel', 'procedure', 'notes'])
export type TicketField = z.infer<typeof TicketField>
/** One field an edit changed, with its value before and after (the audit entry `auditSeq`). */
export const TicketEdit = z.object({ auditSeq: z.number().int(), at: IsoTime, field: TicketField, from: z.string(), to: z.string() })
export type TicketEdit = z.infer<typeof TicketEdit>

export const ticketMethods = defineMethods({
  'tickets.create': { input: TicketInput, output: Ticket, summary: 'Create a ticket' },
  'tickets.list': { input: TicketListQuery, output: TicketList, summary: 'List or full-text search tickets' },
  'tickets.get': { input: z.object({ id: Id }).strict(), output: Ticket, summary: 'Open one ticket' },
  'tickets.update': {
    input: z.object({ id: Id, patch: TicketPatch }).strict(),
    output: Ticket,
    summary: 'Edit the fields of a ticket',
  },
  'tickets.setStatus': {
    input: z.object({ id: Id, status: TicketStatus }).strict(),
    output: Ticket,
    summary: 'Change the status of a ticket',
  },
  'tickets.setCustomerLang': {
    input: z.object({ id: Id, lang: CustomerLang.nullable() }).strict(),
    output: Ticket,
    summary: 'Choose the language of the messages to the ticket\'s customer (null: the default)',
  },
  'tickets.edits': {
    input: z.object({ id: Id }).strict(),
    output: z.array(TicketEdit),
    summary: 'What each edit of a ticket changed, old and new values, newest first',
  },
  'tickets.counts': {
    input: Empty,
    output: z.record(TicketStatus, z.number().int()),
    summary: 'Number of tickets per status',
  },
})

export const ticketEvents = defineEvents({
  'tickets.changed': z.object({ id: Id }),
})
