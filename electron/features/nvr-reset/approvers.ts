// Second agents who may approve a code release when Settings require it. A typed name is no
// approval: each approver is enrolled here with a PIN of their own (kept only as a scrypt
// hash, peppered with the data folder's key), and approves a release by choosing themselves and
// typing that PIN at the agent's console. Wrong PINs are audited; five within a minute hold that
// approver back, counted in the database before each comparison (issue 13: parallel calls and
// other processes used to get every guess compared).
//
// Issue 13, finding 8: one agent could satisfy the rule alone by enrolling a made-up approver.
// Now an enrolment needs an enrolled approver vouching with their own PIN; only the very first
// approver of a data folder is enrolled without (once, audited as such).
import { AppError } from '../../../shared/contract/common'
import type { Approver } from '../../../shared/contract/nvr-reset'
import { AttemptsRepo } from '../../../db/repos/audit-attempts'
import { AuditQueryRepo } from '../../../db/repos/audit-query'
import type { CommonRepos, Recording, Secrets, Store } from '../../infra/ports'
import type { CurrentAgent } from './deps'
import { countedAttempt, type AttemptRule } from '../audit'
import { hashPin, pinMatches, type PinHash } from '../audit'

const KEY = 'nvrReset.approvers'

/** Approvers are kept in settings; PINs are hashed with the data folder's key and their attempts counted in the database. */
export type ApproverDeps = Pick<Recording, 'audit' | 'record' | 'agentLabel'> & Pick<CommonRepos, 'settings'> & Secrets & CurrentAgent & Store
const MAX_TRIES = 5
const HOLD_MS = 60_000

interface Stored extends PinHash {
  name: string
  email: string
  addedBy: string
  addedAt: string
}

const norm = (email: string) => email.trim().toLowerCase()
const rule = (a: Stored): AttemptRule => ({
  scope: `approver:${norm(a.email)}`,
  limit: MAX_TRIES,
  windowMs: HOLD_MS,
  refusal: (s) => new AppError('FORBIDDEN', `Too many wrong PINs for ${a.name}; approvals by ${a.name} are held for ${s} s.`, { field: 'pin', hint: 'Wait, then let the approver type the PIN themselves.', key: 'nvrReset.approverHeld', values: { name: a.name, s } }),
})

/** Compares an approver's PIN, the attempt counted (and refused over the limit) in the database before. */
async function approverPinMatches(deps: Store & Secrets, a: Stored, pin: string, now = Date.now()): Promise<boolean> {
  return countedAttempt(deps.db, rule(a), () => pinMatches(a, pin, deps.secrets.pinKey()), now)
}
const pub = (a: Stored): Approver => ({ name: a.name, email: a.email, addedBy: a.addedBy, addedAt: a.addedAt })

async function load(deps: Pick<CommonRepos, 'settings'>): Promise<Stored[]> {
  return (await deps.settings.get<Stored[]>(KEY)) ?? []
}

export async function listApprovers(deps: Pick<CommonRepos, 'settings'>): Promise<Approver[]> {
  return (await load(deps)).map(pub)
}

async function isMe(deps: CurrentAgent, name: string, email: string): Promise<boolean> {
  const me = await deps.agent()
  return !!me && (norm(me.email) === norm(email) || me.name.trim().toLowerCase() === name.trim().toLowerCase())
}

/** True once any approver was ever enrolled in this data folder: from then on enrolment needs a sponsor. */
const everEnrolled = (deps: Store) => new AuditQueryRepo(deps.db).hasEntry('nvrReset.approver.add', 'ok')

