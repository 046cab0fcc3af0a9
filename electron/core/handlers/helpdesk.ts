import { helpdeskRepo } from '../../helpdesk/repo'
import { cancelItem, connect, importTicket, linkView, outboxWorker, postReport, providers, reply, retryItem, takeAttachment, toOutboxItem } from '../../helpdesk/service'
import type { App } from '../app'
import type { HandlerMap } from './types'

type M =
  | 'helpdesk.providers' | 'helpdesk.connect' | 'helpdesk.import' | 'helpdesk.link' | 'helpdesk.takeAttachment'
  | 'helpdesk.postReport' | 'helpdesk.reply' | 'helpdesk.outbox' | 'helpdesk.outboxRetry' | 'helpdesk.outboxCancel' | 'helpdesk.sync'

export function helpdeskHandlers(app: App): HandlerMap<M> {
  // The outbox sends in the background for as long as this app lives.
  outboxWorker(app).start()
  return {
    'helpdesk.providers': async () => providers(app),
    'helpdesk.connect': async (c) => (await connect(app, c, { test: true })).info,
    'helpdesk.import': async ({ ref, ticketId, provider }) => importTicket(app, ref, { ticketId, provider }),
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
    'helpdesk.outbox': async ({ ticketId }) => helpdeskRepo(app).outbox(ticketId).map((o) => toOutboxItem(app, o)),
    'helpdesk.outboxRetry': async ({ id }) => retryItem(app, id),
    'helpdesk.outboxCancel': async ({ id }) => cancelItem(app, id),
    'helpdesk.sync': async () => outboxWorker(app).drain(0),
  }
}
