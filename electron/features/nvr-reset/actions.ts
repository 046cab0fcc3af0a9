// The NVR reset's checks for the workflow engine (procedure electron/workflows/procedures/
// nvr-password-reset.ts). The work itself happens in the reset panel and service; each step
// of the run completes only when the reset's real state says so, so the timeline can never
// claim more than what was done (and audited) there. Version 2's steps are observed: run-sync.ts
// asks the engine to look after every change, so they complete without a click. Version 1's
// checks (nvrReset.check*) stay for runs started on it.
import type { ResetView } from '../../../shared/contract/nvr-reset'
import type { Action, ActionResult } from '../workflows'
import { NVR_RESET_WAITING as W } from './procedure'

export interface NvrResetDeps {
  /** The reset view of a ticket (bound to buildView in electron/features/workflows/service.ts). */
  nvrReset?: (ticketId: number) => Promise<ResetView>
}

const check = (deps: NvrResetDeps, decide: (v: ResetView) => ActionResult): Action => ({
  async run(ctx) {
    if (!deps.nvrReset) return { blocked: 'The NVR reset service is not available in this console.' }
    const v = await deps.nvrReset(ctx.ticket.id)
    const c = v.case
    // Facts shown in the timeline (never the code).
    if (c?.fields) Object.assign(ctx.facts, { serial: c.fields.serial, mac: c.fields.mac, model: c.fields.model })
    if (c?.validity.expiresAt) ctx.facts.codeDeadline = c.validity.expiresAt
    return decide(v)
  },
})

/** The QR can no longer be used (left screen, restart, new QR, expired): the run goes back to the photo. */
const qrGone = (v: ResetView): string | null => {
  const c = v.case
  if (!c?.payload || c.verifiedAt) return null
  if (c.invalidated) return c.invalidatedMessage ?? W.qrInvalid
  if (c.validity.state === 'expired') return W.qrExpired
  return null
}

/** Version 2: observed steps. `blocked` here only says what the step waits for (not an error). */
function observedActions(deps: NvrResetDeps): Record<string, Action> {
  return {
    'nvrReset.photoDecoded': check(deps, (v) => {
      const c = v.case
      if (!c?.payload) return { blocked: v.photos.length ? W.photoUndecoded : W.photo }
      if (qrGone(v)) return { blocked: `${qrGone(v)} ${W.newPhoto}` }
      return { outcome: 'decoded', result: { format: c.formatLabel, serial: c.fields?.serial ?? '(raw)', deadline: c.validity.expiresAt ?? 'unknown' } }
    }),
    'nvrReset.ownershipRecorded': check(deps, (v) => {
      if (!v.ownershipComplete) return { blocked: W.ownership }
      if (v.approvalRequired && !v.case?.approvedBy) return { blocked: W.approval }
      return { outcome: 'verified', result: { checks: v.checks.map((c) => `${c.kind}: ${c.passed ? 'passed' : 'failed'} (${c.agent})`).join('; '), approvedBy: v.case?.approvedBy ?? 'not required' } }
    }),
    'nvrReset.codeReleased': check(deps, (v) => {
      const gone = qrGone(v)
      if (gone) return { outcome: 'new-qr', result: { why: gone } }
      const code = [...v.codes].reverse().find((c) => c.forCurrentQr && c.status !== 'void')
      if (!code) return { blocked: W.code }
      return { outcome: 'released', result: { provider: code.provider, code: code.hint, by: code.agent } }
    }),
    'nvrReset.codeApplied': check(deps, (v) => {
      if (v.case?.verifiedAt) return { outcome: 'bench', result: { verifiedAt: v.case.verifiedAt } }
      const gone = qrGone(v)
      if (gone) return { outcome: 'new-qr', result: { why: gone } }
      const mine = v.codes.filter((c) => c.forCurrentQr)
      const entered = mine.find((c) => c.status === 'accepted')
      if (entered) return { outcome: 'bench', result: { code: entered.hint, at: entered.usedAt ?? '' } }
      const sent = mine.find((c) => c.sentAt)
      if (sent) return { outcome: 'sent', result: { code: sent.hint, at: sent.sentAt ?? '' } }
      return { blocked: W.applied }
    }),
    'nvrReset.passwordVerified': check(deps, (v) => {
      const c = v.case
      if (c?.verifiedAt) return { outcome: 'verified', result: { verifiedAt: c.verifiedAt, check: c.verifyDetail ?? '' } }
      const gone = qrGone(v)
      if (gone) return { outcome: 'new-qr', result: { why: gone } }
      return { blocked: W.verified }
    }),
  }
}

export function nvrResetActions(deps: NvrResetDeps): Record<string, Action> {
  return {
    ...observedActions(deps),
    'nvrReset.checkQr': check(deps, (v) => {
      const c = v.case
      if (!c?.payload) return { blocked: 'No QR yet: add the customer’s photo in the reset panel (drop, paste, file or .eml), or select the code by hand.' }
      if (c.invalidated || c.validity.state === 'expired') return { blocked: v.blockedReason ?? 'This QR can no longer be used: ask for a new photo.' }
      return { outcome: 'decoded', result: { format: c.formatLabel, serial: c.fields?.serial ?? '(raw)', deadline: c.validity.expiresAt ?? 'unknown' } }
    }),
    'nvrReset.checkOwnership': check(deps, (v) => {
      if (!v.ownershipComplete) return { blocked: 'Record the three ownership checks in the reset panel first.' }
      if (v.approvalRequired && !v.case?.approvedBy) return { blocked: 'A second agent must approve the code release (reset panel).' }
      return { outcome: 'verified', result: { checks: v.checks.map((c) => `${c.kind}: ${c.passed ? 'passed' : 'failed'} (${c.agent})`).join('; '), approvedBy: v.case?.approvedBy ?? 'not required' } }
    }),
    'nvrReset.checkCode': check(deps, (v) => {
      const code = [...v.codes].reverse().find((c) => c.forCurrentQr && (c.status === 'issued' || c.status === 'accepted'))
      if (!code) return { blocked: v.blockedReason ?? 'No code for the current QR yet: get one in the reset panel.' }
      return { outcome: 'issued', result: { provider: code.provider, code: code.hint } }
    }),
    'nvrReset.checkVerified': check(deps, (v) => {
      const c = v.case
      if (c?.verifiedAt) return { outcome: 'verified', result: { verifiedAt: c.verifiedAt, check: c.verifyDetail ?? '' } }
      if (c?.invalidated) return { outcome: 'new-qr', result: { why: c.invalidatedMessage ?? c.invalidated } }
      return { blocked: 'Not verified yet: apply the code on the bench in the reset panel, or wait for the customer to confirm that the new password works.' }
    }),
  }
}
