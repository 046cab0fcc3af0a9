// Photo intake for the reset: the customer's pictures (dropped, picked, pasted, or inside an
// .eml) are checked by electron/photos (limits, damage, bombs), decoded in the worker pool,
// stored in the evidence vault (original bytes, SHA-256) with their times, and the first
// reset code among the codes found becomes the ticket's payload (choose-code.ts). The same photo twice is recognised by hash.
import { AppError } from '../../../shared/contract/common'
import { MAX_EVIDENCE_BYTES } from '../../../shared/contract/evidence'
import type { ResetIntakeResult } from '../../../shared/contract/nvr-reset'
import type { FoundCode, PhotoRow, PhotoSource } from '../../../db/repos/nvr-reset'
import type { CommonRepos, Logging, Recording } from '../../infra/ports'
import { inspectImage, megapixels, normalizeImage, parseEml, PIXEL_CAPS, PixelBudget, type PixelCaps } from './photos/index'
import { decodeInWorker } from './qr/index'
import type { RunningIntakes } from './intakes'
import { adoptPayload } from './case'
import { chooseResetCode } from './choose-code'
import type { ResetEvidence, ResetRows } from './deps'

/** Photos are evidence: the vault's per-file limit applies, with the photo module's messages. */
const LIMITS = { maxBytes: MAX_EVIDENCE_BYTES }

/** The intake checks the ticket, files the photo in the vault and writes its row, decode result and entry. */
export type PhotoDeps = Pick<Recording, 'audit' | 'record'> & Pick<CommonRepos, 'tickets' | 'settings'> & Logging & ResetRows & ResetEvidence & { readonly intakes: RunningIntakes }

const isEml = (name: string, data: Buffer) => /\.eml$/i.test(name) || /^(Received|Return-Path|From|MIME-Version|Message-ID|Date|Subject|To|Delivered-To):/i.test(data.subarray(0, 200).toString('latin1'))

export interface IntakeOptions {
  /** Stops the intake: the photo being decoded and those after it are reported as cancelled. */
  signal?: AbortSignal
  /** Pixel caps (pixel-budget.ts); tests lower them. */
  caps?: Partial<PixelCaps>
}

/** Stops every intake running for the ticket; returns how many were stopped. */
export function cancelIntake(deps: { intakes: RunningIntakes }, ticketId: number): number {
  return deps.intakes.cancel(ticketId)
}

export async function addPhotos(deps: PhotoDeps, ticketId: number, files: { name: string; source: PhotoSource; data: Buffer }[], o: IntakeOptions = {}): Promise<ResetIntakeResult[]> {
  await deps.tickets.get(ticketId)
  const caps = { ...PIXEL_CAPS, ...o.caps }
  const ctl = new AbortController()
  const onAbort = () => ctl.abort(o.signal?.reason)
  if (o.signal?.aborted) onAbort()
  o.signal?.addEventListener('abort', onAbort, { once: true })
  deps.intakes.add(ticketId, ctl)
  const call = new PixelBudget(caps.perCall, 'call')
  const limits = { ...LIMITS, maxPixels: caps.perImage }
  const out: ResetIntakeResult[] = []
  try {
    for (const f of files) {
      if (isEml(f.name, f.data)) {
        let parts
        try {
          parts = parseEml(f.data)
        } catch (e) {
          out.push({ name: f.name, status: 'refused', message: (e as Error).message, photoId: null })
          continue
        }
        if (parts.length === 0) out.push({ name: f.name, status: 'refused', message: 'The e-mail has no photo attachments. Ask the customer to attach the photo (not a link to it).', photoId: null })
        const eml = new PixelBudget(caps.perEml, 'eml')
        let i = 0
        for (const p of parts) out.push(await addOne(deps, ticketId, { name: `${f.name} › ${p.filename ?? `image ${++i}`}`, source: 'eml', data: p.bytes }, { budgets: [eml, call], limits, signal: ctl.signal }))
        continue
      }
      out.push(await addOne(deps, ticketId, f, { budgets: [call], limits, signal: ctl.signal }))
    }
  } finally {
    o.signal?.removeEventListener('abort', onAbort)
    deps.intakes.remove(ticketId, ctl)
  }
  if (ctl.signal.aborted) {
    const n = out.filter((r) => r.status === 'cancelled').length
    deps.log.info({ ticketId, cancelled: n, taken: out.length - n }, 'photo intake cancelled by the agent')
  }
  return out
}

