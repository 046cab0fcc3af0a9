// Free text from customers (names, notes) may carry invisible or direction-changing characters
// (issue 13, finding 9: "54-\u202eFDP.exe\u202c" showed as "54-exe.PDF"). Shown text replaces
// each with a visible mark naming it, and templates put such text in <bdi> so it cannot reorder
// what surrounds it. Identifiers with them are refused by the contract (identifierText).
import { UNSAFE_TEXT, UNSAFE_TEXT_ALL } from '../../shared/contract/unsafe-text'

const code = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`

/** `s` with every invisible or direction-changing character shown as ⟦U+XXXX⟧. */
export function visible(s: string | null | undefined): string {
  if (!s) return s ?? ''
  return UNSAFE_TEXT.test(s) ? s.replace(UNSAFE_TEXT_ALL, (c) => `⟦${code(c)}⟧`) : s
}
