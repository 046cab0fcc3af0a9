// Retention: photos, certificates, statements and vendor replies are customer data and
// are purged a configurable number of days after they were added. The purge drops the
// bytes and keeps the row with its SHA-256, and each purge is an audit entry, so the
// trail still proves what was there. Config backups are not personal: kept until deleted.
import type { CommonRepos, Events, Lifecycle, Recording } from '../../infra/ports'
import type { EvidenceVault } from './vault'

export const RETENTION_KEY = 'retention.personalDays'
export const DEFAULT_PERSONAL_DAYS = 90

export async function retentionDays(deps: Pick<CommonRepos, 'settings'>): Promise<number> {
  return (await deps.settings.get<number>(RETENTION_KEY)) ?? DEFAULT_PERSONAL_DAYS
}

export async function setRetentionDays(deps: Pick<CommonRepos, 'settings'> & Pick<Recording, 'record'>, days: number): Promise<number> {
  const before = await retentionDays(deps)
  await deps.record(
    // Written inside the audited transaction.
    () => deps.settings.tx().set(RETENTION_KEY, days),
    () => ({ action: 'settings.retention', outcome: 'ok', inputs: { from: before, to: days } }),
  )
  return days
}

/**
 * Other features that keep customer data of their own (e.g. the photos of an NVR reset case)
 * hand the retention run a purge (wired in the composition root); it runs with the same
 * cutoff, must keep hashes and audit what it drops.
 */
export type PersonalDataPurge = (cutoffIso: string, agent: string) => Promise<number>

/** What the retention run needs: the setting, the agent, the vault, events, the close hook, and the other features' purges. */
export type RetentionDeps = Pick<CommonRepos, 'settings'> & Pick<Recording, 'agentLabel'> & Events & Lifecycle & {
  readonly vault: EvidenceVault
  readonly purges: readonly PersonalDataPurge[]
}

/**
 * Purges what has expired at `now`; returns how many items were purged. Freed pages are
 * zeroed and the WAL checkpointed, so the bytes leave the database file too (see EvidenceRepo.erasingAsync).
 */
export async function purgeExpired(deps: RetentionDeps, now = new Date()): Promise<number> {
  const days = await retentionDays(deps)
  if (days <= 0) return 0
  return deps.vault.repo.erasingAsync(() => purgeAll(deps, days, now))
}

async function purgeAll(deps: RetentionDeps, days: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString()
  const v = deps.vault.repo
  const agent = await deps.agentLabel()
  const tickets = new Set<number>()
  let n = 0
  for (const m of await v.expired(cutoff)) {
    if (await v.purge(m.id, 'retention', agent, now.toISOString(), `Kept ${days} days (retention setting).`)) {
      n++
      tickets.add(m.ticketId)
    }
  }
  for (const ticketId of tickets) deps.bus.emit('evidence.changed', { ticketId })
  for (const purge of deps.purges) n += await purge(cutoff, agent)
  return n
}

/** Purges at start and then every hour while the app runs. */
export function scheduleRetention(deps: RetentionDeps): void {
  const run = () => purgeExpired(deps).catch(() => undefined) // a failed purge retries next hour
  void run()
  const timer = setInterval(run, 3_600_000)
  timer.unref()
  deps.onClose(() => clearInterval(timer))
}
