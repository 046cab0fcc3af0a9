import { helpdeskRepo } from '../../helpdesk/repo'
import { cancelItem, connect, importTicket, linkView, openTickets, outboxWorker, postReport, providers, queueStatus, reply, retryItem, setFollowStatus, takeAttachment, toOutboxItem } from '../../helpdesk/service'
import type { App } from '../app'
import type { HandlerMap } from './types'

type M =
  | 'helpdesk.providers' | 'helpdesk.connect' | 'helpdesk.import' | 'helpdesk.openTickets' | 'helpdesk.link' | 'helpdesk.takeAttachment'
  | 'helpdesk.postReport' | 'helpdesk.reply' | 'helpdesk.followStatus' | 'helpdesk.outbox' | 'helpdesk.outboxRetry' | 'helpdesk.outboxCancel' | 'helpdesk.sync'

export function helpdeskHandlers(app: App): HandlerMap<M> {
  // The outbox sends in the background for as long as this app lives.
  outboxWorker(app).start()
  // A console status change follows to the helpdesk where the agent allowed it.
  const off = app.bus.subscribe((name, p) => {
    if (name === 'tickets.changed' && app.db.open) void queueStatus(app, (p as { id: number }).id).catch(() => undefined)
  })
  app.onClose(off)
  return {
    'helpdesk.providers': async () => providers(app),
    'helpdesk.connect': async (c) => (await connect(app, c, { test: true })).info,
    'helpdesk.import': async ({ ref, ticketId, provider }) => importTicket(app, ref, { ticketId, provider }),
    'helpdesk.openTickets': async ({ provider, limit }) => openTickets(app, { provider, limit }),
    'helpdesk.link': async ({ ticketId }) => {
      await app.tickets.get(ticketId)
      return linkView(app, ticketId)
    },
    'helpdesk.takeAttachment': async ({ ticketId, remoteId }) => {
      const intake = await takeAttachment(app, ticketId, remoteId)
      return { link: linkView(app, ticketId)!, intake }
    },
    'helpdesk.postReport': async ({ ticketId }) => postReport(app, ticketId),
    'helpdesk.reply': async ({ ticketId, text }) => reply(app, ticketId, text),
    'helpdesk.followStatus': async ({ ticketId, follow }) => setFollowStatus(app, ticketId, follow),
    'helpdesk.outbox': async ({ ticketId }) => helpdeskRepo(app).outbox(ticketId).map((o) => toOutboxItem(app, o)),
    'helpdesk.outboxRetry': async ({ id }) => retryItem(app, id),
    'helpdesk.outboxCancel': async ({ id }) => cancelItem(app, id),
    'helpdesk.sync': async () => outboxWorker(app).drain(0),
  }
}
