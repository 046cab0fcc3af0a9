// 2N serial numbers: NN-NNNN-NNNN (2n-intercom.md §5.2). Customers read them off labels and
// certificates, so the usual slips are letters for digits (O/0, I/1, l/1, S/5, B/8) and
// missing or misplaced dashes; we say what we think they meant instead of just "invalid".
export const SERIAL_RE = /^\d{2}-\d{4}-\d{4}$/

const LOOKALIKES: Record<string, string> = { O: '0', Q: '0', D: '0', I: '1', L: '1', '|': '1', S: '5', B: '8', Z: '2', G: '6' }

export interface SerialCheck {
  valid: boolean
  /** The serial in canonical form when it could be worked out. */
  normalized: string | null
  /** Human hints, e.g. 'The letter "O" was read as the digit 0'. */
  hints: string[]
}

export function checkSerial(raw: string): SerialCheck {
  const typed = raw.trim()
  if (SERIAL_RE.test(typed)) return { valid: true, normalized: typed, hints: [] }
  const hints: string[] = []
  let s = typed.toUpperCase().replace(/[\s_.–—/]+/g, '-')
  const swapped = new Set<string>()
  s = s.replace(/[OQDILSBZG|]/g, (c) => (swapped.add(c), LOOKALIKES[c]))
  for (const c of swapped) hints.push(`“${c}” looks like a letter; serial numbers contain only digits, so it was read as ${LOOKALIKES[c]}.`)
  const digits = s.replace(/-/g, '')
  if (!/^\d+$/.test(digits)) {
    hints.push('A serial number has only digits and dashes, like 54-0562-0293.')
    return { valid: false, normalized: null, hints }
  }
  if (digits.length !== 10) {
    hints.push(`A serial number has 10 digits (NN-NNNN-NNNN); this one has ${digits.length}. Check for a missing or extra digit.`)
    return { valid: false, normalized: null, hints }
  }
  const normalized = `${digits.slice(0, 2)}-${digits.slice(2, 6)}-${digits.slice(6)}`
  if (s !== normalized) hints.push(s.includes('-') ? 'The dashes were in the wrong places.' : 'The dashes were missing.')
  return { valid: false, normalized, hints }
}

/** Where the serial can be read (the FAQ's three places). */
export const SERIAL_PLACES = [
  { value: 'label', label: 'Label on the back of the unit' },
  { value: 'web', label: 'Web interface of the device' },
  { value: 'certificate', label: 'Certificate of Ownership (in the box)' },
  { value: 'bench', label: 'Read from the device by the console' },
]
