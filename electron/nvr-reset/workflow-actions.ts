// The NVR reset's checks for the workflow engine (procedure electron/workflows/procedures/
// nvr-password-reset.ts). The work itself happens in the reset panel and service; each step
// of the guided timeline completes only when the reset's real state says so, so the timeline
// can never claim more than what was done (and audited) there.
import type { ResetView } from '../../shared/contract/nvr-reset'
import type { Action, ActionResult } from '../workflows/actions'

export interface NvrResetDeps {
  /** The reset view of a ticket (bound to buildView in electron/workflows/service.ts). */
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

export function nvrResetActions(deps: NvrResetDeps): Record<string, Action> {
  return {
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
