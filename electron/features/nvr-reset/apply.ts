// Lab bench: the console finishes the reset itself. Each code is entered ONCE: a wrong code is
// marked rejected and never sent again, and the console refuses to enter any code when the
// NVR has a single try left before it locks code entry for 5 minutes (5 wrong codes). Then the
// new password is set and checked: it must log in, and the old one (when the agent knows it)
// must be refused — success means both (products.md §5, "Logging / verification").
import { AppError } from '../../../shared/contract/common'
import type { Events, Recording, Secrets } from '../../infra/ports'
import type { LoginTarget, RejectedLogins } from '../devices'
import { endpointOf, RetrievePasswordClient } from './nvr-client'
import { formatDuration, INVALIDATED_BY } from './validity'
import { buildView, type ViewDeps } from './view'

/** The device layer's memory of rejected passwords (electron/features/devices/rejected-logins.ts). */
export type LoginMemory = Pick<RejectedLogins, 'find' | 'record' | 'accepted' | 'guard'>

/** Entering the code reads the view, opens the sealed code, audits each step and reports progress. */
export type ApplyDeps = ViewDeps & Pick<Recording, 'audit' | 'record'> & Events & Secrets & {
  /** The login memory, built per use by the root's wiring (device layer). */
  logins(): LoginMemory
}

/** The NVR locks code entry after this many wrong codes (Dahua rule, lab NVR). */
export const DEVICE_WRONG_CODE_LIMIT = 5

export type ApplyOutcome = 'verified' | 'not-verified' | 'wrong-code' | 'locked' | 'invalidated' | 'expired'

/** Same rule as the lab NVR (and real ones): 8–64 characters, two kinds of characters. */
export function passwordProblem(p: string): string | null {
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(p)).length
  if (p.length < 8 || p.length > 64) return 'The new password must be 8–64 characters long.'
  if (kinds < 2) return 'The new password must mix at least two of: lower case, upper case, digits, symbols.'
  return null
}

