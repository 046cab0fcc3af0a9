// The installed procedures and the actions they may call. To add a procedure: write its
// definition in ./procedures (data only), add it to PROCEDURES, and register any new action
// names in `buildActions`. Definitions are validated (shape and graph) when first needed, and
// every one of them by the tests (definition.test.ts).
import type { Action } from '../features/workflows/actions'
import { validateProcedure, type ProcedureDef, type ProcedureDefInput } from '../features/workflows/definition'
import { my2nMoveActions, type My2nMoveDeps } from '../features/my2n-move/actions'
import { my2nMove } from '../features/my2n-move/procedure'
import { nvrPasswordReset, nvrPasswordResetV1 } from '../features/nvr-reset/procedure'
import { nvrResetActions, type NvrResetDeps } from '../features/nvr-reset/actions'

export const PROCEDURES: ProcedureDefInput[] = [my2nMove, nvrPasswordResetV1, nvrPasswordReset]

export type ActionDeps = My2nMoveDeps & NvrResetDeps

export function buildActions(deps: ActionDeps): Map<string, Action> {
  return new Map(Object.entries({ ...my2nMoveActions(deps), ...nvrResetActions(deps) }))
}

/** Every action name known to this build (for validating definitions without device access). */
export const ACTION_NAMES: ReadonlySet<string> = new Set(buildActions({ ops: null as never, my2n: async () => null as never }).keys())

/**
 * Validated procedures by id (the newest version, used for new runs) and by "id@version" (every
 * version listed): a run keeps the definition it was started with, so editing a procedure
 * (bump `version`, keep the old one in PROCEDURES while runs on it are open) never strands a
 * paused run on a step that no longer exists.
 */
export function loadProcedures(list: ProcedureDefInput[] = PROCEDURES, actions: ReadonlySet<string> = ACTION_NAMES): Map<string, ProcedureDef> {
  const m = new Map<string, ProcedureDef>()
  for (const raw of list) {
    const p = validateProcedure(raw, actions)
    const key = `${p.id}@${p.version}`
    if (m.has(key)) throw new Error(`Procedure ${p.id} version ${p.version} is listed twice`)
    m.set(key, p)
    const newest = m.get(p.id)
    if (!newest || newest.version < p.version) m.set(p.id, p)
  }
  return m
}

/**
 * loadProcedures() at the first look rather than when the console starts: validating the
 * definitions is a few dozen milliseconds of zod, and the host's start should not wait for
 * procedures no one has opened yet.
 */
export function lazyProcedures(load: () => Map<string, ProcedureDef> = () => loadProcedures()): ReadonlyMap<string, ProcedureDef> {
  let m: Map<string, ProcedureDef> | undefined
  const get = () => (m ??= load())
  return {
    get size() {
      return get().size
    },
    get: (k) => get().get(k),
    has: (k) => get().has(k),
    forEach: (cb, self) => get().forEach((v, k) => cb.call(self, v, k, get())),
    entries: () => get().entries(),
    keys: () => get().keys(),
    values: () => get().values(),
    [Symbol.iterator]: () => get()[Symbol.iterator](),
  }
}

export { latestProcedures } from '../features/workflows/definition'
