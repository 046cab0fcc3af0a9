import type { Ticket } from '../../../shared/contract/tickets'
import { ticketState } from '../../audit/ticket-state'
import type { App } from '../app'
import { syncResetRun } from '../../nvr-reset/run-sync'
import { resetRunDeps } from '../../workflows/service'
import type { HandlerMap } from './types'

/** Fields whose values are personal data: named in the audit trail, never written into it. */
const PERSONAL = new Set(['customerName', 'contact', 'notes'])

export function ticketHandlers(app: App): HandlerMap<'tickets.create' | 'tickets.list' | 'tickets.get' | 'tickets.update' | 'tickets.edits' | 'tickets.setStatus' | 'tickets.counts'> {
  const changed = (id: number) => app.bus.emit('tickets.changed', { id })
  // The values after the change, sealed field by field, so `audit verify` sees SQL edits (issue 13).
  const state = (t: Ticket) => ticketState(app.secrets.auditKey(), t)
  return {
    'tickets.create': async (t) => {
      const ticket = await app.record(
        () => app.tickets.createSync(t),
        (tk) => ({ action: 'ticket.create', outcome: 'ok', ticketId: tk.id, inputs: { externalRef: t.externalRef, procedure: t.procedure, deviceSerial: t.deviceSerial, ticketState: state(tk) } }),
      )
      // An NVR reset ticket gets its run at once, waiting for the customer's photo.
      await syncResetRun(resetRunDeps(app), ticket.id)
      changed(ticket.id)
      return app.tickets.get(ticket.id)
    },
    'tickets.list': (q) => app.tickets.list(q),
    'tickets.get': ({ id }) => app.tickets.get(id),
    'tickets.update': async ({ id, patch }) => {
      // The edit dialog sends every field: only those whose value changed are written and
      // audited, each with its old and new value. Personal values (customer, contact,
      // notes) stay out of the hash-chained trail, beside it in ticket_edits (migration 19).
      const agent = await app.agentLabel()
      const result = app.db.transaction(() => {
        const changes = app.tickets.changesSync(id, patch)
        if (changes.length === 0) return { ticket: app.tickets.getSync(id), changed: false }
        const now = new Date().toISOString()
        const ticket = app.tickets.updateSync(id, Object.fromEntries(changes.map((c) => [c.field, c.to])), now)
        const open = changes.filter((c) => !PERSONAL.has(c.field))
        const entry = app.auditLog.appendSync({
          agent, action: 'ticket.update', outcome: 'ok', ticketId: id,
          inputs: { fields: changes.map((c) => c.field), ...(open.length ? { changes: Object.fromEntries(open.map((c) => [c.field, { from: c.from, to: c.to }])) } : {}), ticketState: state(ticket) },
        }, now)
        app.tickets.recordEditsSync(id, entry.seq, now, changes)
        return { ticket, changed: true }
      }).immediate()
      if (result.changed) {
        // A changed procedure starts, supersedes or ends the ticket's NVR reset run.
        if (patch.procedure !== undefined) await syncResetRun(resetRunDeps(app), id)
        changed(id)
      }
      return result.changed && patch.procedure !== undefined ? app.tickets.get(id) : result.ticket
    },
    'tickets.edits': ({ id }) => app.tickets.get(id).then(() => app.tickets.edits(id)),
    'tickets.setStatus': async ({ id, status }) => {
      let from = ''
      const ticket = await app.record(
        () => {
          from = app.tickets.getSync(id).status
          return app.tickets.setStatusSync(id, status)
        },
        (tk) => ({ action: 'ticket.status', outcome: 'ok', ticketId: id, inputs: { from, to: status, ticketState: state(tk) } }),
      )
      changed(id)
      return ticket
    },
    'tickets.counts': () => app.tickets.counts(),
  }
}
