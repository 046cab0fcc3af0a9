// The NVR reset's verification sentence (electron/features/nvr-reset/apply.ts) in the agent's
// language, and the vendor's reference of a code ("code 2 of this QR"). The main process composes it from two fixed halves and stores it as English in the
// case (and its audit entry); here each half is looked up, and anything else is shown as it is.
import { t, type MessageKey } from '../../i18n/en'

const NEW: Record<string, 'newWorks' | 'newFails'> = { 'The new password logs in': 'newWorks', 'The new password does NOT log in': 'newFails' }
const OLD: Record<string, 'oldUnknown' | 'oldRefused' | 'oldWorks'> = {
  'the old password was not known, so it was not tried': 'oldUnknown',
  'the old password is refused': 'oldRefused',
  'the old password STILL logs in': 'oldWorks',
}

export function verifyWords(detail: string, tr: (key: MessageKey) => string = (k) => t(k)): string {
  const m = detail.match(/^(.*?); (.*)\.$/)
  const a = m && NEW[m[1]]
  const b = m && OLD[m[2]]
  return a && b ? `${tr(`nvrReset.verifyWords.${a}`)}; ${tr(`nvrReset.verifyWords.${b}`)}.` : detail
}

/** "code 2 of this QR" (the lab vendor's reference, reset-codes/providers.ts) in the agent's language. */
export function codeReference(ref: string, tr: (key: MessageKey, p: { n: string }) => string = (k, p) => t(k, p)): string {
  const m = ref.match(/^code (\d+) of this QR$/)
  return m ? tr('nvrReset.codeOfQr', { n: m[1] }) : ref
}
