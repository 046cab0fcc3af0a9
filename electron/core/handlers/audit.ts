import type { AuditItem } from '../../../shared/contract/audit'
import { AuditQueryRepo, type AuditRow } from '../../../db/repos/audit-query'
import BetterSqlite3 from 'better-sqlite3'
import { verifyAllAsync } from '../../audit/integrity'
import { clearPin, lockNow, lockStatus, setPin, unlock } from '../../audit/lock'
import { retentionDays, setRetentionDays } from '../../evidence/retention'
import type { App } from '../app'
import type { HandlerMap } from './types'

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

export function auditHandlers(app: App): HandlerMap<M> {
  const q = new AuditQueryRepo(app.db)
  return {
    'audit.list': async (f) => {
      const { rows, total } = q.page(f)
      return { items: rows.map(toAuditItem), total, nextBeforeSeq: rows.length === f.limit ? rows[rows.length - 1].seq : null }
    },
    'audit.facets': async () => q.facets(),
    'audit.verify': async () => {
      // A connection of its own: the check holds a read snapshot across pauses while the app keeps writing.
      const ro = new BetterSqlite3(app.dbPath, { readonly: true, fileMustExist: true })
      let report
      try {
        report = await verifyAllAsync(ro, {
          dataDir: app.opts.dataDir,
          key: app.secrets.auditKey(),
          onProgress: (done, total) => app.bus.emit('task.progress', { task: 'audit.verify', label: 'Verifying the audit trail', done, total, finished: false }),
        })
      } finally {
        ro.close()
      }
      app.bus.emit('task.progress', { task: 'audit.verify', label: 'Verifying the audit trail', done: report.entries, total: report.entries, finished: true })
      await app.audit({ action: 'audit.verify', outcome: report.ok ? 'ok' : 'failed', inputs: { entries: report.entries, headSeq: report.head?.seq ?? 0 }, detail: report.firstBreak?.message ?? report.records.problems[0]?.message ?? report.evidence.problems[0]?.message ?? '' })
      return report
    },
    'retention.get': async () => ({ personalDays: await retentionDays(app) }),
    'retention.set': async ({ personalDays }) => ({ personalDays: await setRetentionDays(app, personalDays) }),
    'lock.status': () => lockStatus(app),
    'lock.setPin': ({ pin, currentPin, idleMinutes }) => setPin(app, pin, idleMinutes, currentPin),
    'lock.clearPin': ({ currentPin }) => clearPin(app, currentPin),
    'lock.lock': () => lockNow(app),
    'lock.unlock': ({ pin }) => unlock(app, pin),
  }
}
