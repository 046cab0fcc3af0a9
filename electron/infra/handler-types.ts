import type { Method, Output, ParsedInput } from '../../shared/contract/index'

/** Who is calling: used for audit entries and per-transport rules. */
export interface CallContext {
  transport: 'ipc' | 'http' | 'cli' | 'test'
}

export type Handler<M extends Method> = (input: ParsedInput<M>, ctx: CallContext) => Promise<Output<M>>
export type HandlerMap<M extends Method> = { [K in M]: Handler<K> }
export type Handlers = HandlerMap<Method>
