// The outbox worker: sends queued notes and replies, one at a time, in order.
//
// Exactly once, across crashes, network loss, outages and rate limits:
//  1. Before a request the item is marked 'sending' (committed). An item found 'sending' later
//     (the process died, or the answer never came) is uncertain: the provider is asked first
//     whether the key's marker is already on the helpdesk ticket, and only if not is it sent.
//  2. An HTTP error answer proves nothing was created: the item goes back to 'pending'.
//  3. 429/503 wait for Retry-After (the whole provider waits: the limit is per account);
//     other transient trouble backs off exponentially; a refusal (4xx) fails the item with
//     the helpdesk's reason for the agent to read, retry or cancel.
// Each state change that matters is audited in the same transaction as the change.
import type { HelpdeskProviderId } from '../../../shared/contract/helpdesk'
import type { HelpdeskRepo, OutboxRow } from '../../../db/repos/helpdesk'
import type { Events, Lifecycle, Recording, Store } from '../../infra/ports'
import { HelpdeskError, helpdeskStatusOf, type HelpdeskProvider } from './provider'

const MAX_BACKOFF_MS = 10 * 60_000
const DEFAULT_RETRY_MS = 30_000

export interface SyncResult {
  sent: number
  pending: number
  failed: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const iso = (t: number) => new Date(t).toISOString()

/** The worker's database (open while the console runs), changes with their entries, events, and close. */
export type OutboxDeps = Store & Pick<Recording, 'record'> & Events & Lifecycle

export class OutboxWorker {
  private running: Promise<number> | null = null
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(
    private readonly app: OutboxDeps,
    private readonly repo: HelpdeskRepo,
    private readonly providerFor: (id: HelpdeskProviderId) => Promise<HelpdeskProvider | null>,
    /** Runs before each pass: queues what became due to send (reports of completed procedures). */
    private readonly beforePass: () => Promise<unknown> = async () => undefined,
  ) {}

  /** One pass over the due items; returns how many were sent. Concurrent calls share the pass. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = null))
    return this.running
  }

  /** Sends until nothing is due, waiting out Retry-After/backoff up to `maxWaitMs` in total. */
  async drain(maxWaitMs = 120_000): Promise<SyncResult> {
    const until = Date.now() + maxWaitMs
    let sent = 0
    for (;;) {
      sent += await this.runOnce()
      const next = await this.repo.nextDue()
      const { pending } = await this.repo.counts()
      if (!pending || !next) break
      const wait = Date.parse(next) - Date.now()
      if (Date.now() + wait > until) break
      if (wait > 0) await sleep(wait)
    }
    return { sent, ...(await this.repo.counts()) }
  }

  /** Background sending while the console runs: at the next due time, and every 15 s. */
  start(): void {
    const tick = () => {
      if (this.stopped) return
      void this.runOnce()
        .catch(() => undefined)
        .then(() => (this.stopped ? null : this.repo.nextDue()))
        .catch(() => null)
        .then((next) => {
          // Also checked after the read: the console may have closed meanwhile.
          if (this.stopped) return
          const wait = next ? Math.min(15_000, Math.max(200, Date.parse(next) - Date.now())) : 15_000
          this.timer = setTimeout(tick, wait)
        })
    }
    this.timer = setTimeout(tick, 500)
    // A verified reset is reported at once, not at the next tick.
    const off = this.app.bus.subscribe((name) => {
      if (name === 'nvrReset.changed') this.kick()
    })
    this.app.onClose(() => {
      off()
      return this.stop()
    })
  }
  kick(): void {
    if (!this.stopped && this.timer) void this.runOnce().catch(() => undefined)
  }
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.running?.catch(() => undefined)
  }

  private async pass(): Promise<number> {
    if (this.app.db.open) await this.beforePass()
    const repo = this.repo
    const blocked = new Set<HelpdeskProviderId>() // waiting on a rate limit or an outage
    let sent = 0
    for (const item of await repo.due(iso(Date.now()))) {
      if (this.stopped || !this.app.db.open) break
      if (blocked.has(item.provider)) continue
      const provider = await this.providerFor(item.provider)
      if (!provider) {
        await this.fail(item, `No ${item.provider === 'rt' ? 'Request Tracker' : 'Zendesk'} is configured on this console any more.`)
        continue
      }
      const r = await this.sendOne(item, provider)
      if (r === 'sent') sent++
      else if (r === 'blocked') blocked.add(item.provider)
    }
    if (sent) this.app.bus.emit('helpdesk.changed', { ticketId: null })
    return sent
  }

