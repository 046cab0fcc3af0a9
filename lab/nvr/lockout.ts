// Illegal Login Lock as Hikvision documents it (nvr-reset.md §5, §7.8): after `tries` failed
// logins from one client address that address is locked for `lockSeconds`; defaults 7 and
// 600 s, both configurable. ISAPI and ONVIF failures count together, which is how a VMS
// retrying stale ONVIF credentials locks out the web UI (§9.3).
import type { SimClock } from '../core/clock'

export interface LockoutSettings { enabled: boolean; tries: number; lockSeconds: number }

export class LoginLockout {
  private state = new Map<string, { fails: number; lockedUntil: number }>()
  constructor(private readonly clock: SimClock, public settings: LockoutSettings) {}

  /** Seconds left on the lock for this address, 0 when it may try. */
  lockedFor(address: string): number {
    const s = this.state.get(address)
    if (!s || !this.settings.enabled) return 0
    const left = s.lockedUntil - this.clock.now()
    if (left <= 0 && s.lockedUntil > 0) { this.state.delete(address); return 0 }
    return Math.max(0, Math.ceil(left / 1000))
  }

  remaining(address: string): number {
    return Math.max(0, this.settings.tries - (this.state.get(address)?.fails ?? 0))
  }

  fail(address: string): void {
    if (!this.settings.enabled) return
    const s = this.state.get(address) ?? { fails: 0, lockedUntil: 0 }
    s.fails++
    if (s.fails >= this.settings.tries) s.lockedUntil = this.clock.now() + this.settings.lockSeconds * 1000
    this.state.set(address, s)
  }

  succeed(address: string): void {
    this.state.delete(address)
  }

  clear(): void {
    this.state.clear()
  }

  locked(): { address: string; unlockTime: number }[] {
    return [...this.state.keys()].map((address) => ({ address, unlockTime: this.lockedFor(address) })).filter((x) => x.unlockTime > 0)
  }
}
