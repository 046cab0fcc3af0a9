// The reset case of a ticket: which QR is in use, the customer's zone and the device clock,
// what invalidated the QR, the ownership checks and approval, and the security codes. Every
// change is written with its audit entry in one transaction (App.record).
import { AppError } from '../../../shared/contract/common'
import type { CheckKind, Invalidation } from '../../../db/repos/nvr-reset'
import type { CommonRepos, Recording } from '../../infra/ports'
import { httpVendorProvider, labVendorProvider, manualProvider, maskCode, spellCode, type SecurityCodeProvider } from './reset-codes/providers'
import { checkApprover } from './approvers'
import type { ResetDeps, ResetRows } from './deps'
import { parsePayload } from './payload'
import { httpConfig, labConfig, loadSettings } from './settings'
import { codeMessage, retakeMessage, type Lang, type Message } from './templates'
import { INVALIDATED_BY, isValidZone } from './validity'
import { buildView, CHECK_KINDS } from './view'

// No event here: every change below is made by a call whose reply carries the new view
// (handlers/nvr-reset.ts builds it once, after the ticket's run has caught up).

/** The case's changes use the whole of the reset's dependencies (deps.ts), built by the root. */
export type CaseDeps = ResetDeps
/** Adopting a QR text writes the case with its entry; the photo intake does it too. */
export type AdoptDeps = Pick<Recording, 'record'> & Pick<CommonRepos, 'settings'> & ResetRows

export async function adoptPayload(deps: AdoptDeps, ticketId: number, photoId: number | null, text: string, receivedAt: string | null): Promise<void> {
  const repo = deps.repo
  const p = parsePayload(text.trim())
  const s = await loadSettings(deps)
  const prev = await repo.getCase(ticketId)
  const now = new Date().toISOString()
  await deps.record(
    () => {
      const nonce = p.fields?.nonce || `raw:${text.trim().slice(0, 64)}`
      if (prev?.nonce && prev.nonce !== nonce) repo.tx().voidOpenCodes(ticketId, 'A newer QR replaced the one this code was issued for.')
      return repo.tx().upsertCase(ticketId, {
        photoId, payload: text.trim(), format: p.format, vendor: p.vendor,
        serial: p.fields?.serial ?? null, mac: p.fields?.mac ?? null, model: p.fields?.model ?? null, nonce, issuedAt: p.fields?.issuedAt || null,
        receivedAt: receivedAt ?? now, invalidated: null, invalidatedAt: null, appliedAt: null, verifiedAt: null, verifyDetail: null,
        ...(prev ? {} : { customerTz: s.defaultTz }),
      })
    },
    (c) => ({ action: 'nvrReset.payload', outcome: 'ok', ticketId, inputs: { photoId, format: p.format, serial: c.serial, mac: c.mac, model: c.model, issuedAt: c.issuedAt, problems: p.problems.length, replaced: !!prev?.payload } }),
  )
}

export async function updateCase(deps: CaseDeps, ticketId: number, u: { customerTz?: string; deviceAddress?: string; deviceTime?: string | null }): Promise<void> {
  await deps.tickets.get(ticketId)
  if (u.customerTz !== undefined && !isValidZone(u.customerTz)) throw new AppError('VALIDATION', `"${u.customerTz}" is not a time zone (use names like Europe/Prague or America/New_York).`, { field: 'customerTz', key: 'nvrReset.badZone', values: { zone: u.customerTz } })
  const patch: Record<string, unknown> = {}
  if (u.customerTz !== undefined) patch.customerTz = u.customerTz
  if (u.deviceAddress !== undefined) patch.deviceAddress = u.deviceAddress.trim()
  // The device clock as the customer (or the bench) reads it now: its offset from real time.
  if (u.deviceTime !== undefined) patch.deviceOffsetMs = u.deviceTime === null ? null : Date.parse(u.deviceTime) - Date.now()
  await deps.record(
    () => deps.repo.tx().upsertCase(ticketId, patch),
    () => ({ action: 'nvrReset.update', outcome: 'ok', ticketId, inputs: patch }),
  )
}

export async function invalidate(deps: CaseDeps, ticketId: number, reason: Invalidation): Promise<void> {
  const repo = deps.repo
  const c = await repo.getCase(ticketId)
  if (!c?.payload) throw new AppError('CONFLICT', 'There is no QR on this ticket yet.', { key: 'nvrReset.noQr' })
  const now = new Date().toISOString()
  await deps.record(
    () => {
      repo.tx().voidOpenCodes(ticketId, INVALIDATED_BY[reason])
      // A restart clears the NVR's wrong-code counter and lock along with the QR.
      return repo.tx().upsertCase(ticketId, { invalidated: reason, invalidatedAt: now, ...(reason === 'reboot' ? { wrongCodes: 0, lockedUntil: null } : {}) })
    },
    () => ({ action: 'nvrReset.invalidate', outcome: 'info', ticketId, inputs: { reason, serial: c.serial } }),
  )
}

