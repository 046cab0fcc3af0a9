// Each transition of a run and its audit entry are one transaction (EngineDeps.record): when the
// entry cannot be written (the disk is full, the process dies inside the commit) the transition
// is not there either. So the trail never lacks the entry of a step the run shows as done, and
// `audit verify`, which checks every finished step against its entry, never flags an intact run.
import type { Database } from 'better-sqlite3'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { logFiles, openLogger } from '../../infra/log'
import { verifyAll } from '../audit/integrity'
import type { Action } from './actions'
import type { ProcedureDefInput } from './definition'
import { REVEAL } from './engine'
import { loadProcedures } from '../../core/procedures'
import { workbench } from './testing'

const DEMO: ProcedureDefInput = {
  id: 'demo-atomic', version: 1, title: 'Demo', summary: 'synthetic', ticketProcedure: 'other', start: 'check',
  steps: [
    { id: 'check', title: 'Check the unit', kind: 'manual', instructions: 'Look at it.', outcomes: { ok: { label: 'Checked', next: 'update' } } },
    { id: 'update', title: 'Update it', kind: 'auto', action: 'demo.update', instructions: 'The console updates it.', outcomes: { updated: { label: 'Updated', next: 'end' } } },
  ],
}

function bench() {
  const actions = new Map<string, Action>([['demo.update', { run: async () => ({ outcome: 'updated' }) }]])
  const w = workbench({ procedures: loadProcedures([DEMO], new Set(actions.keys())), actions })
  const newTicket = () => w.tickets.create({ externalRef: 'ZD-7', customerName: 'Dvořák', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' })
  const steps = async (runId: number) => (await w.repo.steps(runId)).map((s) => [s.stepId, s.state, s.phase])
  const actionsLogged = () => w.auditRows().map((a) => a.action)
  /** What verify finds about the runs and steps (the workbench's tickets are made without their entry). */
  const workflowProblems = () => verifyAll(w.db).records.problems.filter((p) => p.kind === 'workflow-run' || p.kind === 'workflow-step')
  return { ...w, newTicket, steps, actionsLogged, workflowProblems }
}

/** Every append of `action` fails as on a full disk: SQLite refuses the INSERT inside the transaction. */
function failAppends(db: Database, action: string): () => void {
  db.exec(`CREATE TRIGGER fail_append BEFORE INSERT ON audit_log WHEN new.action = '${action}' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`)
  return () => db.exec('DROP TRIGGER fail_append')
}

describe('workflow transitions and their audit entries', () => {
  it('does not create a run whose start entry cannot be written', async () => {
    const w = bench()
    const t = await w.newTicket()
    const heal = failAppends(w.db, 'workflow.start')
    await expect(w.engine.start(t.id, 'demo-atomic')).rejects.toThrow(/disk is full/)
    expect(await w.repo.runsForTicket(t.id)).toEqual([])
    heal()
    // Nothing was left half-made: the same procedure starts at once.
    const run = await w.engine.start(t.id, 'demo-atomic')
    expect(await w.steps(run.id)).toEqual([['check', 'current', 'idle']])
    expect(w.actionsLogged()).toEqual(['workflow.start'])
  })

  it('rolls the step back when its entry cannot be written: never a step done without its entry', async () => {
    const w = bench()
    const run = await w.engine.start((await w.newTicket()).id, 'demo-atomic')
    const heal = failAppends(w.db, 'workflow.step.check')
    await expect(w.engine.completeStep(run.id, 'check', {})).rejects.toThrow(/disk is full/)
    expect((await w.engine.get(run.id)).current?.stepId).toBe('check')
    expect(await w.steps(run.id)).toEqual([['check', 'current', 'idle']]) // not done, and the next step not opened
    expect(w.actionsLogged()).toEqual(['workflow.start'])
    heal()
    await w.engine.completeStep(run.id, 'check', {})
    expect(await w.steps(run.id)).toEqual([['check', 'done', 'idle'], ['update', 'current', 'idle']])
    expect(w.actionsLogged()).toEqual(['workflow.start', 'workflow.step.check'])
    expect(w.workflowProblems()).toEqual([])
  })

  it('writes the last step and the completed run with both their entries, or neither', async () => {
    const w = bench()
    const run = await w.engine.start((await w.newTicket()).id, 'demo-atomic')
    await w.engine.completeStep(run.id, 'check', {})
    const heal = failAppends(w.db, 'workflow.complete')
    const log = openLogger(w.dataDir)
    try {
      await w.engine.runAuto(run.id, 'update', {})
      await w.engine.settled(run.id)
    } finally {
      log.close()
    }
    const logged = logFiles(w.dataDir).map((f) => readFileSync(f, 'utf8')).join('\n')
    expect(logged).toMatch(/"level":"error".*"runId":1,"step":"update".*workflows: the end of step \\"update\\" of run #1 could not be saved/)
    // The step's own entry was refused with the run's completion: the row still says running
    // (a restart re-checks it), the run is active, and neither entry is in the trail.
    expect((await w.repo.getRun(run.id)).status).toBe('active')
    expect((await w.steps(run.id)).at(-1)).toEqual(['update', 'current', 'running'])
    expect(w.actionsLogged()).not.toContain('workflow.step.update')
    heal()
    expect(await w.engine.resumeInterrupted()).toBe(1)
    await w.engine.runAuto(run.id, 'update', {})
    await w.engine.settled(run.id)
    expect((await w.repo.getRun(run.id)).status).toBe('completed')
    expect(w.actionsLogged().slice(-2)).toEqual(['workflow.step.update', 'workflow.complete'])
    expect(w.workflowProblems()).toEqual([])
  })

  it('hands a value to reveal out once, with its entry, even to two callers at once', async () => {
    const w = bench()
    const run = await w.engine.start((await w.newTicket()).id, 'demo-atomic')
    // What an action leaves after ctx.setSecret + ctx.reveal: the sealed value and the request.
    const row = await w.repo.getRun(run.id)
    row.secrets.pw = w.box.seal('Gen-3rated-pw')
    row.facts[REVEAL] = { label: 'New admin password', secret: 'pw' }
    await w.repo.saveRun(row)
    const heal = failAppends(w.db, 'workflow.reveal')
    await expect(w.engine.takeReveal(run.id)).rejects.toThrow(/disk is full/)
    heal()
    expect((await w.repo.getRun(run.id)).facts[REVEAL]).toBeDefined() // not consumed: it is still to be shown
    const both = await Promise.all([w.engine.takeReveal(run.id), w.engine.takeReveal(run.id)])
    expect(both.filter(Boolean)).toEqual([{ label: 'New admin password', value: 'Gen-3rated-pw' }])
    expect(w.actionsLogged().filter((a) => a === 'workflow.reveal')).toHaveLength(1)
    expect(await w.engine.takeReveal(run.id)).toBeNull()
  })

  it('skips, notes and abandons nothing whose entry cannot be written', async () => {
    const w = bench()
    const run = await w.engine.start((await w.newTicket()).id, 'demo-atomic')
    let heal = failAppends(w.db, 'workflow.step.check')
    await expect(w.engine.skipStep(run.id, 'check', 'customer did it already')).rejects.toThrow(/disk is full/)
    heal()
    heal = failAppends(w.db, 'workflow.note')
    await expect(w.engine.addNote(run.id, 'check', 'called the customer')).rejects.toThrow(/disk is full/)
    heal()
    heal = failAppends(w.db, 'workflow.abandon')
    await expect(w.engine.abandon(run.id, 'duplicate ticket')).rejects.toThrow(/disk is full/)
    heal()
    expect(await w.steps(run.id)).toEqual([['check', 'current', 'idle']])
    expect(await w.repo.notes(run.id)).toEqual([])
    expect((await w.repo.getRun(run.id)).status).toBe('active')
    expect(w.actionsLogged()).toEqual(['workflow.start'])
  })
})
