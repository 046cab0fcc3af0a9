// Second agents who may approve a code release when Settings require it. A typed name is no
// approval: each approver is enrolled here with a PIN of their own (kept only as a scrypt
// hash), and approves a release by choosing themselves and typing that PIN at the agent's
// console. Wrong PINs are audited, and five in a row hold that approver back for a minute so
// a PIN cannot be guessed at the counter.
import { AppError } from '../../shared/contract/common'
import type { Approver } from '../../shared/contract/nvr-reset'
import type { App } from '../core/app'
import { hashPin, pinMatches, type PinHash } from '../audit/pin-hash'

const KEY = 'nvrReset.approvers'
const MAX_TRIES = 5
const HOLD_MS = 60_000

interface Stored extends PinHash {
  name: string
  email: string
  addedBy: string
  addedAt: string
}

const failures = new WeakMap<App, Map<string, { count: number; until: number }>>()
const failuresOf = (app: App) => {
  let m = failures.get(app)
  if (!m) failures.set(app, (m = new Map()))
  return m
}
const norm = (email: string) => email.trim().toLowerCase()
const pub = (a: Stored): Approver => ({ name: a.name, email: a.email, addedBy: a.addedBy, addedAt: a.addedAt })

async function load(app: App): Promise<Stored[]> {
  return (await app.settings.get<Stored[]>(KEY)) ?? []
}

export async function listApprovers(app: App): Promise<Approver[]> {
  return (await load(app)).map(pub)
}

async function isMe(app: App, name: string, email: string): Promise<boolean> {
  const me = await app.agent()
  return !!me && (norm(me.email) === norm(email) || me.name.trim().toLowerCase() === name.trim().toLowerCase())
}

export async function addApprover(app: App, a: { name: string; email: string; pin: string }): Promise<Approver[]> {
  const all = await load(app)
  if (all.some((x) => norm(x.email) === norm(a.email))) throw new AppError('CONFLICT', `${a.email} is already an approver.`, { field: 'email', hint: 'Remove it first to give it a new PIN.' })
  if (await isMe(app, a.name, a.email)) throw new AppError('FORBIDDEN', 'You cannot be your own second agent.', { field: 'email', hint: 'Ask the colleague who will approve releases to enrol with their own name, e-mail and PIN.' })
  const row: Stored = { name: a.name.trim(), email: a.email.trim(), ...(await hashPin(a.pin)), addedBy: await app.agentLabel(), addedAt: new Date().toISOString() }
  await app.record(
    () => app.settings.setSync(KEY, [...all, row]),
    () => ({ action: 'nvrReset.approver.add', outcome: 'ok', inputs: { approver: row.name, email: row.email } }),
  )
  return listApprovers(app)
}

export async function removeApprover(app: App, email: string): Promise<Approver[]> {
  const all = await load(app)
  const gone = all.find((x) => norm(x.email) === norm(email))
  if (!gone) throw new AppError('NOT_FOUND', `${email} is not an approver.`, { field: 'email' })
  await app.record(
    () => app.settings.setSync(KEY, all.filter((x) => x !== gone)),
    () => ({ action: 'nvrReset.approver.remove', outcome: 'ok', inputs: { approver: gone.name, email: gone.email } }),
  )
  return listApprovers(app)
}

/** Checks the approver's PIN; returns the approver's label for the case, or throws (audited). */
export async function checkApprover(app: App, ticketId: number, email: string, pin: string, now = Date.now()): Promise<string> {
  const all = await load(app)
  if (all.length === 0) throw new AppError('FORBIDDEN', 'No second agents are enrolled, so nobody can approve this release.', { hint: 'Enrol the approving colleagues in Settings → Password reset (name, e-mail and their own PIN).' })
  const a = all.find((x) => norm(x.email) === norm(email))
  if (!a) throw new AppError('NOT_FOUND', `${email} is not an enrolled approver.`, { field: 'approver' })
  if (await isMe(app, a.name, a.email)) throw new AppError('FORBIDDEN', 'The approval must come from a second agent, not from you.', { field: 'approver' })
  const f = failuresOf(app)
  const held = f.get(norm(a.email))
  if (held && held.until > now) {
    throw new AppError('FORBIDDEN', `Too many wrong PINs for ${a.name}; approvals by ${a.name} are held for ${Math.ceil((held.until - now) / 1000)} s.`, { field: 'pin', hint: 'Wait, then let the approver type the PIN themselves.' })
  }
  if (!(await pinMatches(a, pin))) {
    const count = (held?.count ?? 0) + 1
    f.set(norm(a.email), { count: count >= MAX_TRIES ? 0 : count, until: count >= MAX_TRIES ? now + HOLD_MS : 0 })
    await app.audit({ action: 'nvrReset.approve', outcome: 'refused', ticketId, inputs: { approver: a.name, email: a.email }, detail: 'wrong approver PIN' })
    const left = MAX_TRIES - count
    throw new AppError('FORBIDDEN', `That is not ${a.name}’s PIN; nothing was approved.`, { field: 'pin', hint: left > 0 ? `${left} more tries before approvals by ${a.name} are held for a minute.` : `Approvals by ${a.name} are now held for a minute.` })
  }
  f.delete(norm(a.email))
  return `${a.name} <${a.email}>`
}
