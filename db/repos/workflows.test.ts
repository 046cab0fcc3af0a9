import BetterSqlite3 from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { configure } from '../database'
import { migrate, schemaVersion } from '../migrate'
import { TicketsRepo } from './tickets'
import { WorkflowsRepo } from './workflows'
import { migrationList } from '../../electron/features/workflows/testing'
import { dbAt, tempDir } from '../test/helpers'

describe('migration 0004-workflows', () => {
  it('keeps tickets and audit entries and adds runs whose steps survive a reopen', async () => {
    const file = join(tempDir(), 'm.sqlite')
    let db = new BetterSqlite3(file)
    configure(db)
    migrate(db, 3, migrationList())
    const t = await new TicketsRepo(db).create({ externalRef: 'ZD-9', customerName: 'Kept', contact: '', deviceSerial: '54-0562-0293', deviceModel: '', procedure: 'my2n-move', notes: '' })
    db.prepare(`INSERT INTO audit_log (seq, at, agent, action, outcome, prev_hash, hash) VALUES (1, 'x', 'a', 'b', 'ok', 'p', 'h')`).run()
    migrate(db, 4, migrationList())
    expect(schemaVersion(db)).toBe(4)
    expect((await new TicketsRepo(db).get(t.id)).customerName).toBe('Kept')
    expect(db.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: 1 })
    const repo = new WorkflowsRepo(db)
    const run = await repo.createRun(t.id, 'my2n-move', 1, 'serial', { ticketSerial: '54-0562-0293' })
    await expect(repo.createRun(t.id, 'my2n-move', 1, 'serial', {})).rejects.toThrow(/already has this procedure running/)
    const first = (await repo.openStep(run.id, 'serial'))!
    first.state = 'done'
    first.outcome = 'ok'
    const next = (await repo.advance(run, first, 'serial'))! // a second visit of the same step
    expect(next.visit).toBe(2)
    next.phase = 'running'
    await repo.saveStep(next)
    db.close()
    db = new BetterSqlite3(file)
    const again = new WorkflowsRepo(db)
    expect((await again.steps(run.id)).map((s) => [s.stepId, s.visit, s.state, s.phase])).toEqual([['serial', 1, 'done', 'idle'], ['serial', 2, 'current', 'running']])
    expect((await again.getRun(run.id)).facts).toEqual({ ticketSerial: '54-0562-0293' })
    expect(() => db.prepare(`INSERT INTO workflow_steps (run_id, step_id, visit, state, started_at) VALUES (?, 'x', 1, 'weird', 'now')`).run(run.id)).toThrow(/CHECK/)
    expect(() => db.prepare(`INSERT INTO workflow_runs (ticket_id, procedure, procedure_version, status, created_at, updated_at) VALUES (999, 'p', 1, 'active', 'n', 'n')`).run()).toThrow(/FOREIGN KEY/)
  })
  it('tx(): a run and its first step, or a step closed and the next opened, commit with the caller\'s transaction or not at all', async () => {
    const db = dbAt()
    const t = await new TicketsRepo(db).create({ externalRef: '', customerName: 'A', contact: '', deviceSerial: '', deviceModel: '', procedure: 'my2n-move', notes: '' })
    const repo = new WorkflowsRepo(db)
    expect(() => repo.tx()).toThrow(/outside a transaction/)
    const fail = (fn: () => void) => expect(() => db.transaction(() => { fn(); throw new Error('the audit entry could not be written') })()).toThrow(/audit entry/)
    fail(() => repo.tx().createRun(t.id, 'my2n-move', 1, 'serial', {}))
    expect(db.prepare('SELECT count(*) FROM workflow_runs').pluck().get()).toBe(0)
    expect(db.prepare('SELECT count(*) FROM workflow_steps').pluck().get()).toBe(0)
    const run = await repo.createRun(t.id, 'my2n-move', 1, 'serial', {})
    const first = (await repo.openStep(run.id, 'serial'))!
    first.state = 'done'
    fail(() => repo.tx().advance(run, first, 'bench'))
    expect((await repo.steps(run.id)).map((s) => [s.stepId, s.state])).toEqual([['serial', 'current']])
    expect((await repo.getRun(run.id)).currentStep).toBe('serial')
  })
})
