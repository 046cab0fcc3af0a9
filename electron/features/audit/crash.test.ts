// Crash safety: the console host runs as a child process and is killed with SIGKILL,
// again and again, while agents' writes (ticket changes, evidence imports, workflow
// steps when that feature exists) are in flight. After every restart the database must
// pass PRAGMA integrity_check, the audit chain and evidence hashes must verify, and
// every write the host had acknowledged must still be there, exactly.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { DB_FILE } from '../../../db/database'
import { verifyAll } from './integrity'
import { int, rng } from '../../../shared/testing/fuzz'
import { call as rpc, inspect, killAllHosts, lastEntries, must, ROOT, startHost as start, type Host } from './testing/crash-harness'
import { startBench, type Bench } from '../../../lab/bench'
import type { WorkflowReply, WorkflowRun } from '../../../shared/contract/workflows'

const CYCLES = 8

afterEach(() => killAllHosts())

const startHost = (dataDir: string, env: Record<string, string> = {}) => start(dataDir, env)
const call = (port: number, method: string, input: unknown) => rpc(port, method, input) as Promise<{ ok: boolean; value?: Record<string, unknown> }>

describe('crash safety', () => {
  it(`survives ${CYCLES} SIGKILLs in the middle of ticket writes and evidence imports without losing an acknowledged write`, async () => {
    const dataDir = tempDir('sc-crash-')
    const r = rng(7)
    const photos = await Promise.all([0, 1, 2].map((i) => sharp({ create: { width: 900 + i * 100, height: 700, channels: 3, background: { r: 60 * i, g: 120, b: 200 } } }).jpeg({ quality: 95 }).toBuffer()))
    // What the host acknowledged: it must all be there after any crash.
    const tickets = new Map<number, string>() // id → last acknowledged notes
    const inflight = new Map<number, string>() // id → notes sent but not acknowledged when the host died
    const owned: number[][] = [[], [], [], []] // each worker edits only its own tickets: no races between them
    const evidence = new Map<number, string>() // id → sha256
    const runs = new Map<number, { runId: number; notes: Set<string> }>() // ticket → its workflow run and acknowledged notes
    let procedure: string | null = null
    let acknowledged = 0
    let lost = 0

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const h = await startHost(dataDir)
      if (cycle === 0) {
        expect((await call(h.port, 'system.setAgent', { name: 'Crash Test', email: '' })).ok).toBe(true)
        // Workflows are exercised when this build has them (issue 5).
        const procs = await call(h.port, 'workflows.procedures', {})
        procedure = procs.ok ? ((procs.value as unknown as { id: string }[])[0]?.id ?? null) : null
      }
      let stop = false
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          try {
            const k = int(r, 0, 9)
            const mine = owned[w]
            if (k < 4 || mine.length === 0) {
              const res = await call(h.port, 'tickets.create', { customerName: `C${cycle}-${w}-${i}`, notes: 'new' })
              if (res.ok) {
                tickets.set(res.value!.id as number, 'new')
                mine.push(res.value!.id as number)
                acknowledged++
              }
            } else if (k < 7) {
              const id = mine[int(r, 0, mine.length - 1)]
              const notes = `n${cycle}-${w}-${i}`
              inflight.set(id, notes)
              const res = await call(h.port, 'tickets.update', { id, patch: { notes } })
              if (res.ok) {
                tickets.set(id, notes)
                inflight.delete(id)
                acknowledged++
              }
            } else if (k === 9 && procedure) {
              const id = mine[int(r, 0, mine.length - 1)]
              const run = runs.get(id)
              if (!run) {
                const res = await call(h.port, 'workflows.start', { ticketId: id, procedure })
                if (res.ok) {
                  runs.set(id, { runId: res.value!.id as number, notes: new Set() })
                  acknowledged++
                }
              } else {
                const got = await call(h.port, 'workflows.get', { runId: run.runId })
                const stepId = (got.value?.current as { stepId?: string } | null)?.stepId
                const body = `note ${cycle}-${w}-${i}`
                if (stepId && (await call(h.port, 'workflows.addNote', { runId: run.runId, stepId, body })).ok) {
                  run.notes.add(body)
                  acknowledged++
                }
              }
            } else {
              const id = mine[int(r, 0, mine.length - 1)]
              const res = await call(h.port, 'evidence.add', { ticketId: id, kind: 'label-photo', name: `p${cycle}-${i}.jpg`, dataBase64: photos[i % 3].toString('base64') })
              if (res.ok) {
                evidence.set(res.value!.id as number, res.value!.sha256 as string)
                acknowledged++
              }
            }
          } catch {
            return // the host died under us: whatever was not acknowledged may or may not be there
          }
        }
      }
      const workers = [0, 1, 2, 3].map(worker)
      await new Promise((res) => setTimeout(res, int(r, 150, 700)))
      h.child.kill('SIGKILL')
      stop = true
      await h.exited
      await Promise.all(workers)

      // Restart as the app would (opening migrates and checks), then inspect the file.
      const again = await startHost(dataDir)
      for (const { runId, notes } of runs.values()) {
        const got = await call(again.port, 'workflows.get', { runId })
        expect(got.ok, `workflow run ${runId} lost`).toBe(true)
        const stored = new Set((got.value!.timeline as { notes: { body: string }[] }[]).flatMap((t) => t.notes.map((n) => n.body)))
        for (const n of notes) expect(stored.has(n), `note "${n}" of run ${runId} lost`).toBe(true)
      }
      // Every run started has its workflow.start entry; the chain and the file are intact.
      expect(inspect(dataDir).problems, `after SIGKILL ${cycle + 1}`).toEqual([])
      again.child.kill('SIGTERM')
      await again.exited
      const db = new BetterSqlite3(join(dataDir, DB_FILE), { readonly: true })
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
        const report = verifyAll(db)
        expect(report.firstBreak, JSON.stringify(report.firstBreak)).toBeNull()
        expect(report.evidence.problems).toEqual([])
        const notesOf = db.prepare('SELECT notes FROM tickets WHERE id = ?').pluck()
        for (const [id, notes] of tickets) {
          const got = notesOf.get(id)
          if (got === undefined) lost++
          // The last acknowledged notes, or the update in flight when the host died; never older.
          else expect([notes, inflight.get(id)], `ticket ${id}`).toContain(got)
          if (got !== undefined && got !== notes) tickets.set(id, got as string)
        }
        inflight.clear()
        const shaOf = db.prepare('SELECT sha256 FROM evidence WHERE id = ?').pluck()
        for (const [id, sha] of evidence) expect(shaOf.get(id), `evidence ${id}`).toBe(sha)
        // Every acknowledged change has its audit entry (same transaction).
        const audited = db.prepare("SELECT count(*) FROM audit_log WHERE action = 'evidence.add'").pluck().get() as number
        expect(audited).toBeGreaterThanOrEqual(evidence.size)
      } finally {
        db.close()
      }
    }
    expect(lost).toBe(0)
    expect(acknowledged).toBeGreaterThan(CYCLES * 5)
    console.log(`crash safety: ${CYCLES} SIGKILLs, ${acknowledged} acknowledged writes, ${tickets.size} tickets, ${evidence.size} evidence files, ${runs.size} workflow runs (${[...runs.values()].reduce((n, x) => n + x.notes.size, 0)} notes), none lost`)
  }, 180_000)
})

