import { AppError } from '../../../shared/contract/common'

/** Intakes running now, per ticket: what nvrReset.cancelIntake stops. One per console (ResetDeps.intakes). */
export class RunningIntakes {
  private byTicket = new Map<number, Set<AbortController>>()
  add(ticketId: number, c: AbortController): void {
    const set = this.byTicket.get(ticketId) ?? new Set()
    this.byTicket.set(ticketId, set.add(c))
  }
  remove(ticketId: number, c: AbortController): void {
    const set = this.byTicket.get(ticketId)
    set?.delete(c)
    if (set && !set.size) this.byTicket.delete(ticketId)
  }
  /** Stops every intake running for the ticket; returns how many were stopped. */
  cancel(ticketId: number): number {
    const set = this.byTicket.get(ticketId)
    if (!set) return 0
    for (const c of set) c.abort(new AppError('BAD_INPUT', 'The agent cancelled the photo intake.', { key: 'photos.cancelled' }))
    return set.size
  }
}