const EVIDENCE_KIND = { 'label-photo': 'label-photo', 'ownership-document': 'ownership-certificate', 'requester-is-owner': 'customer-statement' } as const

export async function recordCheck(deps: CaseDeps, ticketId: number, c: { kind: CheckKind; passed: boolean; note: string; file?: { name: string; data: Buffer } }): Promise<void> {
  await deps.tickets.get(ticketId)
  if (c.passed && c.kind !== 'requester-is-owner' && !c.file) {
    throw new AppError('VALIDATION', c.kind === 'label-photo' ? 'Attach the photo of the device label to pass this check.' : 'Attach the Certificate of Ownership or the proof of purchase to pass this check.', { field: 'file', key: c.kind === 'label-photo' ? 'nvrReset.attachLabel' : 'nvrReset.attachOwnership' })
  }
  if (c.passed && c.kind === 'requester-is-owner' && c.note.trim().length < 3) {
    throw new AppError('VALIDATION', 'Write how the requester was matched to the registered owner (name, company, purchase record…).', { field: 'note', key: 'nvrReset.ownerNote' })
  }
  const ev = c.file ? await deps.vault.add({ ticketId, kind: EVIDENCE_KIND[c.kind], source: 'nvr-reset-check', name: c.file.name, data: c.file.data, note: c.note }) : null
  const agent = await deps.agentLabel()
  const at = new Date().toISOString()
  await deps.record(
    () => deps.repo.tx().addCheck({ ticketId, kind: c.kind, passed: c.passed, evidenceId: ev?.id ?? null, note: c.note, agent, at }),
    (row) => ({ action: 'nvrReset.ownershipCheck', outcome: c.passed ? 'ok' : 'refused', ticketId, inputs: { check: c.kind, result: c.passed ? 'passed' : 'failed', evidenceId: row.evidenceId, sha256: ev?.sha256 ?? null }, detail: c.note }),
  )
}

export async function approve(deps: CaseDeps, ticketId: number, email: string, pin: string, note: string): Promise<void> {
  const v = await buildView(deps, ticketId)
  if (!v.ownershipComplete) throw new AppError('FORBIDDEN', 'Complete the ownership checks before asking for approval.', { key: 'nvrReset.ownershipFirst' })
  const approvedBy = await checkApprover(deps, ticketId, email, pin)
  await deps.record(
    () => deps.repo.tx().upsertCase(ticketId, { approvedBy, approvedAt: new Date().toISOString() }),
    () => ({ action: 'nvrReset.approve', outcome: 'ok', ticketId, inputs: { approver: approvedBy }, detail: note }),
  )
}

/** Refuses the code release unless the QR is live and ownership (and approval) are recorded. */
async function releaseGate(deps: CaseDeps, ticketId: number) {
  const v = await buildView(deps, ticketId)
  const c = v.case
  const refuse = (m: string, hint: string | undefined, t: { key: string; values?: Record<string, string> }) => new AppError('FORBIDDEN', m, { hint, key: t.key, values: t.values })
  if (!c?.payload) throw refuse('There is no QR on this ticket yet: add the customer’s photo first.', undefined, { key: 'nvrReset.noQrPhoto' })
  if (c.invalidated) throw refuse(`No code was requested. ${c.invalidatedMessage}`, undefined, { key: 'nvrReset.notRequestedInvalid' })
  if (c.validity.state === 'expired') throw refuse('No code was requested: the QR has expired.', 'Ask the customer to reopen the Retrieve Password screen and send a new photo.', { key: 'nvrReset.qrExpired' })
  const missing = CHECK_KINDS.filter((k) => !v.checks.some((x) => x.kind === k && x.passed))
  if (missing.length) throw refuse(`No code was released: ownership is not verified yet (${missing.join(', ')}).`, 'Record the label photo, the Certificate of Ownership or proof of purchase, and that the requester is the registered owner.', { key: 'nvrReset.ownershipMissing' })
  if (v.approvalRequired && !c.approvedBy) throw refuse('No code was released: a second agent must approve this reset first (Settings require it).', undefined, { key: 'nvrReset.approvalNeeded' })
  return v
}

