// The workflow engine on a small synthetic procedure (not one of the installed ones), so that
// what is tested is the engine's interpretation of the definition: skips, evidence, branches,
// version pinning and the restart after a crash.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import type { WorkflowRun } from '../../../shared/contract/workflows'
import type { Action } from './actions'
import { validateProcedure, type ProcedureDefInput, type StepDefInput } from './definition'
import { sha256 } from './files'
import { loadProcedures } from '../../core/procedures'
import { workbench } from './testing'

/** A stand-in for a device that the "flash" step changes (irreversibly). */
class Gadget {
  firmware = '1.0'
  runs = 0
  rechecks = 0
  /** While set, a flash never returns (the console "dies" during it). */
  hang = false
}

function flashAction(g: Gadget): Action {
  return {
    destructive: true,
    async run(ctx) {
      g.runs++
      ctx.facts.flashRequested = true
      await ctx.persist()
      g.firmware = '2.0'
      if (g.hang) await new Promise(() => undefined)
      return { outcome: 'flashed', result: { firmware: g.firmware } }
    },
    // Ask the gadget what happened instead of flashing again.
    async recheck() {
      g.rechecks++
      return g.firmware === '2.0' ? { outcome: 'flashed', result: { firmware: g.firmware, rechecked: true } } : null
    },
  }
}

const STEPS_V1: StepDefInput[] = [
  {
    id: 'intake', title: 'Intake', kind: 'manual', skippable: false, instructions: 'Record the unit of {{ticket.customerName}}.',
    inputs: [{ id: 'unit', label: 'Unit', type: 'text', fact: 'unit' }],
    evidence: [
      { id: 'photo', label: 'Photo of the unit', required: true, accept: 'image/*', vault: 'label-photo' },
      { id: 'receipt', label: 'Receipt', required: false },
    ],
    outcomes: { ok: { label: 'Recorded', next: 'route' } },
  },
  {
    id: 'route', title: 'Repair or replace?', kind: 'decision', instructions: 'Decide with the customer.',
    outcomes: {
      repair: { label: 'Repair it', next: 'flash' },
      replace: { label: 'Replace it', next: 'ship', tone: 'warn', message: 'A replacement unit is sent; the old one comes back.' },
    },
  },
  {
    id: 'flash', title: 'Flash the firmware', kind: 'auto', action: 'demo.flash', destructive: true,
    confirm: { fact: 'unit', prompt: 'Type the unit to confirm.' }, instructions: 'The console flashes {{unit}}.',
    outcomes: { flashed: { label: 'Flashed', next: 'call' } },
  },
  { id: 'ship', title: 'Ship a replacement', kind: 'manual', instructions: 'Ship it.', outcomes: { ok: { label: 'Shipped', next: 'call' } } },
  { id: 'call', title: 'Call the customer', kind: 'manual', instructions: 'Tell the customer.', outcomes: { ok: { label: 'Called', next: 'end' } } },
]
const V1: ProcedureDefInput = { id: 'demo-repair', version: 1, title: 'Demo repair', summary: 'synthetic', ticketProcedure: 'other', start: 'intake', steps: STEPS_V1 }
/** Version 2: the firmware step is gone, the decision offers a refund instead, the intake is reworded. */
const V2: ProcedureDefInput = {
  ...V1,
  version: 2,
  title: 'Demo repair (2)',
  steps: [
    { ...STEPS_V1[0], title: 'Intake and photos' },
    { ...STEPS_V1[1], outcomes: { replace: { label: 'Replace it', next: 'ship' }, refund: { label: 'Refund', next: 'call' } } },
    STEPS_V1[3],
    STEPS_V1[4],
  ],
}

function bench(o: { dataDir?: string; gadget?: Gadget; versions?: ProcedureDefInput[] } = {}) {
  const gadget = o.gadget ?? new Gadget()
  const actions = new Map<string, Action>([['demo.flash', flashAction(gadget)]])
  const w = workbench({ dataDir: o.dataDir, procedures: loadProcedures(o.versions ?? [V1], new Set(actions.keys())), actions })
  const newTicket = (ref = 'ZD-900') => w.tickets.create({ externalRef: ref, customerName: 'Dvořák a syn', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' })
  return { ...w, gadget, newTicket }
}
type Bench = ReturnType<typeof bench>
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])

