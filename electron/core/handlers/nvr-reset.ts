import { applyOnDevice } from '../../nvr-reset/apply'
import { addApprover, listApprovers, removeApprover } from '../../nvr-reset/approvers'
import { approve, confirmByCustomer, invalidate, message, recordCheck, requestCode, revealCode, updateCase, adoptPayload } from '../../nvr-reset/case'
import { linkResetDevice, syncResetRun, syncUnfinishedResets } from '../../nvr-reset/run-sync'
import { addPhotos, decodeRegion, photoImage } from '../../nvr-reset/photos'
import { loadSettings, publicSettings, saveSettings } from '../../nvr-reset/settings'
import { buildView, resetRepo } from '../../nvr-reset/view'
import { AppError } from '../../../shared/contract/common'
import { shutdownDecoderPool } from '../../qr/index'
import type { App } from '../app'
import type { HandlerMap } from './types'

type M =
  | 'nvrReset.get' | 'nvrReset.addPhotos' | 'nvrReset.photoImage' | 'nvrReset.decodeRegion' | 'nvrReset.usePayload' | 'nvrReset.update'
  | 'nvrReset.invalidate' | 'nvrReset.recordCheck' | 'nvrReset.approve' | 'nvrReset.requestCode' | 'nvrReset.revealCode' | 'nvrReset.message'
  | 'nvrReset.apply' | 'nvrReset.settings.get' | 'nvrReset.settings.set'
  | 'nvrReset.confirmVerified' | 'nvrReset.approvers.list' | 'nvrReset.approvers.add' | 'nvrReset.approvers.remove'

export function nvrResetHandlers(app: App): HandlerMap<M> {
  // The decoder's worker threads would keep the process alive after the app closes.
  app.onClose(() => shutdownDecoderPool())
  // Every change: the ticket's run catches up first (its steps complete from this change), then
  // the reply carries the view, built once. No 'nvrReset.changed' for these (issue 11).
  const view = async (ticketId: number) => {
    await syncResetRun(app, ticketId)
    return buildView(app, ticketId)
  }
  // Resets left unfinished by an earlier version or process catch up once, shortly after
  // start-up (not in the way of the first requests a restarted console answers).
  const catchUp = setTimeout(() => {
    void syncUnfinishedResets(app).catch((e) => {
      if (app.db.open) console.error('nvr-reset: catching up unfinished resets failed:', e)
    })
  }, 1500)
  catchUp.unref()
  app.onClose(() => clearTimeout(catchUp))
  return {
    'nvrReset.get': ({ ticketId }) => buildView(app, ticketId),
    'nvrReset.addPhotos': async ({ ticketId, files }) => {
      const results = await addPhotos(app, ticketId, files.map((f) => ({ name: f.name, source: f.source, data: Buffer.from(f.dataBase64, 'base64') })))
      return { results, view: await view(ticketId) }
    },
    'nvrReset.photoImage': ({ photoId }) => photoImage(app, photoId),
    'nvrReset.decodeRegion': async ({ photoId, rect, rotate }) => {
      const r = await decodeRegion(app, photoId, rect, rotate)
      return { found: r.found, view: r.found ? await view(r.ticketId) : await buildView(app, r.ticketId) }
    },
    'nvrReset.usePayload': async ({ ticketId, photoId, text }) => {
      if (photoId !== null) {
        const p = await resetRepo(app).photo(photoId)
        if (!p || p.ticketId !== ticketId) throw new AppError('NOT_FOUND', `Photo #${photoId} is not on this ticket.`, { key: 'nvrReset.photoNotHere', values: { id: photoId } })
        await adoptPayload(app, ticketId, photoId, text, p.receivedAt)
      } else {
        await adoptPayload(app, ticketId, null, text, null)
      }
      return view(ticketId)
    },
    'nvrReset.update': async ({ ticketId, ...u }) => (await updateCase(app, ticketId, u), view(ticketId)),
    'nvrReset.invalidate': async ({ ticketId, reason }) => (await invalidate(app, ticketId, reason), view(ticketId)),
    'nvrReset.recordCheck': async ({ ticketId, kind, passed, note, file }) => {
      await recordCheck(app, ticketId, { kind, passed, note, file: file ? { name: file.name, data: Buffer.from(file.dataBase64, 'base64') } : undefined })
      return view(ticketId)
    },
    'nvrReset.approve': async ({ ticketId, approver, pin, note }) => (await approve(app, ticketId, approver, pin, note), view(ticketId)),
    'nvrReset.approvers.list': () => listApprovers(app),
    'nvrReset.approvers.add': (a) => addApprover(app, a),
    'nvrReset.approvers.remove': ({ email }) => removeApprover(app, email),
    'nvrReset.requestCode': async ({ ticketId, provider, code }) => (await requestCode(app, ticketId, provider, code), view(ticketId)),
    'nvrReset.revealCode': ({ codeId }) => revealCode(app, codeId),
    'nvrReset.message': async ({ ticketId, kind, lang, codeId }) => {
      const m = await message(app, ticketId, kind, lang, codeId)
      return { ...m, view: kind === 'code' ? await view(ticketId) : await buildView(app, ticketId) }
    },
    'nvrReset.confirmVerified': async ({ ticketId, note }) => (await confirmByCustomer(app, ticketId, note), view(ticketId)),
    'nvrReset.apply': async (i) => {
      const r = await applyOnDevice(app, i)
      await linkResetDevice(app, i.ticketId, i.address)
      return { ...r, view: await view(i.ticketId) }
    },
    'nvrReset.settings.get': async () => publicSettings(await loadSettings(app)),
    'nvrReset.settings.set': async (p) => publicSettings(await saveSettings(app, p)),
  }
}