export async function addApprover(deps: ApproverDeps, a: { name: string; email: string; pin: string; sponsor?: { email: string; pin: string } }): Promise<Approver[]> {
  const all = await load(deps)
  if (all.some((x) => norm(x.email) === norm(a.email))) throw new AppError('CONFLICT', `${a.email} is already an approver.`, { field: 'email', hint: 'Remove it first to give it a new PIN.', key: 'nvrReset.approverExists', values: { email: a.email } })
  if (await isMe(deps, a.name, a.email)) throw new AppError('FORBIDDEN', 'You cannot be your own second agent.', { field: 'email', hint: 'Ask the colleague who will approve releases to enrol with their own name, e-mail and PIN.', key: 'nvrReset.ownSecondAgent' })
  let sponsor: Stored | null = null
  if (all.length > 0 || (await everEnrolled(deps))) {
    const refuse = async (message: string, hint: string, t: { key: string; values?: Record<string, string> }, field = 'sponsor') => {
      await deps.audit({ action: 'nvrReset.approver.add', outcome: 'refused', inputs: { approver: a.name.trim(), email: a.email.trim(), sponsor: a.sponsor?.email ?? null }, detail: message })
      return new AppError('FORBIDDEN', message, { field, hint, key: t.key, values: t.values })
    }
    if (!a.sponsor) throw await refuse('A new second agent is enrolled only with an approver already enrolled vouching for them; nobody was added.', 'Ask an enrolled approver to choose their name and type their own PIN below the new approver’s details.', { key: 'nvrReset.sponsorNeeded' })
    sponsor = all.find((x) => norm(x.email) === norm(a.sponsor!.email)) ?? null
    if (!sponsor) throw await refuse(`${a.sponsor.email} is not an enrolled approver, so cannot vouch; nobody was added.`, all.length ? 'Choose one of the enrolled approvers.' : 'Every approver was removed: enrolment stays closed in this data folder, so that nobody can enrol a second agent alone.', { key: all.length ? 'nvrReset.sponsorNotApprover' : 'nvrReset.sponsorNoneLeft', values: { email: a.sponsor.email } })
    if (await isMe(deps, sponsor.name, sponsor.email)) throw await refuse('You cannot vouch for a second agent yourself; nobody was added.', 'The enrolled approver vouching must be another person than the agent at this console.', { key: 'nvrReset.sponsorSelf' })
    if (!(await approverPinMatches(deps, sponsor, a.sponsor.pin))) throw await refuse(`That is not ${sponsor.name}’s PIN; nobody was added.`, 'Let the approver type their own PIN.', { key: 'nvrReset.sponsorWrongPin', values: { name: sponsor.name } }, 'sponsor.pin')
  }
  const row: Stored = { name: a.name.trim(), email: a.email.trim(), ...(await hashPin(a.pin, deps.secrets.pinKey())), addedBy: await deps.agentLabel(), addedAt: new Date().toISOString() }
  await deps.record(
    () => deps.settings.tx().set(KEY, [...all, row]),
    () => ({
      action: 'nvrReset.approver.add', outcome: 'ok', inputs: { approver: row.name, email: row.email, sponsor: sponsor ? sponsor.email : null },
      detail: sponsor ? `Vouched for by ${sponsor.name} <${sponsor.email}> with their PIN.` : 'The first approver of this data folder, enrolled without a sponsor (once).',
    }),
  )
  return listApprovers(deps)
}

export async function removeApprover(deps: ApproverDeps, email: string): Promise<Approver[]> {
  const all = await load(deps)
  const gone = all.find((x) => norm(x.email) === norm(email))
  if (!gone) throw new AppError('NOT_FOUND', `${email} is not an approver.`, { field: 'email', key: 'nvrReset.notApprover', values: { email } })
  await deps.record(
    () => deps.settings.tx().set(KEY, all.filter((x) => x !== gone)),
    () => ({ action: 'nvrReset.approver.remove', outcome: 'ok', inputs: { approver: gone.name, email: gone.email } }),
  )
  return listApprovers(deps)
}

/** Checks the approver's PIN; returns the approver's label for the case, or throws (audited). */
export async function checkApprover(deps: ApproverDeps, ticketId: number, email: string, pin: string, now = Date.now()): Promise<string> {
  const all = await load(deps)
  if (all.length === 0) throw new AppError('FORBIDDEN', 'No second agents are enrolled, so nobody can approve this release.', { hint: 'Enrol the approving colleagues in Settings → Password reset (name, e-mail and their own PIN).', key: 'nvrReset.noApprovers' })
  const a = all.find((x) => norm(x.email) === norm(email))
  if (!a) throw new AppError('NOT_FOUND', `${email} is not an enrolled approver.`, { field: 'approver', key: 'nvrReset.notEnrolled', values: { email } })
  if (await isMe(deps, a.name, a.email)) throw new AppError('FORBIDDEN', 'The approval must come from a second agent, not from you.', { field: 'approver', key: 'nvrReset.approveSelf' })
  if (!(await approverPinMatches(deps, a, pin, now))) {
    await deps.audit({ action: 'nvrReset.approve', outcome: 'refused', ticketId, inputs: { approver: a.name, email: a.email }, detail: 'wrong approver PIN' })
    const wrong = await new AttemptsRepo(deps.db).wrongSince(rule(a).scope, now - HOLD_MS)
    const left = MAX_TRIES - wrong
    throw new AppError('FORBIDDEN', `That is not ${a.name}’s PIN; nothing was approved.`, { field: 'pin', hint: left > 0 ? `${left} more tries before approvals by ${a.name} are held for a minute.` : `Approvals by ${a.name} are now held for a minute.`, key: left > 0 ? 'nvrReset.wrongApproverPin' : 'nvrReset.wrongApproverPinHeld', values: { name: a.name, n: left } })
  }
  return `${a.name} <${a.email}>`
}
