// One async repository API (issue 11): the synchronous statements are reached only through
// repo.tx() inside a transaction, and no repository grows a `…Sync` twin again.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dbAt } from '../test/helpers'
import { AuditRepo } from './audit'
import { DevicesRepo } from './devices'
import { LeasesRepo } from './devices-leases'
import { RejectedLoginsRepo } from './devices-rejected-logins'
import { EvidenceRepo } from './evidence'
import { HelpdeskRepo } from './helpdesk'
import { NvrResetRepo } from './nvr-reset'
import { SettingsRepo } from './settings'
import { TicketsRepo } from './tickets'

const base = { externalRef: '', customerName: 'Anna', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other' as const, notes: '' }

describe('repo.tx()', () => {
  it('throws outside a transaction, for every repository with a transactional view', () => {
    const db = dbAt()
    const audit = new AuditRepo(db)
    const repos = [new TicketsRepo(db), audit, new SettingsRepo(db), new DevicesRepo(db), new LeasesRepo(db), new RejectedLoginsRepo(db), new EvidenceRepo(db, audit), new HelpdeskRepo(db), new NvrResetRepo(db)]
    for (const r of repos) expect(() => r.tx(), r.constructor.name).toThrow(/outside a transaction/)
    // Nothing was written on the way.
    expect(db.prepare('SELECT count(*) FROM tickets').pluck().get()).toBe(0)
  })

  it('works inside db.transaction: a change and its entry commit together, or neither', async () => {
    const db = dbAt()
    const tickets = new TicketsRepo(db)
    const audit = new AuditRepo(db)
    const t = db.transaction(() => {
      const t = tickets.tx().create(base)
      audit.tx().append({ agent: 'Ann', action: 'ticket.create', outcome: 'ok', ticketId: t.id })
      return t
    }).immediate()
    expect(await tickets.get(t.id)).toMatchObject({ customerName: 'Anna' })
    expect(db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(1)

    expect(() =>
      db.transaction(() => {
        tickets.tx().setStatus(t.id, 'closed')
        throw new Error('the entry could not be written')
      })(),
    ).toThrow(/entry/)
    expect((await tickets.get(t.id)).status).toBe('open')
    // The async API runs the same operations in a transaction of its own (nested: a savepoint).
    expect((await tickets.setStatus(t.id, 'waiting')).status).toBe('waiting')
    expect((await tickets.counts()).waiting).toBe(1)
  })

  it('no repository method is named …Sync (the paired sync/async API must not come back)', () => {
    const dir = __dirname
    const offenders: string[] = []
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\b[A-Za-z_$][\w$]*Sync\s*(<[^>]*>)?\(/.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`)
        })
    }
    expect(offenders).toEqual([])
  })
})
