import { describe, expect, it } from 'vitest'
import { codeMessage, greeting, formatDeadline, retakeMessage, spellFor } from './templates'
import { unmapPoint } from './photos'

const o = { code: 'O0lI1xYz', expiresAt: '2026-11-23T08:00:00.000Z', serial: '21023549MCHCPGXL3GZE', customerName: 'Jan Novák', agent: 'Eva Agent' }

describe('customer messages', () => {
  it('gives the code, spelled, the deadline in the customer’s zone and the screen warning (English)', () => {
    const m = codeMessage({ ...o, lang: 'en', tz: 'America/New_York' })
    expect(m.subject).toContain(o.serial)
    expect(m.body).toContain('    O0lI1xYz')
    expect(m.body).toContain('capital O, digit zero, lower-case l, capital I, digit one')
    expect(m.body).toContain('Monday, 23 November 2026 at 03:00 (America/New_York)')
    expect(m.body).toMatch(/do NOT leave the "Retrieve Password" screen/)
  })

  it('in Czech, with Czech date words and spelling', () => {
    const m = codeMessage({ ...o, lang: 'cs', tz: 'Europe/Prague' })
    expect(m.body).toContain('pondělí 23. listopadu 2026 v 09:00 (Europe/Prague)')
    expect(m.body).toContain('velké O, číslice nula, malé l, velké I, číslice jedna')
    expect(m.body).toContain('NEOPOUŠTĚJTE')
    expect(spellFor('a9', 'cs')).toBe('malé a, číslice devět')
    expect(formatDeadline(o.expiresAt, 'Asia/Tokyo', 'en')).toContain('17:00 (Asia/Tokyo)')
  })

  it('in German, with German date words and spelling', () => {
    const m = codeMessage({ ...o, lang: 'de', tz: 'Europe/Berlin' })
    expect(m.subject).toContain(o.serial)
    expect(m.body).toContain('Montag, 23. November 2026 um 09:00 (Europe/Berlin)')
    expect(m.body).toContain('groß O, Ziffer null, klein l, groß I, Ziffer eins')
    expect(m.body).toContain('Verlassen Sie den Bildschirm „Retrieve Password“ NICHT')
  })

  it('photo tips in every language', () => {
    expect(retakeMessage({ lang: 'de', customerName: 'A', agent: 'B' }).body).toMatch(/Blitz aus/)
    expect(retakeMessage({ lang: 'en', customerName: 'A', agent: 'B' }).body).toMatch(/flash off/)
    expect(retakeMessage({ lang: 'cs', customerName: 'A', agent: 'B' }).body).toMatch(/Vypněte blesk/)
  })
})

describe('crop assist coordinates', () => {
  const rect = { x: 100, y: 50, w: 200, h: 80 }
  it('maps points of the turned crop back to the photo', () => {
    expect(unmapPoint(10, 20, rect, 0)).toEqual([110, 70])
    // 90° clockwise: the crop's top-left corner ends up top-right, at (h, 0) of the turned image.
    expect(unmapPoint(80, 0, rect, 90)).toEqual([100, 50])
    expect(unmapPoint(0, 0, rect, 180)).toEqual([300, 130])
    expect(unmapPoint(0, 200, rect, 270)).toEqual([100, 50])
  })

})

describe('customer messages', () => {
  it('greets the customer as a person would write', () => {
    expect(codeMessage({ ...o, lang: 'cs', tz: 'Europe/Prague', customerName: 'Petr Dvořák' }).body.split('\n')[0]).toBe('Dobrý den,')
    expect(codeMessage({ ...o, lang: 'en', tz: 'Europe/Prague', customerName: 'Petr Dvořák' }).body.split('\n')[0]).toBe('Hello Petr,')
    expect(retakeMessage({ lang: 'en', customerName: 'Acme Security s.r.o.', agent: 'B' }).body.split('\n')[0]).toBe('Hello,')
    expect(retakeMessage({ lang: 'cs', customerName: 'Jiří Černý', agent: 'B' }).body.split('\n')[0]).toBe('Dobrý den,')
    expect(greeting('en', '  ')).toBe('Hello,')
    expect(greeting('en', 'Zofia Wójcik (Alarm Plus)')).toBe('Hello Zofia,')
    expect(greeting('en', 'Door&Co')).toBe('Hello,')
  })
})
