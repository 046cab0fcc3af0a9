import { applyOnDevice, type ApplyDeps } from './apply'
import { addApprover, listApprovers, removeApprover } from './approvers'
import { approve, confirmByCustomer, invalidate, message, recordCheck, requestCode, revealCode, updateCase, adoptPayload } from './case'
import { linkResetDevice, syncResetRun, syncUnfinishedResets, type ResetDevices, type RunSyncDeps } from './run-sync'
import { addPhotos, cancelIntake, decodeRegion, photoImage } from './photos'
import { loadSettings, publicSettings, saveSettings } from './settings'
import { buildView } from './view'
import type { ResetDeps } from './deps'
import { AppError } from '../../../shared/contract/common'
import { shutdownDecoderPool } from './qr/index'
import type { Lifecycle } from '../../infra/ports'
import type { HandlerMap } from '../../infra/handler-types'

type M =
  | 'nvrReset.get' | 'nvrReset.addPhotos' | 'nvrReset.cancelIntake' | 'nvrReset.photoImage' | 'nvrReset.decodeRegion' | 'nvrReset.usePayload' | 'nvrReset.update'
  | 'nvrReset.invalidate' | 'nvrReset.recordCheck' | 'nvrReset.approve' | 'nvrReset.requestCode' | 'nvrReset.revealCode' | 'nvrReset.message'
  | 'nvrReset.apply' | 'nvrReset.settings.get' | 'nvrReset.settings.set'
  | 'nvrReset.confirmVerified' | 'nvrReset.approvers.list' | 'nvrReset.approvers.add' | 'nvrReset.approvers.remove'

/** The reset's dependencies (nvr-reset/deps.ts) with the run engine, the device inventory and login memory, and the close hook: built by the root. */
export type NvrResetHandlerDeps = ResetDeps & RunSyncDeps & ApplyDeps & Lifecycle & { readonly devices: ResetDevices }

export function nvrResetHandlers(deps: NvrResetHandlerDeps): HandlerMap<M> {
  // The decoder's worker threads would keep the process alive after the deps closes.
  deps.onClose(() => shutdownDecoderPool())
  // Every change: the ticket's run catches up first (its steps complete from this change), then
  // the reply carries the view, built once. No 'nvrReset.changed' for these (issue 11).
  const view = async (ticketId: number) => {
    await syncResetRun(deps, ticketId)
    return buildView(deps, ticketId)
  }
  // Resets left unfinished by an earlier version or process catch up once, shortly after
  // start-up (not in the way of the first requests a restarted console answers).
  const catchUp = setTimeout(() => {
    void syncUnfinishedResets(deps).catch((e) => {
      if (deps.db.open) console.error('nvr-reset: catching up unfinished resets failed:', e)
    })
  }, 1500)
  catchUp.unref()
  deps.onClose(() => clearTimeout(catchUp))
  return {
    'nvrReset.get': ({ ticketId }) => buildView(deps, ticketId),
    'nvrReset.addPhotos': async ({ ticketId, files }) => {
      const results = await addPhotos(deps, ticketId, files.map((f) => ({ name: f.name, source: f.source, data: Buffer.from(f.dataBase64, 'base64') })))
      return { results, view: await view(ticketId) }
    },
    'nvrReset.cancelIntake': async ({ ticketId }) => ({ cancelled: cancelIntake(deps, ticketId) }),
    'nvrReset.photoImage': ({ photoId }) => photoImage(deps, photoId),
    'nvrReset.decodeRegion': async ({ photoId, rect, rotate }) => {
      const r = await decodeRegion(deps, photoId, rect, rotate)
      return { found: r.found, view: r.found ? await view(r.ticketId) : await buildView(deps, r.ticketId) }
    },
    'nvrReset.usePayload': async ({ ticketId, photoId, text }) => {
      if (photoId !== null) {
        const p = await deps.repo.photo(photoId)
        if (!p || p.ticketId !== ticketId) throw new AppError('NOT_FOUND', `Photo #${photoId} is not on this ticket.`, { key: 'nvrReset.photoNotHere', values: { id: photoId } })
        await adoptPayload(deps, ticketId, photoId, text, p.receivedAt)
      } else {
        await adoptPayload(deps, ticketId, null, text, null)
      }
      return view(ticketId)
    },
    'nvrReset.update': async ({ ticketId, ...u }) => (await updateCase(deps, ticketId, u), view(ticketId)),
    'nvrReset.invalidate': async ({ ticketId, reason }) => (await invalidate(deps, ticketId, reason), view(ticketId)),
    'nvrReset.recordCheck': async ({ ticketId, kind, passed, note, file }) => {
      await recordCheck(deps, ticketId, { kind, passed, note, file: file ? { name: file.name, data: Buffer.from(file.dataBase64, 'base64') } : undefined })
      return view(ticketId)
    },
    'nvrReset.approve': async ({ ticketId, approver, pin, note }) => (await approve(deps, ticketId, approver, pin, note), view(ticketId)),
    'nvrReset.approvers.list': () => listApprovers(deps),
    'nvrReset.approvers.add': (a) => addApprover(deps, a),
    'nvrReset.approvers.remove': ({ email }) => removeApprover(deps, email),
    'nvrReset.requestCode': async ({ ticketId, provider, code }) => (await requestCode(deps, ticketId, provider, code), view(ticketId)),
    'nvrReset.revealCode': ({ codeId }) => revealCode(deps, codeId),
    'nvrReset.message': async ({ ticketId, kind, lang, codeId }) => {
      const m = await message(deps, ticketId, kind, lang, codeId)
      return { ...m, view: kind === 'code' ? await view(ticketId) : await buildView(deps, ticketId) }
    },
    'nvrReset.confirmVerified': async ({ ticketId, note }) => (await confirmByCustomer(deps, ticketId, note), view(ticketId)),
    'nvrReset.apply': async (i) => {
      const r = await applyOnDevice(deps, i)
      await linkResetDevice(deps, i.ticketId, i.address)
      return { ...r, view: await view(i.ticketId) }
    },
    'nvrReset.settings.get': async () => publicSettings(await loadSettings(deps)),
    'nvrReset.settings.set': async (p) => publicSettings(await saveSettings(deps, p)),
  }
}
