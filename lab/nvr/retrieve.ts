// The NVR's Retrieve Password screen (nvr-reset.md §1, §5, §6.3). Opening it ("Forgot
// Password") creates a session with a fresh nonce held in RAM and shows a QR. A security
// code is accepted, case-sensitively, only while that session lives: no reboot, screen not
// left, younger than 24 h by the device's own clock. At most 2 codes per QR; 5 wrong codes
// lock code entry for 5 minutes. A correct code yields a short-lived token that allows
// setting a new admin password.
import type { SimClock } from '../core/clock'
import type { SeededRng } from '../core/rng'
import { CODES_PER_QR, PAYLOAD_VALIDITY_MS, encodePayload, securityCode } from '../reset-code'

export const WRONG_CODES_BEFORE_LOCK = 5
export const CODE_LOCK_MS = 5 * 60_000
export const RESET_TOKEN_TTL_MS = 10 * 60_000

interface Session {
  id: string
  nonce: string
  issuedAtDevice: number
  payload: string
  used: Set<number>
  tokens: Map<string, number>
}

export type SubmitResult =
  | { ok: true; token: string }
  | { ok: false; reason: 'noSession' | 'expired' | 'limit' }
  | { ok: false; reason: 'locked'; retryAfter: number }
  | { ok: false; reason: 'wrong'; remaining: number; retryAfter?: number }

export interface RetrieveDeps {
  clock: SimClock
  rng: SeededRng
  vendorKey: Buffer
  deviceNow(): number
  identity(): { serial: string; mac: string; model: string }
}

export class RetrievePassword {
  private session: Session | null = null
  private wrong = 0
  private lockedUntil = 0

  constructor(private readonly deps: RetrieveDeps) {}

  /** "Forgot Password": a new session replaces any old one (the old QR becomes useless). */
  open(): { id: string; payload: string; issuedAt: string } {
    const nonce = this.deps.rng.hex(32)
    const issuedAtDevice = this.deps.deviceNow()
    const id = this.deps.rng.hex(16)
    const { serial, mac, model } = this.deps.identity()
    const issuedAt = new Date(issuedAtDevice).toISOString()
    const payload = encodePayload({ v: 1, serial, mac, model, nonce, issuedAt }, this.deps.vendorKey)
    this.session = { id, nonce, issuedAtDevice, payload, used: new Set(), tokens: new Map() }
    return { id, payload, issuedAt }
  }

  /** The customer left the screen, or the device rebooted. */
  close(): void {
    this.session = null
  }

  /** Reboot: RAM is lost, including the code-entry lock. */
  reset(): void {
    this.session = null
    this.wrong = 0
    this.lockedUntil = 0
  }

  current(): { id: string; payload: string; issuedAt: string; expired: boolean } | null {
    const s = this.session
    if (!s) return null
    return { id: s.id, payload: s.payload, issuedAt: new Date(s.issuedAtDevice).toISOString(), expired: this.expired(s) }
  }

  private expired(s: Session): boolean {
    // Judged by the device clock, so a device whose clock jumps ahead expires its QR early.
    const age = this.deps.deviceNow() - s.issuedAtDevice
    return age >= PAYLOAD_VALIDITY_MS || age < -PAYLOAD_VALIDITY_MS
  }

  submit(code: string): SubmitResult {
    const now = this.deps.clock.now()
    if (this.lockedUntil > now) return { ok: false, reason: 'locked', retryAfter: Math.ceil((this.lockedUntil - now) / 1000) }
    if (this.lockedUntil) { this.lockedUntil = 0; this.wrong = 0 }
    const s = this.session
    if (!s) return { ok: false, reason: 'noSession' }
    if (this.expired(s)) return { ok: false, reason: 'expired' }
    if (s.used.size >= CODES_PER_QR) return { ok: false, reason: 'limit' }
    const { serial } = this.deps.identity()
    for (let k = 1; k <= CODES_PER_QR; k++) {
      if (!s.used.has(k) && code === securityCode(this.deps.vendorKey, serial, s.nonce, k)) {
        s.used.add(k)
        this.wrong = 0
        const token = this.deps.rng.hex(32)
        s.tokens.set(token, now + RESET_TOKEN_TTL_MS)
        return { ok: true, token }
      }
    }
    this.wrong++
    if (this.wrong >= WRONG_CODES_BEFORE_LOCK) {
      this.lockedUntil = now + CODE_LOCK_MS
      return { ok: false, reason: 'wrong', remaining: 0, retryAfter: CODE_LOCK_MS / 1000 }
    }
    return { ok: false, reason: 'wrong', remaining: WRONG_CODES_BEFORE_LOCK - this.wrong }
  }

  /** A token is spent by use; it dies with the session. */
  consumeToken(token: string): boolean {
    const s = this.session
    const exp = s?.tokens.get(token)
    if (!s || exp === undefined || exp < this.deps.clock.now() || this.expired(s)) return false
    s.tokens.delete(token)
    return true
  }
}
