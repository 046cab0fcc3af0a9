// Retention: photos, certificates, statements and vendor replies are customer data and
// are purged a configurable number of days after they were added. The purge drops the
// bytes and keeps the row with its SHA-256, and each purge is an audit entry, so the
// trail still proves what was there. Config backups are not personal: kept until deleted.
import type { App } from '../core/app'
import { erasingAsync, vault } from './vault'

export const RETENTION_KEY = 'retention.personalDays'
export const DEFAULT_PERSONAL_DAYS = 90

export async function retentionDays(app: App): Promise<number> {
  return (await app.settings.get<number>(RETENTION_KEY)) ?? DEFAULT_PERSONAL_DAYS
}

export async function setRetentionDays(app: App, days: number): Promise<number> {
  const before = await retentionDays(app)
  await app.record(
    // Written inside the audited transaction (SettingsRepo.set is async, so the SQL is here).
    () =>
      app.db
        .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
        .run(RETENTION_KEY, JSON.stringify(days), new Date().toISOString()),
    () => ({ action: 'settings.retention', outcome: 'ok', inputs: { from: before, to: days } }),
  )
  return days
}

/**
 * Other features that keep customer data of their own (e.g. the photos of an NVR reset case)
 * register a purge here; it runs with the same cutoff, must keep hashes and audit what it drops.
 */
export type PersonalDataPurge = (app: App, cutoffIso: string, agent: string) => Promise<number>
const extraPurges = new Map<string, PersonalDataPurge>()
export function registerPersonalDataPurge(name: string, purge: PersonalDataPurge): void {
  extraPurges.set(name, purge)
}

/**
 * Purges what has expired at `now`; returns how many items were purged. Freed pages are
 * zeroed and the WAL checkpointed, so the bytes leave the database file too (see erasing).
 */
export async function purgeExpired(app: App, now = new Date()): Promise<number> {
  const days = await retentionDays(app)
  if (days <= 0) return 0
  return erasingAsync(app, () => purgeAll(app, days, now))
}

async function purgeAll(app: App, days: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString()
  const v = vault(app)
  const agent = await app.agentLabel()
  const tickets = new Set<number>()
  let n = 0
  for (const m of v.expired(cutoff)) {
    if (v.purgeSync(m.id, 'retention', agent, now.toISOString(), `Kept ${days} days (retention setting).`)) {
      n++
      tickets.add(m.ticketId)
    }
  }
  for (const ticketId of tickets) app.bus.emit('evidence.changed', { ticketId })
  for (const purge of extraPurges.values()) n += await purge(app, cutoff, agent)
  return n
}

/** Purges at start and then every hour while the app runs. */
export function scheduleRetention(app: App): void {
  const run = () => purgeExpired(app).catch(() => undefined) // a failed purge retries next hour
  void run()
  const timer = setInterval(run, 3_600_000)
  timer.unref()
  app.onClose(() => clearInterval(timer))
}
