import { AppError, type Result } from '../../shared/contract/common'
import { FIRST_READS, MAX_FIRST_READS } from '../../shared/contract/first-reads'

const allowed = new Set<string>(FIRST_READS)

/**
 * The reads a page sent with its session request, each answered as POST /api/rpc/<method>
 * would answer it (the dispatcher validates the input and the result), in the order given;
 * null when none were asked for. A read that is not one of FIRST_READS is refused on its own:
 * the session still opens.
 */
export async function firstReads(raw: unknown, dispatch: (method: string, input: unknown) => Promise<Result<unknown>>): Promise<Result<unknown>[] | null> {
  if (raw === undefined) return null
  if (!Array.isArray(raw) || raw.length > MAX_FIRST_READS) {
    return [{ ok: false, error: new AppError('VALIDATION', `Reads sent with the session take a list of at most ${MAX_FIRST_READS} calls.`, { key: 'host.firstReadsList', values: { max: MAX_FIRST_READS } }).toJSON() }]
  }
  return Promise.all(
    raw.map((r: unknown) => {
      const { method, input } = (r ?? {}) as { method?: unknown; input?: unknown }
      if (typeof method !== 'string' || !allowed.has(method)) {
        const values = { allowed: FIRST_READS.join(', '), method: typeof method === 'string' ? method : 'this call' }
        return { ok: false as const, error: new AppError('VALIDATION', `Only ${values.allowed} can be read with the session; ask for ${values.method} with POST /api/rpc.`, { key: 'host.firstReadOnly', values }).toJSON() }
      }
      return dispatch(method, input ?? {})
    }),
  )
}
