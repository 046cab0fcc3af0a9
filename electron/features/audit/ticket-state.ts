// What an entry that creates or changes a ticket says about the ticket's values afterwards
// (issue 13): one short seal per field, an HMAC under the audit key of (ticket id, field,
// value). `audit verify` recomputes them from the row and names the fields edited outside the
// console (a SQL tool on the database file). Personal values (customer name, contact, notes)
// stay out of the trail: a seal cannot be turned back into the value, nor guessed without the
// key, which is not in the database. Every entry that changes a ticket row carries them
// (ticket.create, ticket.update, ticket.status, ticket.customerLang, helpdesk.link): see TICKET_CHANGES.
import { createHmac } from 'node:crypto'
import type { Ticket } from '../../../shared/contract/tickets'

export const TICKET_STATE_FIELDS = ['externalRef', 'customerName', 'contact', 'deviceSerial', 'deviceModel', 'procedure', 'notes', 'status'] as const
export type TicketStateField = (typeof TICKET_STATE_FIELDS)[number]
export type TicketValues = Pick<Ticket, 'id' | TicketStateField>

/** The actions whose entries write a ticket row; the last one of a ticket holds its values now. */
export const TICKET_CHANGES = ['ticket.create', 'ticket.update', 'ticket.status', 'ticket.customerLang', 'helpdesk.link'] as const

/** Field → seal (16 hex digits), for the entry's inputs as `ticketState`. */
export function ticketState(key: Buffer, t: TicketValues): Record<TicketStateField, string> {
  const seal = (f: TicketStateField) => createHmac('sha256', key).update(JSON.stringify(['support-console ticket value v1', t.id, f, t[f]])).digest('hex').slice(0, 16)
  return Object.fromEntries(TICKET_STATE_FIELDS.map((f) => [f, seal(f)])) as Record<TicketStateField, string>
}

/** The fields of `t` whose seals differ from `recorded` (a field missing there counts as differing). */
export function changedFields(key: Buffer, t: TicketValues, recorded: Record<string, unknown>): TicketStateField[] {
  const now = ticketState(key, t)
  return TICKET_STATE_FIELDS.filter((f) => recorded[f] !== now[f])
}