export async function requestCode(deps: CaseDeps, ticketId: number, provider: 'lab' | 'http' | 'manual', manual?: string): Promise<void> {
  const v = await releaseGate(deps, ticketId)
  const c = (await deps.repo.getCase(ticketId))!
  const s = await loadSettings(deps)
  const forQr = v.codes.filter((x) => x.forCurrentQr && x.provider !== 'manual')
  if (provider !== 'manual' && forQr.length >= 2) throw new AppError('FORBIDDEN', 'Two codes were already issued for this QR; the NVR accepts no more.', { hint: 'Ask the customer to reopen the Retrieve Password screen and send a new photo.', key: 'nvrReset.twoCodes' })
  let p: SecurityCodeProvider
  if (provider === 'lab') p = labVendorProvider(labConfig(deps, s))
  else if (provider === 'http') p = httpVendorProvider(httpConfig(deps, s))
  else p = manualProvider(manual ?? '')
  let issued
  try {
    issued = await p.obtain({ payload: c.payload! })
  } catch (e) {
    await deps.audit({ action: 'nvrReset.code.request', outcome: 'failed', ticketId, inputs: { provider, serial: c.serial }, detail: (e as Error).message })
    throw e
  }
  const agent = await deps.agentLabel()
  await deps.record(
    () => deps.repo.tx().addCode({ ticketId, nonce: c.nonce!, provider, codeSealed: deps.secrets.seal(issued.code), codeHint: maskCode(issued.code), reference: issued.reference, expiresAt: issued.expiresAt, agent, obtainedAt: new Date().toISOString() }),
    (row) => ({ action: 'nvrReset.code.issued', outcome: 'ok', ticketId, inputs: { codeId: row.id, provider, codeHint: row.codeHint, serial: c.serial, reference: issued.reference } }),
  )
}

export async function revealCode(deps: CaseDeps, codeId: number): Promise<{ code: string; spelled: string[] }> {
  const row = await deps.repo.code(codeId)
  if (!row) throw new AppError('NOT_FOUND', `Code #${codeId} does not exist.`, { key: 'nvrReset.noSuchCode', values: { id: codeId } })
  const code = deps.secrets.open(row.codeSealed)
  await deps.audit({ action: 'nvrReset.code.shown', outcome: 'info', ticketId: row.ticketId, inputs: { codeId, codeHint: row.codeHint } })
  return { code, spelled: spellCode(code) }
}

export async function message(deps: CaseDeps, ticketId: number, kind: 'code' | 'retake', lang: Lang, codeId?: number): Promise<Message> {
  const ticket = await deps.tickets.get(ticketId)
  const agent = (await deps.agent())?.name ?? 'Technical support'
  if (kind === 'retake') return retakeMessage({ lang, customerName: ticket.customerName, agent })
  const v = await buildView(deps, ticketId)
  const code = codeId ? v.codes.find((x) => x.id === codeId) : [...v.codes].reverse().find((x) => x.forCurrentQr && x.status === 'issued')
  if (!v.case?.validity.expiresAt || !code) throw new AppError('CONFLICT', 'There is no code for the current QR to send yet.', { key: 'nvrReset.noCodeToSend' })
  const row = (await deps.repo.code(code.id))!
  const expiresAt = row.expiresAt && row.expiresAt < v.case.validity.expiresAt ? row.expiresAt : v.case.validity.expiresAt
  // Writing the message is sending the code to the customer (the run's "Code applied" step):
  // recorded on the code with its audit entry, in one transaction.
  const tz = v.case.customerTz
  await deps.record(
    () => deps.repo.tx().markSent(code.id, new Date().toISOString()),
    () => ({ action: 'nvrReset.message', outcome: 'info', ticketId, inputs: { kind, lang, codeId: code.id, codeHint: code.hint, tz } }),
  )
  return codeMessage({ lang, code: deps.secrets.open(row.codeSealed), expiresAt, tz: v.case.customerTz, serial: v.case.fields?.serial ?? ticket.deviceSerial, customerName: ticket.customerName, agent })
}

/**
 * Off the bench the customer enters the code; the agent records that the customer confirmed
 * the new password works (how, in the note). That is the reset's verification then.
 */
export async function confirmByCustomer(deps: CaseDeps, ticketId: number, note: string): Promise<void> {
  const v = await buildView(deps, ticketId)
  const c = v.case
  if (c?.verifiedAt) throw new AppError('CONFLICT', 'The new password is already verified on this ticket.', { key: 'nvrReset.alreadyVerified' })
  const sent = v.codes.some((x) => x.forCurrentQr && (x.sentAt || x.status === 'accepted'))
  if (!c?.payload || !sent) throw new AppError('FORBIDDEN', 'No code for the current QR has been sent to the customer yet.', { hint: 'Write the message with the code to the customer first.', key: 'nvrReset.notSentYet' })
  if (note.trim().length < 3) throw new AppError('VALIDATION', 'Write how the customer confirmed it (call, e-mail, chat…).', { field: 'note', key: 'nvrReset.howConfirmed' })
  const detail = `Confirmed by the customer: ${note.trim()}`
  await deps.record(
    () => deps.repo.tx().upsertCase(ticketId, { verifiedAt: new Date().toISOString(), verifyDetail: detail }),
    () => ({ action: 'nvrReset.verify', outcome: 'ok', ticketId, inputs: { by: 'customer', serial: c.fields?.serial ?? null }, detail }),
  )
}
