import type { Ticket } from '../../../shared/contract/tickets'
import { ticketState } from '../audit'
import type { CommonRepos, Events, Recording, Secrets, Store } from '../../infra/ports'
import type { HandlerMap } from '../../infra/handler-types'

/** Fields whose values are personal data: named in the audit trail, never written into it. */
const PERSONAL = new Set(['customerName', 'contact', 'notes'])

/** The tickets and the trail (an edit and its entry written together), events for the UI. */
export type TicketDeps = Store & Recording & Events & Secrets & Pick<CommonRepos, 'tickets' | 'auditLog'>
export interface TicketServices {
  /** Starts, supersedes or ends a ticket's NVR reset run (electron/features/nvr-reset/run-sync.ts). */
  syncResetRun: (ticketId: number) => Promise<void>
}

export function ticketHandlers(deps: TicketDeps, s: TicketServices): HandlerMap<'tickets.create' | 'tickets.list' | 'tickets.get' | 'tickets.update' | 'tickets.edits' | 'tickets.setStatus' | 'tickets.setCustomerLang' | 'tickets.counts'> {
  const changed = (id: number) => deps.bus.emit('tickets.changed', { id })
  // The values after the change, sealed field by field, so `audit verify` sees SQL edits (issue 13).
  const state = (t: Ticket) => ticketState(deps.secrets.auditKey(), t)
  return {
    'tickets.create': async (t) => {
      const ticket = await deps.record(
        () => deps.tickets.tx().create(t),
        (tk) => ({ action: 'ticket.create', outcome: 'ok', ticketId: tk.id, inputs: { externalRef: t.externalRef, procedure: t.procedure, deviceSerial: t.deviceSerial, ticketState: state(tk) } }),
      )
      // An NVR reset ticket gets its run at once, waiting for the customer's photo.
      await s.syncResetRun(ticket.id)
      changed(ticket.id)
      return deps.tickets.get(ticket.id)
    },
    'tickets.list': (q) => deps.tickets.list(q),
    'tickets.get': ({ id }) => deps.tickets.get(id),
    'tickets.update': async ({ id, patch }) => {
      // The edit dialog sends every field: only those whose value changed are written and
      // audited, each with its old and new value. Personal values (customer, contact,
      // notes) stay out of the hash-chained trail, beside it in ticket_edits (migration 19).
      const agent = await deps.agentLabel()
      const result = deps.db.transaction(() => {
        const changes = deps.tickets.tx().changes(id, patch)
        if (changes.length === 0) return { ticket: deps.tickets.tx().get(id), changed: false }
        const now = new Date().toISOString()
        const ticket = deps.tickets.tx().update(id, Object.fromEntries(changes.map((c) => [c.field, c.to])), now)
        const open = changes.filter((c) => !PERSONAL.has(c.field))
        const entry = deps.auditLog.tx().append({
          agent, action: 'ticket.update', outcome: 'ok', ticketId: id,
          inputs: { fields: changes.map((c) => c.field), ...(open.length ? { changes: Object.fromEntries(open.map((c) => [c.field, { from: c.from, to: c.to }])) } : {}), ticketState: state(ticket) },
        }, now)
        deps.tickets.tx().recordEdits(id, entry.seq, now, changes)
        return { ticket, changed: true }
      }).immediate()
      if (result.changed) {
        // A changed procedure starts, supersedes or ends the ticket's NVR reset run.
        if (patch.procedure !== undefined) await s.syncResetRun(id)
        changed(id)
      }
      return result.changed && patch.procedure !== undefined ? deps.tickets.get(id) : result.ticket
    },
    'tickets.edits': ({ id }) => deps.tickets.get(id).then(() => deps.tickets.edits(id)),
    'tickets.setStatus': async ({ id, status }) => {
      let from = ''
      const ticket = await deps.record(
        () => {
          from = deps.tickets.tx().get(id).status
          return deps.tickets.tx().setStatus(id, status)
        },
        (tk) => ({ action: 'ticket.status', outcome: 'ok', ticketId: id, inputs: { from, to: status, ticketState: state(tk) } }),
      )
      changed(id)
      return ticket
    },
    'tickets.setCustomerLang': async ({ id, lang }) => {
      // Choosing the language already set changes nothing and writes no entry.
      const current = await deps.tickets.get(id)
      if (current.customerLang === lang) return current
      let from: string | null = null
      const ticket = await deps.record(
        () => {
          from = deps.tickets.tx().get(id).customerLang
          return deps.tickets.tx().setCustomerLang(id, lang)
        },
        (tk) => ({ action: 'ticket.customerLang', outcome: 'ok', ticketId: id, inputs: { from, to: lang, ticketState: state(tk) } }),
      )
      changed(id)
      return ticket
    },
    'tickets.counts': () => deps.tickets.counts(),
  }
}
