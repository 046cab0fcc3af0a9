// Issue 13, finding 1: one credentialed attempt in flight per device, in every process on the
// data folder. The rejected-login memory (rejected-logins.ts) refuses a password the device
// already rejected, but a check that runs before the login and a record written after it let
// parallel calls (a double-click, two tabs, the UI and the CLI at once) all pass the check
// and all send the wrong password. A lease in SQLite (db/repos/devices-leases.ts) closes that gap: a
// driver takes `login:<address>` before it checks, sends, and records the rejection; the next
// caller waits for it, then checks and sees the rejection. Destructive operations take
// `destructive:<address>` without waiting: a second one on the same device is refused.
import { AsyncLocalStorage } from 'node:async_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Database } from 'better-sqlite3'
import { AppError } from '../../../shared/contract/common'
import { LeasesRepo, type LeaseRow } from '../../../db/repos/devices-leases'
import { writing } from '../../../db/repos/tx-scope'

/** A lease outlives its holder by this much at most (a crashed process on another PC's share). */
const TTL_MS = 30_000
/** How long a credential the device accepted is sent without queueing. */
const PROVEN_MS = 30_000
/** How long a login waits for the device's previous one before giving up. */
export const LOGIN_WAIT_MS = 120_000

/** Keys the current async call chain holds (per database): a nested login of the same operation does not wait for itself. */
const holding = new AsyncLocalStorage<Set<string>>()

const since = (h: LeaseRow) => h.acquired_at.replace('T', ' ').slice(0, 19)

export class DeviceLeases {
  readonly repo: LeasesRepo
  constructor(private readonly db: Database) {
    this.repo = new LeasesRepo(db)
  }

  private async hold<R>(key: string, token: string, fn: (release: () => void) => Promise<R>): Promise<R> {
    let released = false
    const release = () => {
      if (released) return
      released = true
      clearInterval(renew)
      return this.repo.release(key, token)
    }
    const renew = setInterval(() => {
      // A busy database: the next tick renews; the lease has TTL_MS of slack.
      this.repo.renew(key, token, TTL_MS).catch(() => undefined)
    }, TTL_MS / 3)
    renew.unref()
    const mine = new Set(holding.getStore() ?? [])
    mine.add(`${this.db.name}|${key}`)
    try {
      // The operation lets go early from a synchronous callback (its credential was proven):
      // the row is deleted at once (the async body runs to its first await), and a failure to
      // delete it only leaves a row this process no longer counts and others see expire.
      return await holding.run(mine, () => fn(() => void release()?.catch(() => undefined)))
    } finally {
      await release()
    }
  }

  private held(key: string): boolean {
    return holding.getStore()?.has(`${this.db.name}|${key}`) ?? false
  }

  /**
   * Runs `fn` (an exchange that sends a credential to the device at `ip`) once no other attempt
   * whose outcome is unknown is in flight there. `fn` calls `proven()` when the device has
   * answered the credential without rejecting it: the lease is let go then, so operations with
   * an accepted password do not queue behind each other for their whole length (backups, a
   * workflow), while a credential not yet answered is never sent twice at once.
   */
  async login<R>(ip: string, purpose: string, fn: (proven: () => void) => Promise<R>, o: { waitMs?: number; signal?: AbortSignal; credential?: string } = {}): Promise<R> {
    const key = `login:${ip}`
    if (this.held(key)) return fn(() => undefined)
    // A credential this device accepted moments ago (any process) is no guess: sent without
    // queueing. One it has not answered yet, or not lately, waits for the lease.
    const provenKey = o.credential ? `proven:${ip}:${o.credential}` : null
    // Called synchronously by the operation: a small transaction of its own.
    const remember = () => {
      if (provenKey) writing(this.db, () => this.repo.tx().mark(provenKey, PROVEN_MS))
    }
    if (provenKey && (await this.repo.valid(provenKey))) return fn(remember)
    const deadline = Date.now() + (o.waitMs ?? LOGIN_WAIT_MS)
    for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
      const got = await this.repo.tryAcquire(key, purpose, TTL_MS)
      if ('token' in got) return this.hold(key, got.token, (release) => fn(() => (remember(), release())))
      if (Date.now() > deadline || o.signal?.aborted) {
        throw new AppError('CONFLICT', `Another operation (${got.holder.purpose}, process ${got.holder.pid}, since ${since(got.holder)} UTC) is still logging in to ${ip}; the console did not send a login meanwhile.`, {
          hint: 'Wait for it to finish, then try again.',
          key: 'devices.loginBusy', values: { purpose: got.holder.purpose, pid: got.holder.pid, since: since(got.holder), ip },
        })
      }
      await sleep(pause)
    }
  }

  /** Runs a destructive operation on the device at `ip`, refusing at once while another one runs there. */
  async destructive<R>(ip: string, purpose: string, fn: () => Promise<R>): Promise<R> {
    const key = `destructive:${ip}`
    if (this.held(key)) return fn()
    const got = await this.repo.tryAcquire(key, purpose, TTL_MS)
    if ('holder' in got) {
      throw new AppError('CONFLICT', `Another ${got.holder.purpose} is running on the device at ${ip} (process ${got.holder.pid}, since ${since(got.holder)} UTC); this one was not started.`, {
        hint: 'Wait for it to finish and check the device, then decide whether this is still needed.',
        key: 'devices.destructiveBusy', values: { purpose: got.holder.purpose, pid: got.holder.pid, since: since(got.holder), ip },
      })
    }
    return this.hold(key, got.token, () => fn())
  }
}