export async function applyOnDevice(
  deps: ApplyDeps,
  i: { ticketId: number; codeId: number; address: string; username: string; newPassword: string; oldPassword?: string },
): Promise<{ outcome: ApplyOutcome; message: string }> {
  const repo = deps.repo
  const v = await buildView(deps, i.ticketId)
  const c = v.case
  const code = await repo.code(i.codeId)
  const refuse = (m: string, hint: string | undefined, t: { key: string; values?: Record<string, string | number> }) => new AppError('FORBIDDEN', m, { hint, key: t.key, values: t.values })
  if (!c?.payload || !code || code.ticketId !== i.ticketId) throw new AppError('NOT_FOUND', 'No such code on this ticket.', { key: 'nvrReset.noSuchCodeHere' })
  if (c.invalidated) throw refuse(`The code was not entered. ${c.invalidatedMessage}`, undefined, { key: 'nvrReset.notEnteredInvalid' })
  if (c.validity.state === 'expired') throw refuse('The code was not entered: the QR has expired.', 'Ask the customer for a photo of a fresh QR.', { key: 'nvrReset.notEnteredExpired' })
  if (!v.codes.find((x) => x.id === code.id)?.forCurrentQr) throw refuse('This code was issued for an older QR; the NVR would refuse it.', 'Request a code for the current QR.', { key: 'nvrReset.olderQr' })
  if (code.status !== 'issued') throw refuse(`This code was already entered once (${code.status}${code.statusDetail ? `: ${code.statusDetail}` : ''}); the console never enters a code twice.`, 'Check the code with the vendor, or request a new one.', { key: 'nvrReset.enteredOnce', values: { status: code.status } })
  if (c.lockedUntil && Date.parse(c.lockedUntil) > Date.now()) throw refuse(`Code entry on the NVR is locked until ${c.lockedUntil.slice(11, 19)} UTC.`, 'Wait for the lock to end; do not let the customer try codes meanwhile.', { key: 'nvrReset.entryLocked', values: { until: c.lockedUntil.slice(11, 19) } })
  if (c.wrongCodes >= DEVICE_WRONG_CODE_LIMIT - 1) {
    throw refuse(
      `The NVR has refused ${c.wrongCodes} codes; one more wrong code would lock code entry for 5 minutes, so the console will not enter another one.`,
      'Confirm the code with the vendor character by character (it is case sensitive). Restarting the NVR clears the counter but also the QR: then a new photo and a new code are needed.',
      { key: 'nvrReset.wrongCodeLimit', values: { n: c.wrongCodes } },
    )
  }
  const pwProblem = passwordProblem(i.newPassword)
  if (pwProblem) throw new AppError('VALIDATION', pwProblem, { field: 'newPassword', key: i.newPassword.length < 8 || i.newPassword.length > 64 ? 'nvrReset.passwordLength' : 'nvrReset.passwordKinds' })

  const client = new RetrievePasswordClient(endpointOf(i.address))
  const now = () => new Date().toISOString()
  const audit = (outcome: 'ok' | 'failed' | 'refused' | 'info', detail: string, extra: Record<string, unknown> = {}) =>
    deps.audit({ action: 'nvrReset.apply', outcome, ticketId: i.ticketId, device: i.address, inputs: { codeId: code.id, codeHint: code.codeHint, serial: c.fields?.serial ?? null, ...extra }, detail })
  const setCase = (patch: Parameters<ReturnType<typeof repo.tx>['upsertCase']>[1]) => repo.tx().upsertCase(i.ticketId, patch)
  // The reply carries the new view (handlers/nvr-reset.ts): no event.
  const done = (outcome: ApplyOutcome, message: string) => ({ outcome, message })

  // The screen must still show OUR QR; otherwise the code is useless and would count as wrong.
  const screen = await client.screen()
  if (!screen.open || screen.payload !== c.payload) {
    const reason = screen.open ? 'new-qr' : 'left-screen'
    await deps.record(() => { repo.tx().voidOpenCodes(i.ticketId, INVALIDATED_BY[reason]); return setCase({ invalidated: reason, invalidatedAt: now() }) }, () => ({ action: 'nvrReset.invalidate', outcome: 'info', ticketId: i.ticketId, device: i.address, inputs: { reason, detectedBy: 'device check' } }))
    return done('invalidated', screen.open
      ? 'The NVR now shows a different QR (the screen was reopened). The code was not entered. Ask the customer for a photo of the QR shown now.'
      : 'The Retrieve Password screen is no longer open on the NVR (the customer left it or the device restarted). The code was not entered. Ask the customer to reopen it and send a new photo.')
  }
  if (screen.expired) {
    await audit('refused', 'the NVR reports the QR as expired by its own clock')
    return done('expired', 'The NVR says this QR has expired by its own clock. The code was not entered. Ask for a new photo, and suggest the customer checks the NVR clock.')
  }

  deps.bus.emit('task.progress', { task: `nvr-reset-${i.ticketId}`, label: 'Entering the security code on the NVR', done: 1, total: 3, finished: false })
  const r = await client.submitCode(deps.secrets.open(code.codeSealed))
  if (r.kind !== 'accepted') {
    const detail = {
      wrong: 'The NVR refused the code (wrong code).',
      locked: 'The NVR has locked code entry.',
      'no-session': 'The Retrieve Password screen is no longer open.',
      expired: 'The NVR says the QR has expired.',
      limit: 'The NVR accepts no more codes for this QR.',
    }[r.kind]
    await deps.record(
      () => {
        // A lock means the code was not even looked at: it stays usable once the lock ends.
        if (r.kind !== 'locked') repo.tx().setCodeStatus(code.id, r.kind === 'wrong' ? 'rejected' : 'void', detail, now())
        if (r.kind === 'wrong') {
          const wrong = r.remaining !== null ? DEVICE_WRONG_CODE_LIMIT - r.remaining : c.wrongCodes + 1
          return setCase({ wrongCodes: wrong, lockedUntil: r.retryAfter ? new Date(Date.now() + r.retryAfter * 1000).toISOString() : null })
        }
        if (r.kind === 'locked') return setCase({ lockedUntil: new Date(Date.now() + (r.retryAfter ?? 300) * 1000).toISOString() })
        if (r.kind === 'no-session') { repo.tx().voidOpenCodes(i.ticketId, INVALIDATED_BY['left-screen']); return setCase({ invalidated: 'left-screen', invalidatedAt: now() }) }
        if (r.kind === 'limit') { repo.tx().voidOpenCodes(i.ticketId, INVALIDATED_BY['code-limit']); return setCase({ invalidated: 'code-limit', invalidatedAt: now() }) }
        return setCase({})
      },
      () => ({ action: 'nvrReset.apply', outcome: 'failed', ticketId: i.ticketId, device: i.address, inputs: { codeId: code.id, codeHint: code.codeHint, result: r.kind, remaining: r.kind === 'wrong' ? r.remaining : null }, detail }),
    )
    if (r.kind === 'wrong') {
      const left = r.remaining ?? DEVICE_WRONG_CODE_LIMIT - (c.wrongCodes + 1)
      return done('wrong-code', `The NVR refused the code. The console will not enter it again. ${left > 0 ? `${left} more wrong code${left === 1 ? '' : 's'} will lock code entry for 5 minutes.` : 'Code entry is now locked.'} Codes are case sensitive: compare it with the vendor’s reply character by character, or request a new code.`)
    }
    if (r.kind === 'locked') return done('locked', `The NVR has locked code entry${r.retryAfter ? ` for ${formatDuration(r.retryAfter * 1000)}` : ''}. Nothing more will be sent until then.`)
    if (r.kind === 'expired') return done('expired', 'The NVR says the QR has expired. Ask the customer for a photo of a fresh QR.')
    return done('invalidated', r.kind === 'limit' ? 'The NVR accepts no more codes for this QR. Ask the customer to reopen the screen for a new QR.' : 'The Retrieve Password screen is no longer open on the NVR. Ask the customer to reopen it and send a new photo.')
  }

  await deps.record(() => { repo.tx().setCodeStatus(code.id, 'accepted', 'The NVR accepted the code.', now()); return setCase({ appliedAt: now() }) }, () => ({ action: 'nvrReset.apply', outcome: 'ok', ticketId: i.ticketId, device: i.address, inputs: { codeId: code.id, codeHint: code.codeHint, result: 'accepted' } }))
  deps.bus.emit('task.progress', { task: `nvr-reset-${i.ticketId}`, label: 'Setting the new password', done: 2, total: 3, finished: false })
  await client.setPassword(r.token, i.newPassword)
  await audit('ok', 'new admin password set through the Retrieve Password screen', { step: 'password' })

  deps.bus.emit('task.progress', { task: `nvr-reset-${i.ticketId}`, label: 'Checking the new and the old password', done: 3, total: 3, finished: true })
  // The device layer's memory of rejected passwords (electron/features/devices/rejected-logins.ts):
  // the new password is the account's now, whatever was rejected before; an old password the
  // NVR already rejected is known to be refused and is not sent again; new rejections are kept.
  const logins = deps.logins()
  // By address (as the reset works), so every later path to this address finds it.
  const at: LoginTarget = { deviceId: null, serial: '', ip: endpointOf(i.address).host, kind: 'nvr' }
  // Through the device's login lease and rejected-login memory (issue 13), as every login:
  // a rejection is recorded and never sent again; one attempt in flight per device.
  const guard = logins.guard(at, 'nvrReset.verify')
  const login = (password: string): Promise<boolean> => client.loginWorks(i.username, password, guard)
  logins.accepted(at, 'device', { username: i.username, password: i.newPassword })
  const newWorks = await login(i.newPassword)
  const oldRefused = i.oldPassword ? !(await login(i.oldPassword)) : null
  const ok = newWorks && oldRefused !== false
  const detail = `${newWorks ? 'The new password logs in' : 'The new password does NOT log in'}; ${oldRefused === null ? 'the old password was not known, so it was not tried' : oldRefused ? 'the old password is refused' : 'the old password STILL logs in'}.`
  await deps.record(() => setCase(ok ? { verifiedAt: now(), verifyDetail: detail } : { verifyDetail: detail }), () => ({ action: 'nvrReset.verify', outcome: ok ? 'ok' : 'failed', ticketId: i.ticketId, device: i.address, inputs: { username: i.username, newWorks, oldRefused } , detail }))
  return done(ok ? 'verified' : 'not-verified', detail)
}
