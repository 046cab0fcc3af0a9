// The 2N event log behind /api/log/*: the device keeps the last 500 events in RAM, clients
// subscribe (include=new|all|-t, filter, duration up to 3600 s) and long-poll with pull
// (2n-intercom.md §3.7). Events that need a privilege are only shown to accounts holding it.
import type { SimClock } from '../core/clock'

export const EVENT_PRIVILEGE: Record<string, string | null> = {
  DeviceState: null, AudioLoopTest: null, MotionDetected: null, NoiseDetected: null, TamperSwitchActivated: null,
  UnauthorizedDoorOpen: null, DoorOpenTooLong: null, LoginBlocked: null, UserAuthenticated: null,
  ConfigurationChanged: null, CapabilitiesChanged: null,
  KeyPressed: 'keypad', KeyReleased: 'keypad', CodeEntered: 'keypad', CardEntered: 'uid',
  InputChanged: 'io', OutputChanged: 'io', SwitchStateChanged: 'io',
  CallStateChanged: 'call', RegistrationStateChanged: 'call',
}

export const RING_SIZE = 500

export interface LogEvent {
  id: number
  utcTime: number
  upTime: number
  tzShift: number
  event: string
  params: Record<string, unknown>
}

interface Subscription {
  id: number
  cursor: number
  filter: Set<string> | null
  durationMs: number
  lastUse: number
  privileges: Set<string> | 'all'
}

export class EventLog {
  private ring: LogEvent[] = []
  private nextId = 1
  private subs = new Map<number, Subscription>()
  private nextSub = 1
  private waiters = new Set<() => void>()

  constructor(
    private readonly clock: SimClock,
    private readonly deviceTime: () => { utc: number; up: number },
  ) {}

  emit(event: string, params: Record<string, unknown> = {}): LogEvent {
    const t = this.deviceTime()
    const e: LogEvent = { id: this.nextId++, utcTime: t.utc, upTime: t.up, tzShift: 0, event, params }
    this.ring.push(e)
    if (this.ring.length > RING_SIZE) this.ring.shift()
    for (const w of this.waiters) w()
    return e
  }

  get events(): readonly LogEvent[] {
    return this.ring
  }

  /** RAM is lost on reboot: events and subscriptions go, ids restart. */
  clear(): void {
    this.ring = []
    this.subs.clear()
    for (const w of this.waiters) w()
  }

  subscribe(include: string, filter: string | null, durationS: number, privileges: Subscription['privileges']): number {
    let cursor = this.nextId - 1
    if (include === 'all') cursor = 0
    else if (/^-\d+$/.test(include)) {
      const since = this.deviceTime().utc - Number(include.slice(1))
      const first = this.ring.find((e) => e.utcTime >= since)
      cursor = first ? first.id - 1 : this.nextId - 1
    }
    const id = this.nextSub++
    this.subs.set(id, {
      id, cursor, filter: filter ? new Set(filter.split(',').map((s) => s.trim()).filter(Boolean)) : null,
      durationMs: durationS * 1000, lastUse: this.clock.now(), privileges,
    })
    return id
  }

  unsubscribe(id: number): boolean {
    return this.subs.delete(id)
  }

  private live(id: number): Subscription | undefined {
    const s = this.subs.get(id)
    if (s && this.clock.now() - s.lastUse > s.durationMs) {
      this.subs.delete(id)
      return undefined
    }
    return s
  }

  has(id: number): boolean {
    return this.live(id) !== undefined
  }

  /** Events after the subscription's cursor; waits up to timeoutS (bounded) for the first one. */
  async pull(id: number, timeoutS: number): Promise<LogEvent[] | null> {
    const s = this.live(id)
    if (!s) return null
    const take = () => {
      const out = this.ring.filter((e) => e.id > s.cursor && (!s.filter || s.filter.has(e.event)) && visible(e, s.privileges))
      const last = this.ring[this.ring.length - 1]
      if (last) s.cursor = Math.max(s.cursor, last.id)
      s.lastUse = this.clock.now()
      return out
    }
    let out = take()
    if (out.length === 0 && timeoutS > 0) {
      await new Promise<void>((resolve) => {
        const done = () => { clearTimeout(t); this.waiters.delete(done); resolve() }
        const t = setTimeout(done, Math.min(timeoutS, 60) * 1000)
        this.waiters.add(done)
      })
      if (!this.subs.has(id)) return null
      out = take()
    }
    return out
  }
}

function visible(e: LogEvent, privileges: Subscription['privileges']): boolean {
  const need = EVENT_PRIVILEGE[e.event]
  return !need || privileges === 'all' || privileges.has(need)
}