const CANCELLED = { key: 'photos.cancelled', message: 'Not taken in: the agent cancelled the intake before this photo was decoded. Add it again if it is needed.' }

function skipped(f: { name: string }, b: PixelBudget, pixels: number): ResetIntakeResult {
  const values = { mp: megapixels(pixels), cap: megapixels(b.cap), left: megapixels(b.left) }
  const message =
    b.scope === 'eml'
      ? `Skipped, not decoded: this ${values.mp}-megapixel photo would take the e-mail past its ${values.cap} megapixels of photos (${values.left} left). Ask the customer for a normal phone photo of the screen, or send this photo on its own.`
      : `Skipped, not decoded: this ${values.mp}-megapixel photo would take this drop past its ${values.cap} megapixels of photos (${values.left} left). Add it again on its own, or ask the customer for a normal phone photo of the screen.`
  return { name: f.name, status: 'skipped', message, photoId: null, key: b.scope === 'eml' ? 'photos.emlPixelCap' : 'photos.callPixelCap', values }
}

interface OneOptions {
  budgets: PixelBudget[]
  limits: typeof LIMITS & { maxPixels: number }
  signal: AbortSignal
}

async function addOne(deps: PhotoDeps, ticketId: number, f: { name: string; source: PhotoSource; data: Buffer }, o: OneOptions): Promise<ResetIntakeResult> {
  const repo = deps.repo
  const receivedAt = new Date().toISOString()
  if (o.signal.aborted) return { name: f.name, status: 'cancelled', message: CANCELLED.message, photoId: null, key: CANCELLED.key }
  try {
    const info = await inspectImage(f.data, o.limits)
    const dup = await repo.photoBySha(ticketId, info.sha256)
    if (dup) {
      return { name: f.name, status: 'duplicate', message: `This is the same photo as “${dup.fileName}”, received ${dup.receivedAt.slice(0, 16).replace('T', ' ')} UTC; it was not stored again.`, photoId: dup.id }
    }
    // The header gave the size: a photo over what is left of a budget is never decoded.
    const pixels = info.width * info.height
    const over = o.budgets.find((b) => !b.fits(pixels))
    if (over) {
      const r = skipped(f, over, pixels)
      await deps.audit({ action: 'nvrReset.photo', outcome: 'refused', ticketId, inputs: { name: f.name, size: f.data.length, width: info.width, height: info.height, skipped: `${over.scope}-pixel-cap` }, detail: r.message })
      return r
    }
    for (const b of o.budgets) b.take(pixels)
    // Decoding also proves the file is whole: a truncated JPEG is refused here, before storing.
    let r
    try {
      r = await decodeInWorker(f.data, { limits: o.limits, signal: o.signal })
    } catch (e) {
      if (!o.signal.aborted) throw e
      await deps.audit({ action: 'nvrReset.photo', outcome: 'refused', ticketId, inputs: { name: f.name, size: f.data.length, cancelled: true }, detail: CANCELLED.message })
      return { name: f.name, status: 'cancelled', message: CANCELLED.message, photoId: null, key: CANCELLED.key }
    }
    const ev = await deps.vault.add({ ticketId, kind: 'qr-photo', source: `qr-intake:${f.source}`, name: f.name, data: f.data })
    const codes: FoundCode[] = r.codes.map((c) => ({ text: c.text, position: c.position, region: null }))
    let photo: PhotoRow
    try {
      // The row, its decode result and its entry: one transaction (all or nothing).
      photo = await deps.record(
        () => {
          const row = repo.tx().insertPhoto({
            ticketId, evidenceId: ev.id, sha256: info.sha256, size: info.size, mime: info.mime, width: info.width, height: info.height,
            fileName: f.name, source: f.source, receivedAt, capturedAt: info.capturedAt, capturedHasZone: info.capturedAtHasZone,
          })
          repo.tx().setDecode(row.id, { status: codes.length ? 'found' : 'none', ms: Math.round(r.ms), strategy: r.strategy, error: null, codes })
          return row
        },
        (row) => ({
          action: 'nvrReset.photo', outcome: 'ok', ticketId,
          inputs: { photoId: row.id, evidenceId: ev.id, sha256: info.sha256, size: info.size, width: info.width, height: info.height, capturedAt: info.capturedAt, source: f.source, codesFound: codes.length, decodeMs: Math.round(r.ms) },
        }),
      )
    } catch (e) {
      // The same photo added twice at the same moment (two drops): the first one wins.
      const first = /UNIQUE/.test(String((e as Error).message)) ? await repo.photoBySha(ticketId, info.sha256) : null
      if (!first) throw e
      return { name: f.name, status: 'duplicate', message: `This is the same photo as “${first.fileName}”; it was not stored again.`, photoId: first.id }
    }
    await adoptFirstReset(deps, ticketId, (await repo.photo(photo.id))!)
    // The same picture on another ticket: a duplicate request, or a photo that is not the requester's own.
    const elsewhere = await repo.ticketsWithPhoto(info.sha256, ticketId)
    const also = elsewhere.length ? ` The same photo is also on ticket${elsewhere.length > 1 ? 's' : ''} ${elsewhere.map((n) => `#${n}`).join(', ')}: check that both requests come from the owner.` : ''
    return { name: f.name, status: 'added', message: foundMessage(codes, r.ms) + also, photoId: photo.id }
  } catch (e) {
    if (e instanceof AppError && e.code === 'BAD_INPUT') {
      await deps.audit({ action: 'nvrReset.photo', outcome: 'refused', ticketId, inputs: { name: f.name, size: f.data.length }, detail: e.message })
      return { name: f.name, status: 'refused', message: e.message, photoId: null, ...(e.key ? { key: e.key } : {}), ...(e.values ? { values: e.values } : {}) }
    }
    throw e
  }
}

