// Optional PIN lock for a bench PC shared by several agents. The PIN is stored only as a
// scrypt hash with its own salt. While locked, the dispatcher refuses every method except
// lock.status and lock.unlock, on both transports, so a page left open cannot be used by
// whoever walks up to the bench. The console locks on demand, at start, and after the idle
// time (measured on the server, so a frozen or closed UI does not keep it open).
import { AppError, type ApiError } from '../../shared/contract/common'
import type { App } from '../core/app'
import { countedAttempt, type AttemptRule } from './attempts'
import { hashPin, pinMatches, type PinHash } from './pin-hash'

export const LOCK_KEY = 'lock.pin'
const OPEN_WHILE_LOCKED = new Set(['lock.status', 'lock.unlock'])
const MAX_TRIES = 5
const BACKOFF_MS = 30_000

interface Stored extends PinHash {
  idleMinutes: number
}
interface State {
  stored: Stored | null
  locked: boolean
  last: number
}

/** Every comparison with the bench PIN (unlock, change, removal), counted in the database first. */
const RULE: AttemptRule = {
  scope: 'lock.pin',
  limit: MAX_TRIES,
  windowMs: BACKOFF_MS,
  refusal: (s) => new AppError('FORBIDDEN', `Too many wrong PINs; try again in ${s} s.`, { field: 'pin', hint: 'Wrong PINs from every window and process of this console count together.', key: 'lock.tooManyTries', values: { s } }),
}

/** Compares `pin` with the bench PIN, the attempt counted (and refused over the limit) before. */
async function comparePin(app: App, stored: Stored, pin: string, now = Date.now()): Promise<boolean> {
  return countedAttempt(app.db, RULE, () => pinMatches(stored, pin, app.secrets.pinKey()), now)
}

const states = new WeakMap<App, Promise<State>>()
function state(app: App): Promise<State> {
  let s = states.get(app)
  if (!s) {
    s = app.settings.get<Stored>(LOCK_KEY).then((stored) => ({ stored, locked: !!stored, last: Date.now() }))
    states.set(app, s)
  }
  return s
}

export interface LockStatus {
  pinSet: boolean
  locked: boolean
  idleMinutes: number
}
const status = (s: State): LockStatus => ({ pinSet: !!s.stored, locked: s.locked, idleMinutes: s.stored?.idleMinutes ?? 0 })



/** Called by the dispatcher before every method: an error while locked, else null. */
export async function lockGate(app: App, method: string, now = Date.now()): Promise<ApiError | null> {
  const s = await state(app)
  if (!s.stored) return null
  if (!s.locked && now - s.last > s.stored.idleMinutes * 60_000) {
    s.locked = true
    app.bus.emit('lock.changed', status(s))
  }
  if (OPEN_WHILE_LOCKED.has(method)) return null
  if (s.locked) return { code: 'UNAUTHORIZED', message: 'The console is locked.', hint: 'Enter the bench PIN to unlock it.', field: 'lock', key: 'lock.locked' }
  s.last = now
  return null
}

export async function lockStatus(app: App): Promise<LockStatus> {
  return status(await state(app))
}

export async function setPin(app: App, pin: string, idleMinutes: number, currentPin?: string): Promise<LockStatus> {
  const s = await state(app)
  if (s.stored && !(currentPin !== undefined && (await comparePin(app, s.stored, currentPin)))) {
    throw new AppError('FORBIDDEN', 'The current PIN is wrong; the PIN was not changed.', { field: 'currentPin', key: 'lock.wrongCurrentPin' })
  }
  const stored: Stored = { ...(await hashPin(pin, app.secrets.pinKey())), idleMinutes }
  await app.settings.set(LOCK_KEY, stored)
  await app.audit({ action: s.stored ? 'lock.changePin' : 'lock.setPin', outcome: 'ok', inputs: { idleMinutes } })
  s.stored = stored
  s.last = Date.now()
  return status(s)
}

export async function clearPin(app: App, currentPin: string): Promise<LockStatus> {
  const s = await state(app)
  if (!s.stored) return status(s)
  if (!(await comparePin(app, s.stored, currentPin))) throw new AppError('FORBIDDEN', 'The PIN is wrong; the lock stays on.', { field: 'currentPin', key: 'lock.wrongPinStaysOn' })
  app.db.prepare('DELETE FROM settings WHERE key = ?').run(LOCK_KEY)
  await app.audit({ action: 'lock.clearPin', outcome: 'ok' })
  s.stored = null
  s.locked = false
  app.bus.emit('lock.changed', status(s))
  return status(s)
}

export async function lockNow(app: App): Promise<LockStatus> {
  const s = await state(app)
  if (!s.stored) throw new AppError('CONFLICT', 'No PIN is set, so the console cannot be locked.', { hint: 'Set a bench PIN in Settings first.', key: 'lock.noPin' })
  s.locked = true
  app.bus.emit('lock.changed', status(s))
  return status(s)
}

export async function unlock(app: App, pin: string, now = Date.now()): Promise<LockStatus> {
  const s = await state(app)
  if (!s.stored || !s.locked) return status(s)
  if (!(await comparePin(app, s.stored, pin, now))) {
    await app.audit({ action: 'lock.unlock', outcome: 'refused', detail: 'Wrong PIN.' })
    throw new AppError('UNAUTHORIZED', 'Wrong PIN; the console stays locked.', { field: 'pin', key: 'lock.wrongPin' })
  }
  s.locked = false
  s.last = now
  await app.audit({ action: 'lock.unlock', outcome: 'ok' })
  app.bus.emit('lock.changed', status(s))
  return status(s)
}
