// Optional PIN lock for a bench PC shared by several agents. The PIN is stored only as a
// scrypt hash with its own salt. While locked, the dispatcher refuses every method except
// lock.status and lock.unlock, on both transports, so a page left open cannot be used by
// whoever walks up to the bench. The console locks on demand, at start, and after the idle
// time (measured on the server, so a frozen or closed UI does not keep it open).
import { AppError, type ApiError } from '../../../shared/contract/common'
import type { CommonRepos, Events, Recording, Secrets, Store } from '../../infra/ports'
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

/** What the bench lock needs: the settings (the PIN hash), the attempt counter's database, the PIN key, audit and events. */
export type LockDeps = Store & Recording & Events & Secrets & Pick<CommonRepos, 'settings'>

export interface LockStatus {
  pinSet: boolean
  locked: boolean
  idleMinutes: number
}
const status = (s: State): LockStatus => ({ pinSet: !!s.stored, locked: s.locked, idleMinutes: s.stored?.idleMinutes ?? 0 })

/** The bench lock of one console: built once by the composition root, shared by the dispatcher's gate and the lock.* handlers. */
export class BenchLock {
  private loaded: Promise<State> | null = null

  constructor(private readonly d: LockDeps) {}

  private state(): Promise<State> {
    this.loaded ??= this.d.settings.get<Stored>(LOCK_KEY).then((stored) => ({ stored, locked: !!stored, last: Date.now() }))
    return this.loaded
  }

  /** Compares `pin` with the bench PIN, the attempt counted (and refused over the limit) before. */
  private comparePin(stored: Stored, pin: string, now = Date.now()): Promise<boolean> {
    return countedAttempt(this.d.db, RULE, () => pinMatches(stored, pin, this.d.secrets.pinKey()), now)
  }

  /** Called by the dispatcher before every method: an error while locked, else null. */
  async gate(method: string, now = Date.now()): Promise<ApiError | null> {
    const s = await this.state()
    if (!s.stored) return null
    if (!s.locked && now - s.last > s.stored.idleMinutes * 60_000) {
      s.locked = true
      this.d.bus.emit('lock.changed', status(s))
    }
    if (OPEN_WHILE_LOCKED.has(method)) return null
    if (s.locked) return { code: 'UNAUTHORIZED', message: 'The console is locked.', hint: 'Enter the bench PIN to unlock it.', field: 'lock' }
    s.last = now
    return null
  }

  async status(): Promise<LockStatus> {
    return status(await this.state())
  }

  async setPin(pin: string, idleMinutes: number, currentPin?: string): Promise<LockStatus> {
    const s = await this.state()
    if (s.stored && !(currentPin !== undefined && (await this.comparePin(s.stored, currentPin)))) {
      throw new AppError('FORBIDDEN', 'The current PIN is wrong; the PIN was not changed.', { field: 'currentPin', key: 'lock.wrongCurrentPin' })
    }
    const stored: Stored = { ...(await hashPin(pin, this.d.secrets.pinKey())), idleMinutes }
    await this.d.settings.set(LOCK_KEY, stored)
    await this.d.audit({ action: s.stored ? 'lock.changePin' : 'lock.setPin', outcome: 'ok', inputs: { idleMinutes } })
    s.stored = stored
    s.last = Date.now()
    return status(s)
  }

  async clearPin(currentPin: string): Promise<LockStatus> {
    const s = await this.state()
    if (!s.stored) return status(s)
    if (!(await this.comparePin(s.stored, currentPin))) throw new AppError('FORBIDDEN', 'The PIN is wrong; the lock stays on.', { field: 'currentPin', key: 'lock.wrongPinStaysOn' })
    await this.d.settings.delete(LOCK_KEY)
    await this.d.audit({ action: 'lock.clearPin', outcome: 'ok' })
    s.stored = null
    s.locked = false
    this.d.bus.emit('lock.changed', status(s))
    return status(s)
  }

  async lockNow(): Promise<LockStatus> {
    const s = await this.state()
    if (!s.stored) throw new AppError('CONFLICT', 'No PIN is set, so the console cannot be locked.', { hint: 'Set a bench PIN in Settings first.', key: 'lock.noPin' })
    s.locked = true
    this.d.bus.emit('lock.changed', status(s))
    return status(s)
  }

  async unlock(pin: string, now = Date.now()): Promise<LockStatus> {
    const s = await this.state()
    if (!s.stored || !s.locked) return status(s)
    if (!(await this.comparePin(s.stored, pin, now))) {
      await this.d.audit({ action: 'lock.unlock', outcome: 'refused', detail: 'Wrong PIN.' })
      throw new AppError('UNAUTHORIZED', 'Wrong PIN; the console stays locked.', { field: 'pin', key: 'lock.wrongPin' })
    }
    s.locked = false
    s.last = now
    await this.d.audit({ action: 'lock.unlock', outcome: 'ok' })
    this.d.bus.emit('lock.changed', status(s))
    return status(s)
  }
}
