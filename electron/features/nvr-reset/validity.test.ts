import { describe, expect, it } from 'vitest'
import { assessValidity, formatDuration, wallTimeToUtc, zoneOffsetMs, type ValidityInput } from './validity'

const H = 3600_000
const issued = Date.parse('2026-11-22T08:00:00Z')
const base = (o: Partial<ValidityInput> = {}): ValidityInput => ({
  issuedAt: new Date(issued).toISOString(), validityHours: 24, receivedAt: new Date(issued + 10 * 60_000).toISOString(),
  capturedAt: new Date(issued + 5 * 60_000).toISOString(), capturedAtHasZone: true, customerTz: 'Europe/Prague',
  deviceOffsetMs: null, invalidated: null, toleranceMinutes: 10, now: issued + H, ...o,
})
const codes = (v: ReturnType<typeof assessValidity>) => v.warnings.map((w) => w.code)

describe('validity of a reset QR', () => {
  it('is one day from issue by default, and the deadline follows the configured validity', () => {
    const v = assessValidity(base())
    expect(v).toMatchObject({ state: 'valid', expiresAt: '2026-11-23T08:00:00.000Z', remainingMs: 23 * H, warnings: [] })
    expect(assessValidity(base({ validityHours: 48 })).expiresAt).toBe('2026-11-24T08:00:00.000Z')
    expect(assessValidity(base({ now: issued + 23 * H })).state).toBe('expiring')
    expect(assessValidity(base({ now: issued + 24 * H })).state).toBe('expired')
  })

  it('says the QR is invalidated whatever the time left', () => {
    expect(assessValidity(base({ invalidated: 'left-screen' })).state).toBe('invalidated')
    expect(assessValidity(base({ issuedAt: null, invalidated: 'reboot' })).state).toBe('invalidated')
    expect(assessValidity(base({ issuedAt: null })).state).toBe('unknown')
  })

  it('corrects the deadline for a device clock that runs ahead (the device expires the QR earlier)', () => {
    const v = assessValidity(base({ deviceOffsetMs: 2 * H }))
    expect(v.expiresAt).toBe('2026-11-23T06:00:00.000Z')
    expect(codes(v)).toContain('device-clock')
    // A clock behind does not extend the vendor's deadline.
    expect(assessValidity(base({ deviceOffsetMs: -2 * H })).expiresAt).toBe('2026-11-23T08:00:00.000Z')
  })

  it('warns when the NVR clock, the EXIF capture time and the receipt time disagree', () => {
    expect(codes(assessValidity(base({ issuedAt: new Date(issued + 3 * H).toISOString(), capturedAt: new Date(issued).toISOString() })))).toEqual(expect.arrayContaining(['issued-in-future', 'capture-before-issue']))
    expect(codes(assessValidity(base({ receivedAt: new Date(issued + 5 * H).toISOString(), capturedAt: new Date(issued + 4 * H).toISOString() })))).toContain('issued-long-ago')
    expect(codes(assessValidity(base({ capturedAt: new Date(issued + 2 * H).toISOString() })))).toContain('capture-after-receipt')
    expect(codes(assessValidity(base({ receivedAt: new Date(issued + 8 * H).toISOString(), capturedAt: new Date(issued + 60_000).toISOString() })))).toContain('old-photo')
    expect(codes(assessValidity(base({ capturedAt: null })))).toEqual(['no-capture-time'])
    // Within the tolerance nothing is said.
    expect(codes(assessValidity(base({ capturedAt: new Date(issued - 5 * 60_000).toISOString() })))).toEqual([])
  })

  it('reads an EXIF time without a zone in the customer’s zone', () => {
    // 09:05 in Prague (UTC+1 in November) is 08:05 UTC: consistent, only the assumption is noted.
    const v = assessValidity(base({ capturedAt: '2026-11-22T09:05:00', capturedAtHasZone: false }))
    expect(v.capturedAtUtc).toBe('2026-11-22T08:05:00.000Z')
    expect(codes(v)).toEqual(['capture-zone-assumed'])
    // The same wall time read as New York is five hours later than the photo arrived.
    expect(codes(assessValidity(base({ capturedAt: '2026-11-22T09:05:00', capturedAtHasZone: false, customerTz: 'America/New_York' })))).toContain('capture-after-receipt')
  })

  it('converts wall times across DST and formats durations', () => {
    expect(zoneOffsetMs('Europe/Prague', Date.parse('2026-07-01T00:00:00Z'))).toBe(2 * H)
    expect(new Date(wallTimeToUtc('2026-03-29T03:30:00', 'Europe/Prague')).toISOString()).toBe('2026-03-29T01:30:00.000Z')
    expect(formatDuration(90 * 60_000)).toBe('1 h 30 min')
    expect(formatDuration(-5 * 60_000)).toBe('5 min')
    expect(formatDuration(72 * H)).toBe('3 days')
  })
})