// The same kills against the lab bench (a 2N intercom and the My2N simulator on 127.0.71.x):
// device backups over the API, the auto steps of a My2N move that talk to the device (backup,
// factory reset and its re-check after a restart, new password) and evidence imports, each
// killed at a delay drawn from a seeded RNG, plus kills at the worst instants (right after a
// backup row or a step's end is written: crash-host.ts CRASH_AT). Only invariants are asserted,
// whatever instant a kill hit: the run must resume and complete.
describe('crash safety against the lab bench', () => {
  let bench: Bench | null = null
  afterEach(async () => {
    await killAllHosts()
    await bench?.stop()
    bench = null
  })

  it('survives SIGKILLs during device backups, the backup / factory reset / password steps and evidence imports; the run resumes and completes', async () => {
    const t0 = Date.now()
    const r = rng(20260711)
    const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms))
    bench = await startBench({ intercoms: 1, nvrs: 0, seed: 'crash-devices', hostBase: '127.0.71.', firstHost: 10, discovery: false, timing: { rebootMs: 300, applyDelayMs: 300 } })
    const d = bench.intercom(0)
    d.alreadyInMy2nAccount()
    const creds = d.info().credentials
    const env = { SUPPORT_CONSOLE_MY2N_URL: `${bench.my2n.url}/api/v1`, SUPPORT_CONSOLE_MY2N_KEY: bench.my2n.apiKey, SUPPORT_CONSOLE_REDISCOVER_MS: '10000' }
    const dataDir = tempDir('sc-crash-dev-')
    const photos = await Promise.all([0, 1].map((i) => sharp({ create: { width: 700 + i * 50, height: 500, channels: 3, background: { r: 90 * i, g: 30, b: 160 } } }).jpeg().toBuffer()))

    // Everything the host acknowledged to the client: it must be there after every restart.
    const ack = {
      backups: new Map<number, string>(), // backup id → SHA-256
      evidence: new Map<number, string>(), // evidence id → SHA-256
      steps: new Map<number, { stepId: string; outcome: string | null }>(), // step visit → outcome shown as done
    }
    const kills: { phase: string; ms: number; midOperation: boolean }[] = []
    const seen = (run: WorkflowRun) => {
      for (const e of run.timeline) if (e.row !== null && e.state === 'done') ack.steps.set(e.row, { stepId: e.stepId, outcome: e.outcome })
      return run
    }
    let revealed: string | null = null
    const reply = (x: WorkflowReply) => {
      if (x.reveal) revealed = x.reveal.value
      return seen(x.run)
    }

    let h: Host = await startHost(dataDir, env)
    await must(h.port, 'system.setAgent', { name: 'Crash Agent', email: '' })
    const wfTicket = (await must<{ id: number }>(h.port, 'tickets.create', { customerName: 'Buyer', externalRef: 'ZD-71', deviceSerial: d.serial, deviceModel: d.model, procedure: 'my2n-move' })).id
    const side = (await must<{ id: number }>(h.port, 'tickets.create', { customerName: 'Backups and photos', deviceSerial: d.serial })).id
    const added = await must<{ device: { id: number } | null }>(h.port, 'devices.addByAddress', { address: d.ip })
    expect(added.device, 'the bench intercom is added to the inventory').not.toBeNull()
    const deviceId = added.device!.id
    await must(h.port, 'devices.setCredentials', { id: deviceId, username: creds.username, password: creds.password })
    const refused: string[] = [] // backups the live host refused (not a crash): there must be none
    const apiBackup = async (port: number) => {
      const res = await rpc<{ id: number; sha256: string }>(port, 'devices.backup', { id: deviceId, ticketId: side })
      if (res.ok) ack.backups.set(res.value.id, res.value.sha256)
      else refused.push(JSON.stringify(res.error))
    }

    /** Background work while a kill is due: evidence imports and, while the device has its password, backups over the API. */
    const load = (port: number, o: { backups: boolean }) => {
      let stop = false
      let inFlight = 0
      const loop = async (fn: (i: number) => Promise<void>) => {
        for (let i = 0; !stop; i++) {
          inFlight++
          try {
            await fn(i)
          } catch {
            return // the host died under us
          } finally {
            inFlight--
          }
        }
      }
      const workers = [
        loop(async (i) => {
          const res = await rpc<{ id: number; sha256: string }>(port, 'evidence.add', { ticketId: side, kind: 'label-photo', name: `p${i}.jpg`, dataBase64: photos[i % 2].toString('base64') })
          if (res.ok) ack.evidence.set(res.value.id, res.value.sha256)
        }),
        ...(o.backups ? [loop(() => apiBackup(port)), loop(() => apiBackup(port))] : []),
      ]
      return {
        inFlight: () => inFlight,
        stop: async () => {
          stop = true
          await Promise.all(workers)
        },
      }
    }
    const getRun = async (port: number, id: number) => seen(await must<WorkflowRun>(port, 'workflows.get', { runId: id }))
    /** Waits until no step of the run is running (after a restart, interrupted steps are re-checked with the device). */
    const settle = async (port: number, id: number) => {
      const end = Date.now() + 30_000
      for (;;) {
        const run = await getRun(port, id)
        if (!run.timeline.some((e) => e.running) && !run.current?.running) return run
        if (Date.now() > end) throw new Error(`run ${id} still running after 30 s: ${JSON.stringify(run.timeline.filter((e) => e.running))}`)
        await sleep(100)
      }
    }
    /** After a restart: the invariants of the data folder, and everything acknowledged before the kill is there. */
    const check = (label: string) => {
      const ins = inspect(dataDir)
      expect(ins.problems, label).toEqual([])
      for (const [id, sha] of ack.backups) expect(ins.backups.get(id), `backup #${id} acknowledged before ${label}`).toBe(sha)
      for (const [id, sha] of ack.evidence) expect(ins.evidence.get(id), `evidence #${id} acknowledged before ${label}`).toBe(sha)
      for (const [row, st] of ack.steps) expect(ins.steps.get(row), `step visit #${row} (${st.stepId}) shown done before ${label}`).toMatchObject({ stepId: st.stepId, state: 'done', outcome: st.outcome })
    }
    /**
     * Starts `op` (null: whatever is running, e.g. a re-check) with background load, SIGKILLs the
     * host after a seeded random delay, restarts it and checks. Settles the run first unless told not to.
     */
    let runId = 0
    const crash = async (phase: string, op: ((port: number) => Promise<unknown>) | null, delay: [number, number], o: { backups: boolean; settle?: boolean }) => {
      const bg = load(h.port, o)
      let finished = op === null
      const pending = (op ? op(h.port) : Promise.resolve()).then(() => void (finished = true), () => undefined)
      const ms = int(r, delay[0], delay[1])
      await sleep(ms)
      const midOperation = !finished || bg.inFlight() > 0
      await h.kill()
      kills.push({ phase, ms, midOperation: op === null || midOperation })
      await Promise.all([bg.stop(), pending])
      h = await startHost(dataDir, env)
      if (runId && (o.settle ?? true)) await settle(h.port, runId)
      check(`SIGKILL ${kills.length} (${phase}, ${ms} ms)`)
    }
    /** A kill at the worst instant: a host that SIGKILLs itself right after writing the row `at` names (crash-host.ts). */
    const probe = async (at: string, op: (port: number) => Promise<unknown>) => {
      await h.kill() // idle: replaced by one that dies at `at`
      h = await startHost(dataDir, { ...env, CRASH_AT: at })
      const res = await op(h.port).then((v) => ({ reply: v }), (e: Error) => ({ error: e.message }))
      const died = await Promise.race([h.exited.then(() => true), sleep(15_000).then(() => false)])
      expect(died, `the host killed itself at ${at} (the call gave ${JSON.stringify(res).slice(0, 300)})`).toBe(true)
      kills.push({ phase: `at ${at}`, ms: 0, midOperation: true })
      h = await startHost(dataDir, env)
      if (runId) await settle(h.port, runId)
      check(`SIGKILL ${kills.length} (at ${at})`)
    }

    // 1. Device backups over the API, with evidence imports alongside.
    await probe('backup-stored', apiBackup)
    // Two kills at least; more (up to six) while fewer than four backups were acknowledged
    // between them, as on a loaded machine where each backup takes longer.
    for (let i = 0; i < 6 && (i < 2 || ack.backups.size <= 3); i++) await crash('devices.backup', null, [150, 600], { backups: true })
    expect(ack.backups.size, 'backups were acknowledged between the kills').toBeGreaterThan(3)
    expect(refused, 'the device backups the running host refused').toEqual([])

    // 2. The My2N move up to its backup step (no kills but one when the run is created).
    await probe('run-created', (port) => must(port, 'workflows.start', { ticketId: wfTicket, procedure: 'my2n-move' }))
    runId = seen(await must<WorkflowRun>(h.port, 'workflows.start', { ticketId: wfTicket, procedure: 'my2n-move' })).id
    /** The run (settled) is on `stepId`; otherwise say what the visits so far ended with. */
    const on = async (stepId: string) => {
      const run = await settle(h.port, runId)
      if (run.current?.stepId !== stepId) {
        const visits = run.timeline.filter((e) => e.row !== null).map((e) => [e.stepId, e.state, e.outcome, e.why, e.result])
        expect.fail(`the run is on ${run.current?.stepId ?? run.status}, not ${stepId}; device at ${d.ip}, run facts ${JSON.stringify(run.facts)}\nvisits ${JSON.stringify(visits)}\nkills ${JSON.stringify(kills)}\nlast audit entries:\n${lastEntries(dataDir)}`)
      }
      return run
    }
    reply(await must(h.port, 'workflows.completeStep', { runId, stepId: 'serial', inputs: { serial: d.serial, foundAt: 'label' } }))
    reply(await must(h.port, 'workflows.runAuto', { runId, stepId: 'bench', inputs: { host: d.ip } }))
    await on('my2n-check')
    reply(await must(h.port, 'workflows.runAuto', { runId, stepId: 'my2n-check', inputs: { site: bench.my2n.siteId, certificateCode: d.my2nCode } }))
    await on('already-added')
    reply(await must(h.port, 'workflows.completeStep', { runId, stepId: 'already-added', inputs: {}, outcome: 'new-code' }))
    reply(await must(h.port, 'workflows.completeStep', { runId, stepId: 'new-code', inputs: { securityCode: d.generateMy2nCode(), oldCodeInvalid: true } }))
    await on('backup')

    const takeReveal = async (run: WorkflowRun) => {
      if (run.pendingReveal) revealed = (await must<{ value: string } | null>(h.port, 'workflows.reveal', { runId }))?.value ?? revealed
    }
    /**
     * Kills the host up to `times` times while the step runs (and, with `recheck`, once more while
     * the restarted host re-checks it with the device); then runs it to its end if needed.
     */
    const step = async (stepId: string, inputs: Record<string, string | boolean>, delay: [number, number], times: number, next: string, o: { backups: boolean; recheck?: [number, number] }) => {
      const runIt = async (port: number) => reply(await must<WorkflowReply>(port, 'workflows.runAuto', { runId, stepId, inputs }))
      for (let k = 0; k < times; k++) {
        await crash(`step ${stepId}`, runIt, delay, { ...o, settle: !o.recheck })
        if (o.recheck && (await getRun(h.port, runId)).timeline.some((e) => e.stepId === stepId && e.running)) await crash(`re-check of ${stepId}`, null, o.recheck, o)
        const run = await settle(h.port, runId)
        await takeReveal(run)
        if (run.current?.stepId !== stepId) break // ended before the kill, or re-checked to its end after the restart
      }
      if ((await settle(h.port, runId)).current?.stepId === stepId) await runIt(h.port)
      await takeReveal(await on(next))
    }

    // 3. The auto steps that talk to the device, killed in the middle (the device answers
    //    slowly enough that the delays fall inside the operations).
    d.slow(40)
    await probe('backup-stored', (port) => must(port, 'workflows.runAuto', { runId, stepId: 'backup', inputs: { username: creds.username, devicePassword: creds.password } }))
    await step('backup', { username: creds.username, devicePassword: creds.password }, [20, 250], 2, 'reset', { backups: true })
    await step('reset', { confirm: d.serial }, [50, 1000], 2, 'password', { backups: false, recheck: [100, 700] })
    await step('password', {}, [20, 400], 2, 'register', { backups: false })
    d.normal()

    // 4. The rest of the move, with a kill right after the restore's end is written (the
    //    configuration is on the device, the console has not recorded it); the run completes.
    reply(await must(h.port, 'workflows.runAuto', { runId, stepId: 'register', inputs: { site: bench.my2n.siteId } }))
    await on('restore-offer')
    reply(await must(h.port, 'workflows.completeStep', { runId, stepId: 'restore-offer', inputs: {}, outcome: 'review' }))
    reply(await must(h.port, 'workflows.runAuto', { runId, stepId: 'restore-review', inputs: {} }))
    await on('restore')
    await probe('step-done', (port) => must(port, 'workflows.runAuto', { runId, stepId: 'restore', inputs: { confirm: d.serial } }))
    // Destructive and interrupted: offered again (typed confirmation), never re-run by itself.
    if ((await on('restore')).current) reply(await must(h.port, 'workflows.runAuto', { runId, stepId: 'restore', inputs: { confirm: d.serial } }))
    await on('close-out')
    reply(await must(h.port, 'workflows.completeStep', { runId, stepId: 'close-out', inputs: { customerInformed: true } }))
    expect((await settle(h.port, runId)).status).toBe('completed')
    // The device is in the buyer's site, and the agent was shown the password it really has
    // (the restore above logged in with the console's sealed copy of it).
    expect(bench.my2nCloud.ownerOf(d.serial)).toBe(bench.my2n.companyId)
    expect(revealed, 'the new password was shown to the agent').not.toBeNull()
    expect(d.web.password).toBe(revealed)
    check('the end of the run')
    await h.kill()

    // The CLI check an auditor runs on the data folder, after the last crash.
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin/support-console.mjs'), 'audit', 'verify', '--data-dir', dataDir, '--json'], { encoding: 'utf8' })
    expect(cli.status, cli.stdout + cli.stderr).toBe(0)
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true, firstBreak: null })

    const phases = [...new Set(kills.map((k) => k.phase))].map((p) => [p, kills.filter((k) => k.phase === p)] as const)
    const byPhase = phases.map(([p, ks]) => `${p} ×${ks.length}${ks.some((k) => k.ms) ? ` (${ks.filter((k) => k.midOperation).length} mid-operation)` : ''}`).join(', ')
    console.log(`crash safety (lab bench): ${kills.length} SIGKILLs: ${byPhase}; ${ack.backups.size} backups, ${ack.evidence.size} evidence files, ${ack.steps.size} step visits acknowledged, none lost; ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    expect(kills.filter((k) => k.ms > 0).length, 'kills at random instants').toBeGreaterThanOrEqual(5)
    expect(refused, 'the device backups the running host refused').toEqual([])
  }, 120_000)
})
