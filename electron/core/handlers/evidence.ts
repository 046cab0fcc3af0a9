import { addEvidence, deleteEvidence, findEvidence, toItem, vault } from '../../evidence/vault'
import { purgeExpired, scheduleRetention } from '../../evidence/retention'
// Registers the NVR reset's photo-data purge with the retention run above (its own rows).
import '../../nvr-reset/retention'
import type { App } from '../app'
import type { HandlerMap } from './types'

type M = 'evidence.add' | 'evidence.list' | 'evidence.get' | 'evidence.delete' | 'evidence.purgeExpired'

export function evidenceHandlers(app: App): HandlerMap<M> {
  // The retention purge runs at start and hourly for as long as this app lives.
  scheduleRetention(app)
  return {
    'evidence.add': async ({ ticketId, kind, name, note, dataBase64 }) =>
      toItem(app, await addEvidence(app, { ticketId, kind, name, note, source: 'upload', data: Buffer.from(dataBase64, 'base64') })),
    'evidence.list': async ({ ticketId }) => {
      await app.tickets.get(ticketId)
      return { items: vault(app).listForTicket(ticketId).map((m) => toItem(app, m)) }
    },
    'evidence.get': async ({ id }) => {
      const m = findEvidence(app, id)
      const content = vault(app).content(id)
      return { item: toItem(app, m), dataBase64: content ? content.toString('base64') : null }
    },
    'evidence.delete': async ({ id, reason }) => toItem(app, await deleteEvidence(app, id, reason)),
    'evidence.purgeExpired': async () => ({ purged: await purgeExpired(app) }),
  }
}
