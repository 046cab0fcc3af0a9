import type { App } from '../app'
import type { HandlerMap } from './types'

export function ticketHandlers(app: App): HandlerMap<'tickets.create' | 'tickets.list' | 'tickets.get' | 'tickets.update' | 'tickets.setStatus' | 'tickets.counts'> {
  const changed = (id: number) => app.bus.emit('tickets.changed', { id })
  return {
    'tickets.create': async (t) => {
      const ticket = await app.tickets.create(t)
      await app.audit({ action: 'ticket.create', outcome: 'ok', ticketId: ticket.id, inputs: { externalRef: t.externalRef, procedure: t.procedure, deviceSerial: t.deviceSerial } })
      changed(ticket.id)
      return ticket
    },
    'tickets.list': (q) => app.tickets.list(q),
    'tickets.get': ({ id }) => app.tickets.get(id),
    'tickets.update': async ({ id, patch }) => {
      const ticket = await app.tickets.update(id, patch)
      await app.audit({ action: 'ticket.update', outcome: 'ok', ticketId: id, inputs: { fields: Object.keys(patch) } })
      changed(id)
      return ticket
    },
    'tickets.setStatus': async ({ id, status }) => {
      const before = await app.tickets.get(id)
      const ticket = await app.tickets.setStatus(id, status)
      await app.audit({ action: 'ticket.status', outcome: 'ok', ticketId: id, inputs: { from: before.status, to: status } })
      changed(id)
      return ticket
    },
    'tickets.counts': () => app.tickets.counts(),
  }
}