/** What the intake says about a photo's codes: how many, and which one is the reset code. */
export function foundMessage(codes: readonly { text: string }[], ms: number): string {
  if (!codes.length) return 'No QR code found in this photo. Select the code by hand below, or send the customer the photo tips.'
  const { chosen, kinds } = chooseResetCode(codes)
  if (codes.length === 1) return chosen === null ? `A QR code was found (${Math.round(ms)} ms), but it is not a reset code (a link or similar). Ask the customer for a photo of the Retrieve Password screen.` : `QR code found (${Math.round(ms)} ms).`
  const others = kinds.filter((_, i) => i !== chosen).length
  if (chosen === null) return `${codes.length} QR codes found (${Math.round(ms)} ms), none of them recognisably a reset code: none was used. Check the photo and choose the reset code below, or ask the customer for a photo of the Retrieve Password screen.`
  return `${codes.length} QR codes found (${Math.round(ms)} ms): the reset code was taken; ${others === 1 ? 'the other one is' : `the other ${others} are`} not a reset code and ${others === 1 ? 'was' : 'were'} not used.`
}

/** The photo's reset code (choose-code.ts) becomes the payload; a photo without one changes nothing. */
async function adoptFirstReset(deps: PhotoDeps, ticketId: number, p: PhotoRow): Promise<void> {
  const { chosen } = chooseResetCode(p.codes)
  if (chosen === null) return
  const best = p.codes[chosen]
  const cur = await deps.repo.getCase(ticketId)
  if (cur?.payload === best.text.trim()) return
  await adoptPayload(deps, ticketId, p.id, best.text, p.receivedAt)
}

/** sharp (libvips, a native library) is loaded at the first image, not when the console starts. */
const loadSharp = async () => (await import('sharp')).default

