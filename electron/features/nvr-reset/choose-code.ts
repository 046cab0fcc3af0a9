// Which of the codes in a customer's photo is the reset code. An NVR's Retrieve Password
// screen often shows an app-download or cloud-binding QR beside the reset QR, and a box or a
// manual may be in the picture too: the console must take the reset code, say what the others
// are, and never use a code that is not a reset code without the agent choosing it.
import { parsePayload, PARSERS, type PayloadParser } from './payload'

/**
 * 'reset': a vendor parser claims it. 'unknown': no parser claims it, but it may be a reset
 * code of a format the console does not know (kept raw for the vendor's own tool).
 * 'other': recognisably something else (a link, Wi-Fi settings, a contact card).
 */
export type CodeKind = 'reset' | 'unknown' | 'other'

const OTHER = /^(https?:\/\/|www\.|market:|itms-apps:|mailto:|tel:|sms:|geo:|WIFI:|BEGIN:VCARD|BEGIN:VCALENDAR|MECARD:|MEBKM:)/i

export function codeKind(text: string, parsers: PayloadParser[] = PARSERS): CodeKind {
  if (parsePayload(text, parsers).format !== 'raw') return 'reset'
  return OTHER.test(text.trim()) ? 'other' : 'unknown'
}

export interface CodeChoice {
  /** Index of the code to use as the reset payload, or null when the agent must choose. */
  chosen: number | null
  kinds: CodeKind[]
}

/**
 * The reset code among a photo's codes: the first one a vendor parser claims (one it reads
 * without problems before a damaged one); failing that, the only code of unknown format; a
 * link or any other recognisable non-reset code is never chosen, and neither is one of two
 * or more unknown codes (the agent picks, seeing them all).
 */
export function chooseResetCode(codes: readonly { text: string }[], parsers: PayloadParser[] = PARSERS): CodeChoice {
  const kinds = codes.map((c) => codeKind(c.text, parsers))
  const resets = codes.map((c, i) => ({ i, parsed: parsePayload(c.text, parsers) })).filter((x) => kinds[x.i] === 'reset')
  const clean = resets.find((x) => x.parsed.fields && x.parsed.problems.length === 0)
  if (clean) return { chosen: clean.i, kinds }
  if (resets.length) return { chosen: resets[0].i, kinds }
  const unknown = kinds.flatMap((k, i) => (k === 'unknown' ? [i] : []))
  return { chosen: unknown.length === 1 ? unknown[0] : null, kinds }
}
