// How long a reset QR stays usable, and what the times around it say. The QR carries its
// issue time by the NVR's own clock, which is often wrong (nvr-reset.md §6.2, §11); the photo
// carries the phone's EXIF capture time (often in local time without a zone, often stripped
// by messaging apps); the console knows when the photo arrived. Comparing the three catches
// wrong clocks before the agent promises a deadline that the device will not honour.

export type Invalidation = 'left-screen' | 'reboot' | 'new-qr' | 'code-limit'
export type ValidityState = 'valid' | 'expiring' | 'expired' | 'invalidated' | 'unknown'

export interface ValidityInput {
  issuedAt: string | null
  validityHours: number
  receivedAt: string
  capturedAt: string | null
  capturedAtHasZone: boolean
  /** IANA zone of the customer (used for EXIF times without a zone). */
  customerTz: string
  /** Device clock minus real time, ms, when it was read from the device. */
  deviceOffsetMs: number | null
  invalidated: Invalidation | null
  toleranceMinutes: number
  now: number
}

export interface Warning {
  code: string
  message: string
}

export interface Validity {
  state: ValidityState
  /** Deadline in real time: the earlier of the vendor's (real clock) and the device's (its own clock). */
  expiresAt: string | null
  remainingMs: number | null
  /** EXIF capture time as an instant (zone applied), or null. */
  capturedAtUtc: string | null
  warnings: Warning[]
}

export function formatDuration(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60_000)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  return `${Math.round(h / 24)} days`
}

/** Offset (ms) of `tz` from UTC at instant `at`. Throws RangeError for unknown zones. */
export function zoneOffsetMs(tz: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(at))
  const g = (t: string) => Number(parts.find((p) => p.type === t)?.value)
  const asUtc = Date.UTC(g('year'), g('month') - 1, g('day'), g('hour') % 24, g('minute'), g('second'))
  return asUtc - Math.floor(at / 1000) * 1000
}

/** A wall-clock time without zone ("2026-11-21T14:03:00") read in `tz`, as an instant. */
export function wallTimeToUtc(local: string, tz: string): number {
  const naive = Date.parse(local.replace(/(Z|[+-]\d\d:?\d\d)$/, '') + 'Z')
  // Two passes settle DST edges (the offset at the guess can differ from the offset at the result).
  let guess = naive - zoneOffsetMs(tz, naive)
  guess = naive - zoneOffsetMs(tz, guess)
  return guess
}

export function isValidZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

export function assessValidity(i: ValidityInput): Validity {
  const warnings: Warning[] = []
  const tol = i.toleranceMinutes * 60_000
  const received = Date.parse(i.receivedAt)
  let captured: number | null = null
  if (i.capturedAt) captured = i.capturedAtHasZone ? Date.parse(i.capturedAt) : wallTimeToUtc(i.capturedAt, i.customerTz)
  if (captured !== null && Number.isNaN(captured)) captured = null
  const capturedAtUtc = captured === null ? null : new Date(captured).toISOString()

  if (i.deviceOffsetMs !== null && Math.abs(i.deviceOffsetMs) > tol) {
    warnings.push({
      code: 'device-clock',
      message: `The NVR clock is ${formatDuration(i.deviceOffsetMs)} ${i.deviceOffsetMs > 0 ? 'ahead' : 'behind'}. The device judges the code by its own clock, so the deadline shown is corrected for it; suggest the customer sets the clock after the reset.`,
    })
  }
  if (captured === null) {
    warnings.push({ code: 'no-capture-time', message: 'The photo has no capture time (messaging apps often remove it), so the NVR clock cannot be checked against the phone.' })
  } else {
    if (!i.capturedAtHasZone) warnings.push({ code: 'capture-zone-assumed', message: `The photo's capture time has no time zone; it was read as ${i.customerTz} (the customer's zone on this ticket).` })
    if (captured > received + tol) {
      warnings.push({ code: 'capture-after-receipt', message: `The phone says the photo was taken ${formatDuration(captured - received)} after it arrived here: the phone clock or its time zone is wrong.` })
    } else if (received - captured > 6 * 3600_000) {
      warnings.push({ code: 'old-photo', message: `The photo was taken ${formatDuration(received - captured)} before it arrived. Ask whether the Retrieve Password screen is still open: leaving it makes this QR useless.` })
    }
  }

  if (!i.issuedAt || Number.isNaN(Date.parse(i.issuedAt))) {
    return { state: i.invalidated ? 'invalidated' : 'unknown', expiresAt: null, remainingMs: null, capturedAtUtc, warnings }
  }
  const issued = Date.parse(i.issuedAt)
  const validity = i.validityHours * 3600_000
  if (issued > received + tol) {
    warnings.push({ code: 'issued-in-future', message: `The QR is dated ${formatDuration(issued - received)} after the photo arrived: the NVR clock is ahead. Codes may be refused as "dated in the future".` })
  } else if (received - issued > 2 * 3600_000) {
    warnings.push({ code: 'issued-long-ago', message: `By the NVR clock the QR was issued ${formatDuration(received - issued)} before the photo arrived: either the clock is behind or the screen has been open a long time.` })
  }
  if (captured !== null && captured < issued - tol) {
    warnings.push({ code: 'capture-before-issue', message: `The photo was taken ${formatDuration(issued - captured)} before the NVR says the QR was issued: the NVR clock (or the phone clock) is wrong.` })
  }
  // The vendor judges by real time, the device by its own clock: the earlier deadline wins.
  const vendorDeadline = issued + validity
  const deviceDeadline = i.deviceOffsetMs === null ? vendorDeadline : issued + validity - i.deviceOffsetMs
  const deadline = Math.min(vendorDeadline, deviceDeadline)
  const remaining = deadline - i.now
  let state: ValidityState = remaining <= 0 ? 'expired' : remaining < 2 * 3600_000 ? 'expiring' : 'valid'
  if (i.invalidated) state = 'invalidated'
  return { state, expiresAt: new Date(deadline).toISOString(), remainingMs: remaining, capturedAtUtc, warnings }
}

/** What makes the QR (and any code issued for it) useless, in the agent's words. */
export const INVALIDATED_BY: Record<Invalidation, string> = {
  'left-screen': 'The customer left the Retrieve Password screen: the NVR forgot this QR. Ask for a new photo of a freshly opened screen.',
  reboot: 'The NVR restarted (or lost power): the QR was lost with it. Ask for a new photo of a freshly opened screen.',
  'new-qr': 'A newer QR replaced this one on the NVR. Work from the newest photo.',
  'code-limit': 'Both codes this QR allows were used. Ask the customer to reopen the Retrieve Password screen for a new QR.',
}