/** Through the intake (with its photo) to the decision. */
async function toRoute(b: Bench, ref?: string) {
  const t = await b.newTicket(ref)
  const run = await b.engine.start(t.id, 'demo-repair')
  await b.engine.attach(run.id, 'intake', 'photo', 'unit.png', PNG)
  await b.engine.completeStep(run.id, 'intake', { unit: 'A-17' })
  return run.id
}

describe('workflow engine on a synthetic procedure', () => {
  it('a skipped step shows as skipped with its reason, is audited, and the run moves on', async () => {
    const b = bench()
    const runId = await toRoute(b)
    await b.engine.completeStep(runId, 'route', {}, 'replace')
    await expect(b.engine.skipStep(runId, 'ship', 'customer collects a unit at the shop')).resolves.toMatchObject({ current: { stepId: 'call' } })
    const r = await b.engine.get(runId)
    expect(r.timeline.find((e) => e.stepId === 'ship')).toMatchObject({ state: 'skipped', why: 'customer collects a unit at the shop', agent: 'Test Agent', outcome: null })
    expect(r.timeline.map((e) => [e.stepId, e.state])).toEqual([['intake', 'done'], ['route', 'done'], ['ship', 'skipped'], ['call', 'current']])
    expect(b.auditRows().filter((a) => a.action === 'workflow.step.ship')).toEqual([expect.objectContaining({ outcome: 'info', detail: 'customer collects a unit at the shop', inputs: expect.stringContaining('"skipped":true') })])
  })

  it('a step with skippable: false refuses a skip and stays current', async () => {
    const b = bench()
    const t = await b.newTicket()
    const run = await b.engine.start(t.id, 'demo-repair')
    expect(run.current).toMatchObject({ stepId: 'intake', skippable: false })
    // The values in the filled English go along, so the renderer can fill a translation the same way.
    expect(run.current).toMatchObject({ instructions: 'Record the unit of Dvořák a syn.', vars: { 'ticket.customerName': 'Dvořák a syn' } })
    await expect(b.engine.skipStep(run.id, 'intake', 'no time')).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/"Intake" cannot be skipped/) })
    const r = await b.engine.get(run.id)
    expect(r.timeline.filter((e) => e.row !== null).map((e) => [e.stepId, e.state])).toEqual([['intake', 'current']])
    expect(b.auditRows().some((a) => a.action === 'workflow.step.intake')).toBe(false)
  })

  it('required evidence is refused when missing (an optional slot or an "other" file does not stand in for it)', async () => {
    const b = bench()
    const t = await b.newTicket()
    const run = await b.engine.start(t.id, 'demo-repair')
    await expect(b.engine.completeStep(run.id, 'intake', { unit: 'A-17' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'evidence.photo', message: 'Attach photo of the unit first.' })
    await b.engine.attach(run.id, 'intake', 'receipt', 'receipt.pdf', Buffer.from('%PDF-1.4 receipt'))
    await b.engine.attach(run.id, 'intake', 'other', 'photo-from-chat.png', PNG)
    await expect(b.engine.completeStep(run.id, 'intake', { unit: 'A-17' })).rejects.toMatchObject({ field: 'evidence.photo' })
    let r = await b.engine.get(run.id)
    expect(r.current).toMatchObject({ stepId: 'intake', evidence: [expect.objectContaining({ id: 'photo', attached: false }), expect.objectContaining({ id: 'receipt', attached: true })] })
    await b.engine.attach(run.id, 'intake', 'photo', 'unit.png', PNG)
    r = await b.engine.completeStep(run.id, 'intake', { unit: 'A-17' }).then((x) => x.run)
    expect(r.current?.stepId).toBe('route')
    expect(r.facts.unit).toBe('A-17')
  })

  it('decision outcomes lead to their branches; a decision needs one of its outcomes', async () => {
    const b = bench()
    const a = await toRoute(b, 'ZD-901')
    await expect(b.engine.completeStep(a, 'route', {})).rejects.toMatchObject({ code: 'VALIDATION', field: 'outcome', message: 'Choose one of: Repair it, Replace it.' })
    await expect(b.engine.completeStep(a, 'route', {}, 'refund')).rejects.toMatchObject({ code: 'VALIDATION', field: 'outcome' })
    let r = (await b.engine.completeStep(a, 'route', {}, 'repair')).run
    expect(r.current).toMatchObject({ stepId: 'flash', kind: 'auto', destructive: true })
    expect(r.timeline.filter((e) => e.state === 'pending').map((e) => e.stepId)).toEqual(['call'])

    const c = await toRoute(b, 'ZD-902')
    r = (await b.engine.completeStep(c, 'route', {}, 'replace')).run
    expect(r.current?.stepId).toBe('ship')
    expect(r.timeline.find((e) => e.stepId === 'route')).toMatchObject({ outcome: 'replace', outcomeLabel: 'Replace it', tone: 'warn', why: 'A replacement unit is sent; the old one comes back.' })
    expect(r.timeline.some((e) => e.stepId === 'flash')).toBe(false)
    expect(b.gadget.runs).toBe(0)
  })

  it('a run keeps the procedure version it started with when a newer version is installed; new runs get the newest', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sc-wf-version-'))
    const gadget = new Gadget()
    const b1 = bench({ dataDir, gadget })
    const old = await toRoute(b1, 'ZD-903')
    b1.db.close()
    // The console is updated: version 2 is installed next to version 1.
    const b2 = bench({ dataDir, gadget, versions: [V1, V2] })
    let r = await b2.engine.get(old)
    expect(r.procedureTitle).toBe('Demo repair')
    expect(r.timeline[0].title).toBe('Intake')
    expect(r.current?.outcomes.map((o) => o.id)).toEqual(['repair', 'replace'])
    // Its branch to a step that version 2 no longer has still works.
    r = (await b2.engine.completeStep(old, 'route', {}, 'repair')).run
    expect(r.current?.stepId).toBe('flash')
    await b2.engine.runAuto(old, 'flash', { confirm: 'A-17' })
    await b2.engine.settled(old)
    expect((await b2.engine.get(old)).current?.stepId).toBe('call')
    expect(gadget.firmware).toBe('2.0')

    const fresh = await toRoute(b2, 'ZD-904')
    r = await b2.engine.get(fresh)
    expect(r.procedureTitle).toBe('Demo repair (2)')
    expect(r.timeline[0].title).toBe('Intake and photos')
    expect(r.current?.outcomes.map((o) => o.id)).toEqual(['replace', 'refund'])
    await expect(b2.engine.completeStep(fresh, 'route', {}, 'repair')).rejects.toMatchObject({ code: 'VALIDATION', field: 'outcome' })
    expect(b2.auditRows().filter((a) => a.action === 'workflow.start').map((a) => JSON.parse(a.inputs).version)).toEqual([1, 2])
  })

  it('after a crash in the middle of an automatic step, the restart re-checks the device instead of running the step again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sc-wf-crash-'))
    const gadget = new Gadget()
    const b1 = bench({ dataDir, gadget })
    const runId = await toRoute(b1)
    await b1.engine.completeStep(runId, 'route', {}, 'repair')
    gadget.hang = true
    const dying = b1.engine.runAuto(runId, 'flash', { confirm: 'A-17' }).catch(() => undefined)
    await expect.poll(() => gadget.runs).toBe(1)
    b1.db.close() // the process dies with the flash in flight
    void dying
    gadget.hang = false

    const b2 = bench({ dataDir, gadget })
    expect((await b2.engine.get(runId)).current).toMatchObject({ stepId: 'flash', running: true })
    expect(await b2.engine.resumeInterrupted()).toBe(1)
    await b2.engine.settled(runId)
    const r = await b2.engine.get(runId)
    expect(gadget.runs).toBe(1) // not flashed a second time
    expect(gadget.rechecks).toBe(1)
    expect(r.current?.stepId).toBe('call')
    expect(r.timeline.find((e) => e.stepId === 'flash')).toMatchObject({ state: 'done', outcome: 'flashed', running: false, result: { rechecked: true } })
    expect(b2.auditRows().filter((a) => a.action === 'workflow.step.flash').map((a) => a.detail)).toEqual([expect.stringMatching(/interrupted .*re-checking/), ''])
  })

  it('when the re-check cannot tell, a destructive step is blocked for the agent (with why), never re-run by itself', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sc-wf-crash2-'))
    const gadget = new Gadget()
    const b1 = bench({ dataDir, gadget })
    const runId = await toRoute(b1)
    await b1.engine.completeStep(runId, 'route', {}, 'repair')
    gadget.hang = true
    void b1.engine.runAuto(runId, 'flash', { confirm: 'A-17' }).catch(() => undefined)
    await expect.poll(() => gadget.runs).toBe(1)
    b1.db.close()
    gadget.hang = false
    gadget.firmware = '1.0' // the flash never reached the gadget

    const b2 = bench({ dataDir, gadget })
    await b2.engine.resumeInterrupted()
    await b2.engine.settled(runId)
    let r = await b2.engine.get(runId)
    expect(gadget.runs).toBe(1)
    expect(r.current).toMatchObject({ stepId: 'flash', running: false })
    expect(r.timeline.filter((e) => e.stepId === 'flash').at(-1)).toMatchObject({ state: 'blocked', why: expect.stringMatching(/not re-run by itself because it changes the device/) })
    // The agent decides: running it again needs the typed confirmation again.
    await expect(b2.engine.runAuto(runId, 'flash', {})).rejects.toMatchObject({ code: 'FORBIDDEN', field: 'confirm' })
    await b2.engine.runAuto(runId, 'flash', { confirm: 'A-17' })
    await b2.engine.settled(runId)
    r = await b2.engine.get(runId)
    expect(gadget.runs).toBe(2)
    expect(r.current?.stepId).toBe('call')
  })
})

