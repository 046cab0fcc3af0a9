// A module of its own, without zod: the renderer marks such characters on its first screen,
// and importing them from common.ts would put zod and every schema there into the start bundle.

/**
 * Invisible and direction-changing characters (issue 13, finding 9): C0/C1 controls, zero-width
 * characters, bidirectional embeddings, overrides and isolates, the BOM. A serial
 * "54-\u202eFDP.exe\u202c" showed as "54-exe.PDF". Never accepted in identifiers; shown marked
 * in free text (renderer/src/safe-text.ts).
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this matches
export const UNSAFE_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/
export const UNSAFE_TEXT_ALL = new RegExp(UNSAFE_TEXT.source, 'g')
