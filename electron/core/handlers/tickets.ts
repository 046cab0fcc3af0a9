import type { App } from '../app'
import { syncResetRun } from '../../nvr-reset/run-sync'
import type { HandlerMap } from './types'

export function ticketHandlers(app: App): HandlerMap<'tickets.create' | 'tickets.list' | 'tickets.get' | 'tickets.update' | 'tickets.setStatus' | 'tickets.counts'> {
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
      const ticket = await app.record(
        () => app.tickets.updateSync(id, patch),
        () => ({ action: 'ticket.update', outcome: 'ok', ticketId: id, inputs: { fields: Object.keys(patch) } }),
      )
      if (patch.procedure !== undefined) await syncResetRun(app, id)
      changed(id)
      return patch.procedure !== undefined ? app.tickets.get(id) : ticket
    },
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
    'tickets.counts': () => app.tickets.counts(),
  }
}
