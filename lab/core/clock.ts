// Simulated time. Real devices take 15 s to apply a configuration, lock users out for
// 5-10 minutes and expire reset codes after a day; tests cannot wait for that, so every
// timer in the lab reads this clock and `advance()` moves it forward for the whole bench.
// Device wall-clock skew (a wrong NVR clock) is separate: see SimDevice.clockSkew.
export class SimClock {
  private offsetMs = 0
  now(): number {
    return Date.now() + this.offsetMs
  }
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error('time only moves forward')
    this.offsetMs += ms
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
