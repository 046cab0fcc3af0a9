// The one typed contract: main (IPC), preload, the browser host and the renderer all use it.
// Each feature keeps its methods and events in its own file; this file only merges them.
import type { z } from 'zod'
import { systemEvents, systemMethods } from './system'
import { ticketEvents, ticketMethods } from './tickets'
import { auditEvents, auditMethods } from './audit'
import { evidenceEvents, evidenceMethods } from './evidence'
import { deviceEvents, deviceMethods } from './devices'
import { discoveryEvents, discoveryMethods } from './discovery'
import { reportMethods } from './reports'
import { nvrResetEvents, nvrResetMethods } from './nvr-reset'
import { workflowEvents, workflowMethods } from './workflows'
import { helpdeskEvents, helpdeskMethods } from './helpdesk'
import { connectionMethods } from './connections'

export * from './common'
export * from './system'
export * from './tickets'
export * from './audit'
export * from './evidence'
export * from './devices'
export * from './discovery'
export * from './reports'
export * from './nvr-reset'
export * from './workflows'
export * from './helpdesk'
export * from './connections'

export const methods = {
  ...systemMethods,
  ...ticketMethods,
  ...auditMethods,
  ...evidenceMethods,
  ...deviceMethods,
  ...discoveryMethods,
  ...reportMethods,
  ...nvrResetMethods,
  ...workflowMethods,
  ...helpdeskMethods,
  ...connectionMethods,
}
export const events = {
  ...systemEvents,
  ...ticketEvents,
  ...auditEvents,
  ...evidenceEvents,
  ...deviceEvents,
  ...discoveryEvents,
  ...nvrResetEvents,
  ...workflowEvents,
  ...helpdeskEvents,
}

export type Methods = typeof methods
export type Method = keyof Methods
export type EventName = keyof typeof events
/** What a caller passes (defaults may be omitted). */
export type Input<M extends Method> = z.input<Methods[M]['input']>
/** What a handler receives after parsing (defaults filled in). */
export type ParsedInput<M extends Method> = z.output<Methods[M]['input']>
export type Output<M extends Method> = z.output<Methods[M]['output']>
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>

export const methodNames = Object.keys(methods) as Method[]
export const eventNames = Object.keys(events) as EventName[]
export const isMethod = (m: string): m is Method => Object.hasOwn(methods, m)
export const isEvent = (e: string): e is EventName => Object.hasOwn(events, e)

/** What the renderer talks to, whichever the transport (Electron IPC or the loopback HTTP host). */
export interface Bridge {
  invoke<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>
  on<E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): () => void
}
