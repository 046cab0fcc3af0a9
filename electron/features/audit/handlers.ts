import type { AuditItem } from '../../../shared/contract/audit'
import { AuditQueryRepo, type AuditRow } from '../../../db/repos/audit-query'
import BetterSqlite3 from 'better-sqlite3'
import { verifyAllAsync } from './integrity'
import type { BenchLock } from './lock'
import type { DataDir, Events, Recording, Secrets, Store } from '../../infra/ports'
import type { HandlerMap } from '../../infra/handler-types'

export function toAuditItem(r: AuditRow): AuditItem {
  let inputs: Record<string, unknown> = {}
  try {
    const v = JSON.parse(r.inputs) as unknown
    if (v && typeof v === 'object' && !Array.isArray(v)) inputs = v as Record<string, unknown>
  } catch {
    inputs = { raw: r.inputs }
  }
  return { seq: r.seq, at: r.at, agent: r.agent, ticketId: r.ticket_id, device: r.device, action: r.action, inputs, outcome: r.outcome, detail: r.detail, prevHash: r.prev_hash, hash: r.hash }
}

type M = 'audit.list' | 'audit.facets' | 'audit.verify' | 'retention.get' | 'retention.set' | 'lock.status' | 'lock.setPin' | 'lock.clearPin' | 'lock.lock' | 'lock.unlock'

/** The trail (read, verified on a connection of its own), the bench lock and the personal-data retention. */
export type AuditHandlerDeps = Store & Recording & Events & Secrets & DataDir & { readonly dbPath: string }
export interface AuditServices {
  lock: BenchLock
  /** Days personal data is kept (electron/features/evidence/retention.ts). */
  retention: { get(): Promise<number>; set(days: number): Promise<number> }
}

export function auditHandlers(deps: AuditHandlerDeps, s: AuditServices): HandlerMap<M> {
  const q = new AuditQueryRepo(deps.db)
  return {
    'audit.list': async (f) => {
      const { rows, total } = await q.page(f)
      return { items: rows.map(toAuditItem), total, nextBeforeSeq: rows.length === f.limit ? rows[rows.length - 1].seq : null }
    },
    'audit.facets': () => q.facets(),
    'audit.verify': async () => {
      // A connection of its own: the check holds a read snapshot across pauses while the app keeps writing.
      const ro = new BetterSqlite3(deps.dbPath, { readonly: true, fileMustExist: true })
      let report
      try {
        report = await verifyAllAsync(ro, {
          dataDir: deps.dataDir,
          key: deps.secrets.auditKey(),
          onProgress: (done, total) => deps.bus.emit('task.progress', { task: 'audit.verify', label: 'Verifying the audit trail', done, total, finished: false }),
        })
      } finally {
        ro.close()
      }
      deps.bus.emit('task.progress', { task: 'audit.verify', label: 'Verifying the audit trail', done: report.entries, total: report.entries, finished: true })
      await deps.audit({ action: 'audit.verify', outcome: report.ok ? 'ok' : 'failed', inputs: { entries: report.entries, headSeq: report.head?.seq ?? 0 }, detail: report.firstBreak?.message ?? report.records.problems[0]?.message ?? report.evidence.problems[0]?.message ?? '' })
      return report
    },
    'retention.get': async () => ({ personalDays: await s.retention.get() }),
    'retention.set': async ({ personalDays }) => ({ personalDays: await s.retention.set(personalDays) }),
    'lock.status': () => s.lock.status(),
    'lock.setPin': ({ pin, currentPin, idleMinutes }) => s.lock.setPin(pin, idleMinutes, currentPin),
    'lock.clearPin': ({ currentPin }) => s.lock.clearPin(currentPin),
    'lock.lock': () => s.lock.lockNow(),
    'lock.unlock': ({ pin }) => s.lock.unlock(pin),
  }
}
