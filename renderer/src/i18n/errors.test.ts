// Errors from the main process in the agent's language: the key and values of an AppError
// are shown translated; an unknown key, or none, falls back to the English message and hint.
import { afterAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/contract/common'
import { errorText } from './errors'
import { detectLocale, setLocale } from './index'

afterAll(() => setLocale('en'))

describe('errors from the main process', () => {
  const badZone = new AppError('VALIDATION', '"Mars/Olympus" is not a time zone (use names like Europe/Prague or America/New_York).', { field: 'customerTz', key: 'nvrReset.badZone', values: { zone: 'Mars/Olympus' } }).toJSON()

  it('travel with their key and values, the English message kept', () => {
    expect(badZone).toEqual({ code: 'VALIDATION', message: expect.stringContaining('is not a time zone'), field: 'customerTz', key: 'nvrReset.badZone', values: { zone: 'Mars/Olympus' } })
  })

  it('are shown in Czech and German, hints too', async () => {
    await setLocale('cs')
    expect(errorText(badZone).message).toBe('„Mars/Olympus“ není časové pásmo (použijte názvy jako Europe/Prague nebo America/New_York).')
    const lockout = new AppError('LOCKOUT_RISK', 'Backup: the device says logins are blocked (5 min). The console stopped and will not try again.', { hint: 'Wait…', key: 'devices.lockout', values: { detail: '5 min' } }).toJSON()
    expect(errorText(lockout)).toEqual({ message: 'Zařízení hlásí, že přihlašování je zablokované (5 min). Konzole se zastavila a nebude to zkoušet znovu.', hint: expect.stringContaining('počkejte, až blokace vyprší') })
    await setLocale('de')
    expect(errorText(badZone).message).toBe('„Mars/Olympus“ ist keine Zeitzone (verwenden Sie Namen wie Europe/Prague oder America/New_York).')
  })

  it('fall back to English when the renderer does not know the key, or there is none', async () => {
    await setLocale('cs')
    expect(errorText({ code: 'DEVICE', message: 'Something new went wrong.', hint: 'Try X.', key: 'devices.somethingNew' })).toEqual({ message: 'Something new went wrong.', hint: 'Try X.' })
    expect(errorText({ code: 'DEVICE', message: 'Plain English.', hint: 'Do Y.' })).toEqual({ message: 'Plain English.', hint: 'Do Y.' })
    // A translated message whose key has no translated hint keeps the English hint.
    expect(errorText({ code: 'FORBIDDEN', message: 'm', hint: 'Type the serial.', key: 'workflow.confirmMismatch', values: { step: 'Reset', expected: '54-0562' } })).toEqual({ message: 'Pro spuštění kroku „Reset“ napište přesně: 54-0562.', hint: 'Type the serial.' })
  })

  it('the language follows the OS languages in order, else English', () => {
    expect(detectLocale(['fr-FR', 'de-AT', 'cs'])).toBe('de')
    expect(detectLocale(['cs-CZ'])).toBe('cs')
    expect(detectLocale(['ja'])).toBe('en')
  })
})