describe('notes and "other" attachments at any step', () => {
  it('every step takes an optional other attachment, kept in the ticket evidence vault as kind other; undeclared slots are refused', async () => {
    const b = bench()
    const runId = await toRoute(b)
    const ticketId = (await b.engine.get(runId)).ticketId
    // "route" is a decision and declares no evidence.
    await expect(b.engine.attach(runId, 'route', 'invoice', 'invoice.pdf', Buffer.from('%PDF-1.4'))).rejects.toMatchObject({ code: 'VALIDATION', field: 'evidence', message: '"Repair or replace?" takes no "invoice" attachment.' })
    const mail = Buffer.from('From: customer\r\n\r\nPlease replace it, it fell off the wall.')
    await b.engine.attach(runId, 'route', 'other', 'customer-mail.eml', mail)
    await b.engine.addNote(runId, 'route', 'customer prefers a replacement')
    const r = (await b.engine.completeStep(runId, 'route', {}, 'replace')).run
    const entry = r.timeline.find((e) => e.stepId === 'route')!
    expect(entry.files).toEqual([expect.objectContaining({ kind: 'other', name: 'customer-mail.eml', sha256: sha256(mail), size: mail.length, verified: false })])
    expect(entry.notes).toEqual([expect.objectContaining({ body: 'customer prefers a replacement', agent: 'Test Agent' })])
    const ev = await b.vault.listForTicket(ticketId)
    expect(ev.map((e) => [e.kind, e.name])).toEqual([['label-photo', 'unit.png'], ['other', 'customer-mail.eml']])
    expect(ev[1]).toMatchObject({ source: 'workflow:demo-repair:route', sha256: sha256(mail), hasContent: true })
    expect((await b.vault.content(ev[1].id))!.equals(mail)).toBe(true)
    expect(b.auditRows().filter((a) => a.action === 'workflow.attach').map((a) => JSON.parse(a.inputs))).toEqual([
      expect.objectContaining({ step: 'intake', evidence: 'photo' }),
      expect.objectContaining({ step: 'route', evidence: 'other', name: 'customer-mail.eml', sha256: sha256(mail) }),
    ])
    // Only at the current step of an active run.
    await expect(b.engine.attach(runId, 'route', 'other', 'late.txt', Buffer.from('late'))).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await b.vault.listForTicket(ticketId)).toHaveLength(2)
  })

  it('"other" is reserved: a procedure cannot declare an evidence slot with that id', () => {
    const bad = { ...V1, steps: [{ ...STEPS_V1[0], evidence: [{ id: 'other', label: 'Anything' }] }, ...STEPS_V1.slice(1)] }
    expect(() => validateProcedure(bad)).toThrow(/the evidence id \\"other\\" is reserved for the optional attachment/)
  })
})

describe('a change and its view (issue 11: views fetched once per change)', () => {
  it('builds the run view once per change: the event carries the very view the call returns', async () => {
    const b = bench()
    const runId = await toRoute(b)
    const built = vi.spyOn(b.engine as unknown as { build(id: number): Promise<WorkflowRun> }, 'build')
    const before = b.events.length
    const reply = await b.engine.completeStep(runId, 'route', {}, 'replace')
    const changes = b.events.length - before
    expect(changes).toBeGreaterThan(0)
    expect(built).toHaveBeenCalledTimes(changes)
    expect(await b.events.at(-1)!.view).toBe(reply.run)
    // A read with no change since builds it afresh (nothing kept past the change's turn).
    await new Promise((r) => setImmediate(r))
    expect(await b.engine.get(runId)).toEqual(reply.run)
    expect(built).toHaveBeenCalledTimes(changes + 1)
  })
})
