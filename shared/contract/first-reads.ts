// The reads a page may ask for together with its session (POST /api/session, `reads`), so the
// first screen needs no second round trip. Only calls that change nothing: opening a session
// must never do anything else. No zod here: the page's boot code imports this before the app.
import type { Input, Method } from './index'

export const FIRST_READS = ['tickets.list', 'tickets.counts', 'lock.status', 'system.info'] as const satisfies readonly Method[]
export type FirstRead = (typeof FIRST_READS)[number]
/** At most this many reads ride with one session. */
export const MAX_FIRST_READS = 8

/** The ticket list's query as the list asks for it (the boot code's key must be the very same). */
export const ticketListQuery = (search: string, status: NonNullable<Input<'tickets.list'>['status']>): Input<'tickets.list'> => ({ search, status, limit: 200 })
