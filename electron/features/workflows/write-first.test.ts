// The engine writes before it acts, through the repository's async API: a step is stored as
// running before its operation starts (or the operation does not start), and what an action
// persists is on disk when persist() returns control, before the device is touched.
import { describe, expect, it } from 'vitest'
import type { Action } from './actions'
import type { ProcedureDefInput } from './definition'
import { loadProcedures } from '../../core/procedures'
import { workbench } from './testing'

const DEMO: ProcedureDefInput = {
  id: 'demo-write-first', version: 1, title: 'Demo', summary: 'synthetic', ticketProcedure: 'other', start: 'update',
  steps: [{ id: 'update', title: 'Update it', kind: 'auto', action: 'demo.update', instructions: 'The console updates it.', outcomes: { updated: { label: 'Updated', next: 'end' } } }],
}

function bench() {
  const seen: { phaseAtStart?: string; intentOnDisk?: unknown; secretOnDisk?: boolean; files?: number } = {}
  let runs = 0
  // The action reads the database the workbench opens (made after it, with it).
  const at: { db?: ReturnType<typeof workbench>['db'] } = {}
  const stored = (runId: number) => at.db!.prepare('SELECT facts, secrets FROM workflow_runs WHERE id = ?').get(runId) as { facts: string; secrets: string }
  const action: Action = {
    async run(ctx) {
      runs++
      seen.phaseAtStart = (at.db!.prepare("SELECT phase FROM workflow_steps WHERE run_id = ? AND step_id = 'update' ORDER BY id DESC LIMIT 1").pluck().get(ctx.run.id) as string)
      ctx.facts.intent = 'update requested'
      const persisted = ctx.persist()
      // Read before the promise is awaited: the write ran at the call.
      seen.intentOnDisk = JSON.parse(stored(ctx.run.id).facts).intent
      await persisted
      const sealed = ctx.setSecret('pw', 'S3cret-value')
      seen.secretOnDisk = 'pw' in JSON.parse(stored(ctx.run.id).secrets)
      await sealed
      seen.files = (await ctx.files(true)).length
      return { outcome: 'updated' }
    },
  }
  const actions = new Map<string, Action>([['demo.update', action]])
  const w = workbench({ procedures: loadProcedures([DEMO], new Set(actions.keys())), actions })
  at.db = w.db
  const start = async () => {
    const t = await w.tickets.create({ externalRef: 'ZD-8', customerName: 'Beneš', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' })
    return w.engine.start(t.id, 'demo-write-first')
  }
  return { ...w, seen, runs: () => runs, start }
}

describe('written before acting', () => {
  it('stores the step as running before its operation starts; persist() and setSecret() write at the call', async () => {
    const b = bench()
    const run = await b.start()
    await b.engine.runAuto(run.id, 'update', {})
    await b.engine.settled(run.id)
    expect(b.seen).toEqual({ phaseAtStart: 'running', intentOnDisk: 'update requested', secretOnDisk: true, files: 0 })
    expect((await b.engine.get(run.id)).status).toBe('completed')
  })

  it('does not start the operation when the running phase cannot be written: the caller gets the error, nothing is in flight', async () => {
    const b = bench()
    const run = await b.start()
    b.db.exec("CREATE TRIGGER fail_running BEFORE UPDATE ON workflow_steps WHEN new.phase = 'running' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    await expect(b.engine.runAuto(run.id, 'update', {})).rejects.toThrow(/disk is full/)
    expect(b.runs()).toBe(0)
    await b.engine.settled() // nothing in flight: resolves at once
    expect((await b.repo.steps(run.id)).map((s) => [s.stepId, s.state, s.phase])).toEqual([['update', 'current', 'idle']])
    b.db.exec('DROP TRIGGER fail_running')
    await b.engine.runAuto(run.id, 'update', {})
    await b.engine.settled(run.id)
    expect(b.runs()).toBe(1)
    expect((await b.engine.get(run.id)).status).toBe('completed')
  })

  it('refuses to abandon a run while one of its steps is in flight, and allows it once it has ended', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const actions = new Map<string, Action>([['demo.update', { run: async () => (await gate, { outcome: 'updated' }) }]])
    const w = workbench({ procedures: loadProcedures([{ ...DEMO, steps: [{ ...DEMO.steps[0] }] }], new Set(actions.keys())), actions })
    const t = await w.tickets.create({ externalRef: 'ZD-9', customerName: 'Beneš', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' })
    const run = await w.engine.start(t.id, 'demo-write-first')
    const other = await w.engine.start((await w.tickets.create({ externalRef: 'ZD-10', customerName: 'Novák', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' })).id, 'demo-write-first')
    const reply = w.engine.runAuto(run.id, 'update', {})
    await expect.poll(async () => (await w.engine.get(run.id)).current?.running).toBe(true)
    await expect(w.engine.abandon(run.id, 'duplicate')).rejects.toMatchObject({ code: 'CONFLICT' })
    // Another run's step in flight does not hold this one.
    await expect(w.engine.abandon(other.id, 'duplicate')).resolves.toMatchObject({ status: 'abandoned' })
    release()
    await reply
    await w.engine.settled(run.id)
    expect((await w.engine.get(run.id)).status).toBe('completed')
  })
})
