import type { EventName, EventPayload } from '../../shared/contract/index'

type Listener = (name: EventName, payload: unknown) => void

/** Events from domain services to whichever transports are attached (IPC, SSE). */
export class EventBus {
  private listeners = new Set<Listener>()
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const l of this.listeners) {
      try {
        l(name, payload)
      } catch {
        // A broken subscriber (a closed socket) must not break the service that emitted.
      }
    }
  }
  subscribe(l: Listener): () => void {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }
}
