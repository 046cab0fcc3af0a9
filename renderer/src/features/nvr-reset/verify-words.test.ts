import { describe, expect, it } from 'vitest'
import { cs } from '../../i18n/cs'
import { lookup } from '../../i18n/en'
import { codeReference, verifyWords } from './verify-words'

const czech = (k: string) => lookup(cs, k) as string

describe('the reset verification sentence in the agent language', () => {
  it('translates each fixed half of the sentence the main process writes', () => {
    expect(verifyWords('The new password logs in; the old password is refused.', czech)).toBe('Nové heslo funguje; staré heslo je odmítnuto.')
    expect(verifyWords('The new password does NOT log in; the old password STILL logs in.', czech)).toBe('Nové heslo NEFUNGUJE; staré heslo STÁLE funguje.')
    expect(verifyWords('The new password logs in; the old password was not known, so it was not tried.', czech)).toBe('Nové heslo funguje; staré heslo nebylo známo, takže se nezkoušelo.')
  })
  it('shows anything else as it came', () => {
    expect(verifyWords('Wrong code: 4 tries left.', czech)).toBe('Wrong code: 4 tries left.')
    expect(verifyWords('', czech)).toBe('')
  })
})

describe('the vendor reference of a code', () => {
  it('is said in the agent language; other references stay as they are', () => {
    expect(codeReference('code 2 of this QR', (k, p) => (lookup(cs, k) as string).replace('{n}', p.n))).toBe('kód 2 tohoto QR')
    expect(codeReference('REF-55', () => 'x')).toBe('REF-55')
  })
})