  private async sendOne(item: OutboxRow, provider: HelpdeskProvider): Promise<'sent' | 'later' | 'blocked' | 'failed'> {
    const repo = this.repo
    // Uncertain: a crash or a lost answer after the request may have gone out. It stays
    // uncertain until the helpdesk has been asked; an error while asking changes nothing.
    let uncertain = item.status === 'sending'
    try {
      // A status change is idempotent: an uncertain one is simply set again.
      if (uncertain && item.kind !== 'status') {
        const ref = await provider.findSent(item.remoteTicketId, item.key)
        if (ref) return await this.done(item, ref, true)
        uncertain = false
      }
      await repo.setStatus(item.id, { status: 'sending', attempts: item.attempts + 1, nextAt: iso(Date.now()) })
      if (item.kind === 'status') return await this.done(item, await provider.setStatus(item.remoteTicketId, helpdeskStatusOf(item.body)), false)
      const files = (await repo.files(item.id)).map((f) => ({ name: f.name, mime: f.mime, content: f.content }))
      const ref = await provider.send(item.remoteTicketId, { key: item.key, kind: item.kind, subject: item.subject, body: item.body, files })
      return await this.done(item, ref, false)
    } catch (e) {
      if (!this.app.db.open) throw e
      if (!(e instanceof HelpdeskError)) {
        await this.fail(item, `Could not be sent: ${(e as Error).message}`)
        return 'failed'
      }
      const attempts = (await repo.outboxItem(item.id))!.attempts
      // No answer at all: the helpdesk may have it. Stay 'sending' so the next try looks first.
      const status = e.status === 0 || uncertain ? 'sending' : 'pending'
      if (e.status === 429 || e.status === 503) {
        const wait = e.retryAfterMs ?? DEFAULT_RETRY_MS
        await repo.setStatus(item.id, { status, nextAt: iso(Date.now() + wait), lastError: `${e.message} Waiting ${Math.ceil(wait / 1000)} s as the helpdesk asked (Retry-After).` })
        this.app.bus.emit('helpdesk.changed', { ticketId: item.ticketId })
        return 'blocked'
      }
      if (e.transient) {
        const wait = Math.min(MAX_BACKOFF_MS, 5_000 * 2 ** Math.max(0, attempts - 1))
        await repo.setStatus(item.id, { status, nextAt: iso(Date.now() + wait), lastError: `${e.message} Trying again in ${Math.ceil(wait / 1000)} s.` })
        this.app.bus.emit('helpdesk.changed', { ticketId: item.ticketId })
        return 'blocked'
      }
      await this.fail(item, e.message)
      return 'failed'
    }
  }

  private async done(item: OutboxRow, ref: string, recovered: boolean): Promise<'sent'> {
    const repo = this.repo
    const files = (await repo.files(item.id, false)).map((f) => ({ name: f.name, sha256: f.sha256 }))
    await this.app.record(
      () => repo.tx().setStatus(item.id, { status: 'sent', sentAt: iso(Date.now()), remoteRef: ref, lastError: null, nextAt: null }),
      () => ({
        action: 'helpdesk.sent',
        outcome: 'ok',
        ticketId: item.ticketId,
        inputs: { outboxId: item.id, key: item.key, kind: item.kind, provider: item.provider, remoteTicketId: item.remoteTicketId, remoteRef: ref, files, ...(recovered ? { foundAfterUncertainSend: true } : {}) },
      }),
    )
    this.app.bus.emit('helpdesk.changed', { ticketId: item.ticketId })
    return 'sent'
  }

  private async fail(item: OutboxRow, why: string): Promise<void> {
    const repo = this.repo
    await this.app.record(
      () => repo.tx().setStatus(item.id, { status: 'failed', lastError: why, nextAt: null }),
      () => ({ action: 'helpdesk.sent', outcome: 'failed', ticketId: item.ticketId, inputs: { outboxId: item.id, key: item.key, kind: item.kind, provider: item.provider, remoteTicketId: item.remoteTicketId }, detail: why }),
    )
    this.app.bus.emit('helpdesk.changed', { ticketId: item.ticketId })
  }
}
