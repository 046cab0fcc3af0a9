import type { App } from '../app'
import { syncResetRun } from '../../nvr-reset/run-sync'
import type { HandlerMap } from './types'

/** Fields whose values are personal data: named in the audit trail, never written into it. */
const PERSONAL = new Set(['customerName', 'contact', 'notes'])

export function ticketHandlers(app: App): HandlerMap<'tickets.create' | 'tickets.list' | 'tickets.get' | 'tickets.update' | 'tickets.edits' | 'tickets.setStatus' | 'tickets.setCustomerLang' | 'tickets.counts'> {
  const changed = (id: number) => app.bus.emit('tickets.changed', { id })
  return {
    'tickets.create': async (t) => {
      const ticket = await app.record(
        () => app.tickets.createSync(t),
        (tk) => ({ action: 'ticket.create', outcome: 'ok', ticketId: tk.id, inputs: { externalRef: t.externalRef, procedure: t.procedure, deviceSerial: t.deviceSerial } }),
      )
      // An NVR reset ticket gets its run at once, waiting for the customer's photo.
      await syncResetRun(app, ticket.id)
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
          inputs: { fields: changes.map((c) => c.field), ...(open.length ? { changes: Object.fromEntries(open.map((c) => [c.field, { from: c.from, to: c.to }])) } : {}) },
        }, now)
        app.tickets.recordEditsSync(id, entry.seq, now, changes)
        return { ticket, changed: true }
      }).immediate()
      if (result.changed) {
        // A changed procedure starts, supersedes or ends the ticket's NVR reset run.
        if (patch.procedure !== undefined) await syncResetRun(app, id)
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
        () => ({ action: 'ticket.status', outcome: 'ok', ticketId: id, inputs: { from, to: status } }),
      )
      changed(id)
      return ticket
    },
    'tickets.setCustomerLang': async ({ id, lang }) => {
      // Choosing the language already set changes nothing and writes no entry.
      const current = app.tickets.getSync(id)
      if (current.customerLang === lang) return current
      let from: string | null = null
      const ticket = await app.record(
        () => {
          from = app.tickets.getSync(id).customerLang
          return app.tickets.setCustomerLangSync(id, lang)
        },
        () => ({ action: 'ticket.customerLang', outcome: 'ok', ticketId: id, inputs: { from, to: lang } }),
      )
      changed(id)
      return ticket
    },
    'tickets.counts': () => app.tickets.counts(),
  }
}
