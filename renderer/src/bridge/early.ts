// Replies asked for before the app's code ran (the first screen's reads, sent with the session
// exchange or, after a reload, at once): the first call of the same method with the same input
// takes its reply instead of asking again. Once, and only while fresh: a later call asks anew.
// No imports: this runs before Vue is evaluated.

/** What the host answered: the HTTP status and the `{ ok, … }` body. */
export interface RawReply {
  status: number
  body: unknown
}

const FRESH_MS = 5000
const waiting = new Map<string, Promise<RawReply | null>>()
const key = (method: string, input: unknown) => `${method} ${JSON.stringify(input ?? {})}`

/** Keeps a reply for the first matching call; a null reply means "ask the host yourself". */
export function putEarly(method: string, input: unknown, reply: Promise<RawReply | null>): void {
  const k = key(method, input)
  const mine = reply.catch(() => null)
  waiting.set(k, mine)
  setTimeout(() => {
    if (waiting.get(k) === mine) waiting.delete(k)
  }, FRESH_MS)
}

/** The early reply for this call, if one is waiting (taken: the next call asks the host). */
export function takeEarly(method: string, input: unknown): Promise<RawReply | null> | undefined {
  // After start-up nothing waits: no call (a photo upload among them) pays for its key.
  if (waiting.size === 0) return undefined
  const k = key(method, input)
  const p = waiting.get(k)
  waiting.delete(k)
  return p
}