/** An upright JPEG preview; code positions refer to width x height. */
export async function photoImage(deps: PhotoDeps, photoId: number): Promise<{ dataUrl: string; width: number; height: number }> {
  const { bytes } = await photoBytes(deps, photoId)
  const n = await normalizeImage(bytes, LIMITS)
  const sharp = await loadSharp()
  const jpeg = await sharp(Buffer.from(n.data.buffer, n.data.byteOffset, n.data.byteLength), { raw: { width: n.width, height: n.height, channels: 4 } })
    .resize({ width: 1600, height: 1600, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 82 })
    .toBuffer()
  return { dataUrl: `data:image/jpeg;base64,${jpeg.toString('base64')}`, width: n.width, height: n.height }
}

async function photoBytes(deps: PhotoDeps, photoId: number): Promise<{ photo: PhotoRow; bytes: Buffer }> {
  const photo = await deps.repo.photo(photoId)
  if (!photo) throw new AppError('NOT_FOUND', `Photo #${photoId} does not exist.`, { hint: 'Reload the ticket.', key: 'nvrReset.noSuchPhoto', values: { id: photoId } })
  const bytes = await deps.vault.content(photo.evidenceId)
  if (!bytes) throw new AppError('NOT_FOUND', 'The photo was removed from the evidence vault (retention or deletion); only its hash remains.', { hint: 'Ask the customer for the photo again if it is still needed.', key: 'nvrReset.photoPurged' })
  return { photo, bytes }
}

/** Maps a point of the rotated crop back to the upright original. */
export function unmapPoint(u: number, v: number, rect: { x: number; y: number; w: number; h: number }, rotate: 0 | 90 | 180 | 270): [number, number] {
  const { w, h } = rect
  const [x, y] = rotate === 90 ? [v, h - u] : rotate === 180 ? [w - u, h - v] : rotate === 270 ? [w - v, u] : [u, v]
  return [Math.round((x + rect.x) * 10) / 10, Math.round((y + rect.y) * 10) / 10]
}

/** The crop/rotate assist: decode one region of the photo, turned by a multiple of 90°. */
export async function decodeRegion(deps: PhotoDeps, photoId: number, rect: { x: number; y: number; w: number; h: number }, rotate: 0 | 90 | 180 | 270): Promise<{ ticketId: number; found: boolean }> {
  const { photo, bytes } = await photoBytes(deps, photoId)
  const n = await normalizeImage(bytes, LIMITS)
  const r = { x: Math.min(rect.x, n.width - 8), y: Math.min(rect.y, n.height - 8), w: 0, h: 0 }
  r.w = Math.min(rect.w, n.width - r.x)
  r.h = Math.min(rect.h, n.height - r.y)
  const sharp = await loadSharp()
  const png = await sharp(Buffer.from(n.data.buffer, n.data.byteOffset, n.data.byteLength), { raw: { width: n.width, height: n.height, channels: 4 } })
    .extract({ left: r.x, top: r.y, width: r.w, height: r.h })
    .rotate(rotate)
    .png()
    .toBuffer()
  const res = await decodeInWorker(png, { limits: LIMITS })
  const found: FoundCode[] = res.codes.map((c) => ({ text: c.text, position: c.position.map(([u, v]) => unmapPoint(u, v, r, rotate)), region: { ...r, rotate } }))
  await deps.audit({ action: 'nvrReset.decodeRegion', outcome: found.length ? 'ok' : 'failed', ticketId: photo.ticketId, inputs: { photoId, ...r, rotate, codesFound: found.length } })
  if (found.length) {
    const merged = [...photo.codes.filter((c) => !found.some((f) => f.text === c.text)), ...found]
    await deps.repo.setDecode(photo.id, { status: 'found', ms: photo.decodeMs, strategy: photo.decodeStrategy ?? 'manual-region', error: null, codes: merged })
    await adoptFirstReset(deps, photo.ticketId, (await deps.repo.photo(photo.id))!)
  }
  return { ticketId: photo.ticketId, found: found.length > 0 }
}
