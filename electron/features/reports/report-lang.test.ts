// The PDF report in the agent's UI language: Czech and German labels, dates and durations
// (Czech diacritics drawn by the embedded font), English as it always was.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { cs } from '../../../renderer/src/i18n/cs'
import { de } from '../../../renderer/src/i18n/de'
import { tempDir } from '../../../db/test/helpers'
import { createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { hasPhrase } from './phrases'
import { PHRASES_CS } from './phrases-cs'
import { PHRASES_DE } from './phrases-de'
import { reportTexts } from './report-texts'

const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})
const ctx = { transport: 'test' as const }

async function pdfText(lang?: string): Promise<{ text: string; ok: boolean; error?: unknown }> {
  const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
  apps.push(app)
  const call = createDispatcher(app)
  await call('system.setAgent', { name: 'Eva Dvořáková' }, ctx)
  await call('tickets.create', { customerName: 'Jiří Černý', externalRef: 'ZD-17', deviceSerial: '54-0559-5383', procedure: 'my2n-move' }, ctx)
  await call('tickets.setStatus', { id: 1, status: 'waiting' }, ctx)
  const r = await call('reports.ticketPdf', lang === undefined ? { ticketId: 1 } : { ticketId: 1, lang }, ctx)
  if (!r.ok) return { text: '', ok: false, error: r.error }
  const file = join(tempDir(), 'r.pdf')
  writeFileSync(file, Buffer.from((r.value as { dataBase64: string }).dataBase64, 'base64'))
  return { text: execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' '), ok: true }
}

describe('PDF report language', () => {
  it('in Czech: Czech labels, audit titles and dates, diacritics drawn', async () => {
    const { text } = await pdfText('cs')
    for (const s of ['Tiket #1 (ZD-17)', 'Stav: čeká', 'Zákazník', 'Jméno', 'Sériové číslo', 'Postup a výsledek', 'Přesun interkomu 2N do jiného účtu My2N', 'Důkazy (0)', 'Vydané kódy a hesla', 'Integrita', 'Časová osa (záznamů: 3)', 'Tiket otevřen', 'Stav tiketu změněn', 'strana 1', 'Jiří Černý']) expect(text).toContain(s)
    expect(text).toMatch(/otevřen \d{1,2}\. \d{1,2}\. \d{4} \d\d:\d\d:\d\d UTC/)
    expect(text).not.toContain('Customer')
    expect(text).not.toContain('Timeline')
  })

  it('in German: German labels and dates', async () => {
    const { text } = await pdfText('de')
    for (const s of ['Kunde', 'Seriennummer', 'Ablauf und Ergebnis', 'Verlauf (3 Einträge)', 'Ticket angelegt', 'Seite 1', 'Status: wartend']) expect(text).toContain(s)
    expect(text).toMatch(/eröffnet \d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d UTC/)
  })

  it('in English (or with no language sent) as it always was; another language is refused', async () => {
    for (const lang of [undefined, 'en']) {
      const { text } = await pdfText(lang)
      for (const s of ['Ticket #1 (ZD-17)', 'Status: waiting', 'Customer', 'Serial number', 'Procedure and outcome', 'Timeline (3 entries)', 'Ticket opened', 'page 1']) expect(text).toContain(s)
      expect(text).toMatch(/opened \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/)
    }
    expect(await pdfText('fr')).toMatchObject({ ok: false, error: { code: 'VALIDATION' } })
  })

  it('writes durations and dates in each language', () => {
    const a = '2026-12-06T09:05:00.000Z'
    const b = '2026-12-06T10:10:30.000Z'
    expect(reportTexts('en').duration(a, b)).toBe('1 h 5 min')
    expect(reportTexts('cs').duration(a, b)).toBe('1 h 5 min')
    expect(reportTexts('de').duration(a, b)).toBe('1 Std. 5 Min.')
    expect(reportTexts('en').duration(a, '2026-12-06T09:05:42.000Z')).toBe('42 s')
    expect(reportTexts('en').when(a)).toBe('2026-12-06 09:05:00 UTC')
    expect(reportTexts('cs').when(a)).toBe('6. 12. 2026 09:05:00 UTC')
    expect(reportTexts('de').when(a)).toBe('06.12.2026 09:05:00 UTC')
  })

  it('has a Czech and German audit title for every English one, the same words the console shows', () => {
    const flat = (o: object, pre = '', out: Record<string, string> = {}): Record<string, string> => {
      for (const [k, v] of Object.entries(o)) {
        if (typeof v === 'string') out[pre + k] = v
        else flat(v as object, `${pre}${k}.`, out)
      }
      return out
    }
    for (const [table, ui] of [[PHRASES_CS, cs], [PHRASES_DE, de]] as const) {
      const shown = flat(ui.audit.actions)
      const want = Object.keys(shown).filter(hasPhrase)
      expect(Object.keys(table).sort()).toEqual(want.sort())
      for (const k of want) expect(table[k], k).toBe(shown[k])
    }
    // Every English title has a translation (an action added in English only fails here).
    expect(Object.keys(PHRASES_CS).filter((k) => !hasPhrase(k))).toEqual([])
  })
})
