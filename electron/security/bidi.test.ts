// Issue 13, finding 9: bidirectional-text spoofing. The serial "54-\u202eFDP.exe\u202c" showed as
// "54-exe.PDF" on the ticket page. Identifiers with invisible or direction-changing characters
// are refused by the contract (both transports validate with it); free text keeps them but is
// shown with each one visibly marked (renderer/src/safe-text.ts, inside <bdi>).
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { visible } from '../../renderer/src/safe-text'
import { createDispatcher } from '../core/api'
import { App } from '../core/app'
import { memoryKeyProvider } from '../infra/secret-box'

const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
const call = createDispatcher(app)
const ctx = { transport: 'test' as const }
afterAll(() => app.close())

describe('identifiers shown safely', () => {
  it('refuses bidi overrides, isolates, zero-width and control characters in serials, models and helpdesk IDs', async () => {
    for (const bad of ['54-\u202eFDP.exe\u202c', '54-0001\u200b', '\u2066ZD-1\u2069', 'ZD\u00001', 'A\u061c'.replace('\u061c', '\u200f'), 'SN\tX']) {
      for (const field of ['deviceSerial', 'externalRef', 'deviceModel']) {
        const r = await call('tickets.create', { customerName: 'C', [field]: bad }, ctx)
        expect([field, JSON.stringify(bad), r]).toEqual([field, JSON.stringify(bad), expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'VALIDATION', field, message: expect.stringMatching(/direction-changing characters/) }) })])
      }
    }
    expect(await call('tickets.create', { customerName: 'Novák', deviceSerial: '54-0001-2345', externalRef: 'ZD-13' }, ctx)).toMatchObject({ ok: true })
  })

  it('keeps them in names and notes, shown visibly marked', async () => {
    const r = (await call('tickets.create', { customerName: 'Eva \u202eFDP.exe', notes: 'see \u2067attached\u2069' }, ctx)) as { ok: true; value: { customerName: string; notes: string } }
    expect(r.ok).toBe(true)
    expect(visible(r.value.customerName)).toBe('Eva ⟦U+202E⟧FDP.exe')
    expect(visible(r.value.notes)).toBe('see ⟦U+2067⟧attached⟦U+2069⟧')
    expect(visible('Plain Nov\u00e1k')).toBe('Plain Novák')
  })
})
