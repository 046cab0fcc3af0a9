// Crash safety: the console host runs as a child process and is killed with SIGKILL,
// again and again, while agents' writes (ticket changes, evidence imports, workflow
// steps when that feature exists) are in flight. After every restart the database must
// pass PRAGMA integrity_check, the audit chain and evidence hashes must verify, and
// every write the host had acknowledged must still be there, exactly.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { DB_FILE } from '../../db/database'
import { verifyAll } from './integrity'
import { int, rng } from '../../shared/testing/fuzz'

const ROOT = join(__dirname, '..', '..')
const CYCLES = 8

async function startHost(dataDir: string): Promise<{ child: ChildProcess; port: number; exited: Promise<void> }> {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(__dirname, 'testing/crash-host.ts'), dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  let out = ''
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`host did not start:\n${out}`)), 20_000)
    child.stdout!.on('data', (c) => {
      out += c
      const m = /READY (\d+)/.exec(out)
      if (m) {
        clearTimeout(t)
        resolve(Number(m[1]))
      }
    })
    child.stderr!.on('data', (c) => (out += c))
    child.once('exit', (code) => reject(new Error(`host exited ${code}:\n${out}`)))
  })
  return { child, port, exited }
}

async function call(port: number, method: string, input: unknown): Promise<{ ok: boolean; value?: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/rpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer crash-token' },
    body: JSON.stringify(input),
  })
  return (await res.json()) as { ok: boolean; value?: Record<string, unknown> }
}

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
