import { cancelItem, connect, importTicket, linkView, openTickets, postReport, providers, queueStatus, reply, retryItem, setFollowStatus, takeAttachment, toOutboxItems, type Helpdesk } from './service'
import type { HandlerMap } from '../../infra/handler-types'

type M =
  | 'helpdesk.providers' | 'helpdesk.connect' | 'helpdesk.import' | 'helpdesk.openTickets' | 'helpdesk.link' | 'helpdesk.takeAttachment'
  | 'helpdesk.postReport' | 'helpdesk.reply' | 'helpdesk.followStatus' | 'helpdesk.outbox' | 'helpdesk.outboxRetry' | 'helpdesk.outboxCancel' | 'helpdesk.sync'

export function helpdeskHandlers(hd: Helpdesk): HandlerMap<M> {
  const deps = hd.deps
  // The outbox sends in the background for as long as the console runs.
  hd.outbox.start()
  // A console status change follows to the helpdesk where the agent allowed it.
  const off = deps.bus.subscribe((name, p) => {
    if (name === 'tickets.changed' && deps.db.open) void queueStatus(hd, (p as { id: number }).id).catch(() => undefined)
  })
  deps.onClose(off)
  return {
    'helpdesk.providers': async () => providers(hd),
    'helpdesk.connect': async (c) => (await connect(hd, c, { test: true })).info,
    'helpdesk.import': async ({ ref, ticketId, provider }) => importTicket(hd, ref, { ticketId, provider }),
    'helpdesk.openTickets': async ({ provider, limit }) => openTickets(hd, { provider, limit }),
    'helpdesk.link': async ({ ticketId }) => {
      await deps.tickets.get(ticketId)
      return linkView(hd, ticketId)
    },
    'helpdesk.takeAttachment': async ({ ticketId, remoteId }) => {
      const intake = await takeAttachment(hd, ticketId, remoteId)
      return { link: (await linkView(hd, ticketId))!, intake }
    },
    'helpdesk.postReport': async ({ ticketId }) => postReport(hd, ticketId),
    'helpdesk.reply': async ({ ticketId, text }) => reply(hd, ticketId, text),
    'helpdesk.followStatus': async ({ ticketId, follow }) => setFollowStatus(hd, ticketId, follow),
    'helpdesk.outbox': async ({ ticketId }) => toOutboxItems(hd, await hd.repo.outbox(ticketId)),
    'helpdesk.outboxRetry': async ({ id }) => retryItem(hd, id),
    'helpdesk.outboxCancel': async ({ id }) => cancelItem(hd, id),
    'helpdesk.sync': async () => hd.outbox.drain(0),
  }
}
