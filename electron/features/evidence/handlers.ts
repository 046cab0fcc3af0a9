import type { EvidenceVault } from './vault'
import { purgeExpired, scheduleRetention, type RetentionDeps } from './retention'
import type { CommonRepos } from '../../infra/ports'
import type { HandlerMap } from '../../infra/handler-types'

type M = 'evidence.add' | 'evidence.list' | 'evidence.get' | 'evidence.delete' | 'evidence.purgeExpired'

/** The console's vault and retention run, built by the composition root (electron/core/api.ts). */
export type EvidenceHandlerDeps = Pick<CommonRepos, 'tickets'> & { readonly vault: EvidenceVault; readonly retention: RetentionDeps }

export function evidenceHandlers(deps: EvidenceHandlerDeps): HandlerMap<M> {
  const { vault, retention } = deps
  // The retention purge runs at start and hourly for as long as this app lives.
  scheduleRetention(retention)
  return {
    'evidence.add': async ({ ticketId, kind, name, note, dataBase64 }) =>
      await vault.toItem(await vault.add({ ticketId, kind, name, note, source: 'upload', data: Buffer.from(dataBase64, 'base64') })),
    'evidence.list': async ({ ticketId }) => {
      await deps.tickets.get(ticketId)
      return { items: await Promise.all((await vault.listForTicket(ticketId)).map((m) => vault.toItem(m))) }
    },
    'evidence.get': async ({ id }) => {
      const m = await vault.find(id)
      const content = await vault.content(id)
      return { item: await vault.toItem(m), dataBase64: content ? content.toString('base64') : null }
    },
    'evidence.delete': async ({ id, reason }) => await vault.toItem(await vault.delete(id, reason)),
    'evidence.purgeExpired': async () => ({ purged: await purgeExpired(retention) }),
  }
}
