// Row types derived from the contract (issue 11): a repo's row is its contract type with the
// keys spelled as the columns are (camelCase → snake_case), so a field the contract renames
// or retypes shows up as a type error in the repo's mapper instead of a silent undefined.
// db/repos/contract-columns.test.ts checks the other half: that the columns exist.

/** "ticketId" → "ticket_id", "sha256" → "sha256": an upper-case letter becomes "_" and its lower case. */
export type Snake<S extends string> = S extends `${infer H}${infer R}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${Snake<R>}` : S

/** `T` with the keys of `O` replaced by those of `O` (same keys or new ones). */
export type Override<T, O> = Omit<T, keyof O> & O

/**
 * The row of a contract type: every key in snake_case with the same value type. `O` declares
 * the columns stored differently, in snake_case: JSON text (`{ inputs: string }`), 0/1
 * booleans (`{ verified: number }`), columns the contract does not carry, or optional ones
 * (a column an older migration lacks): `RowOf<Ticket, { customer_lang?: Ticket['customerLang'] }>`.
 */
export type RowOf<T, O extends object = object> = Override<{ [K in keyof T & string as Snake<K>]: T[K] }, O>

/** The runtime twin of Snake: the column of a contract key. */
export const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
/** A column's contract key: "ticket_id" → "ticketId". */
export const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/**
 * A row with its columns renamed to contract keys, values untouched: for rows whose columns
 * need no conversion (the caller converts the few that do, e.g. 0/1 → boolean).
 */
export function fromRow<T>(r: Record<string, unknown>): T {
  const o: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(r)) o[camel(k)] = v
  return o as T
}
