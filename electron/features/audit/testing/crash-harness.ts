// Shared parts of the crash-safety tests (electron/features/audit/crash.test.ts): the console host as a
// child process that can be SIGKILLed, its HTTP API, and the invariants the data folder must
// hold after any crash, read from the SQLite file itself with a connection of our own.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import BetterSqlite3 from 'better-sqlite3'
import { DB_FILE } from '../../../../db/database'
import { verifyAll } from '../integrity'

const HERE = dirname(fileURLToPath(import.meta.url))
export const ROOT = join(HERE, '..', '..', '..', '..')
export const TOKEN = 'crash-token'

export interface Host {
  child: ChildProcess
  port: number
  exited: Promise<void>
  output(): string
  /** A crash: SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>
}

const live = new Set<ChildProcess>()
/** Kills every host this process started that is still running (afterEach / afterAll). */
export async function killAllHosts(): Promise<void> {
  await Promise.all([...live].map((c) => new Promise<void>((r) => {
    if (c.exitCode !== null || c.signalCode !== null) return r()
    c.once('exit', () => r())
    c.kill('SIGKILL')
  })))
}

/**
 * Starts electron/features/audit/testing/crash-host.ts (the same App, dispatcher and HTTP host as
 * `support-console serve`) on `dataDir`. `env` is added to this process's environment (My2N of
 * the lab bench, rediscovery time, CRASH_AT probes of crash-host.ts).
 */
export async function startHost(dataDir: string, env: Record<string, string> = {}): Promise<Host> {
  // tsx as a loader of this one process: its CLI would run the host in a second process that a
  // SIGKILL of the first one leaves running (still holding the database and serving requests).
  const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href
  const child = spawn(process.execPath, ['--import', loader, join(HERE, 'crash-host.ts'), dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  live.add(child)
  const exited = new Promise<void>((r) => child.once('exit', () => (live.delete(child), r())))
  let out = ''
  child.stdout!.on('data', (c) => (out += c))
  child.stderr!.on('data', (c) => (out += c))
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`host did not start:\n${out}`)), 20_000)
    const check = () => {
      const m = /READY (\d+) \S+ (\d+)/.exec(out)
      if (!m) return
      clearTimeout(t)
      // The process that listens must be the one a kill hits.
      if (Number(m[2]) !== child.pid) reject(new Error(`the host runs as process ${m[2]}, not as the child ${child.pid} this test would kill`))
      else resolve(Number(m[1]))
    }
    child.stdout!.on('data', check)
    child.once('exit', (code, signal) => {
      clearTimeout(t)
      reject(new Error(`host exited ${code ?? signal}:\n${out}`))
    })
  })
  return {
    child, port, exited, output: () => out,
    kill: async () => {
      child.kill('SIGKILL')
      await exited
    },
  }
}

export type Reply<T = Record<string, unknown>> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } }

/** One API call as the renderer makes it over HTTP. Rejects when the host is gone. */
export async function call<T = Record<string, unknown>>(port: number, method: string, input: unknown): Promise<Reply<T>> {
  const res = await fetch(`http://127.0.0.1:${port}/api/rpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(input),
  })
  return (await res.json()) as Reply<T>
}

/** Like `call`, but the call must succeed: its value, or an error naming the method and the reply. */
export async function must<T = Record<string, unknown>>(port: number, method: string, input: unknown): Promise<T> {
  const r = await call<T>(port, method, input)
  if (!r.ok) throw new Error(`${method} failed: ${JSON.stringify(r.error)}`)
  return r.value
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

export interface Inspection {
  /** Everything that breaks an invariant, in words (empty = all hold). */
  problems: string[]
  backups: Map<number, string>
  evidence: Map<number, string>
  /** Step rows by id: state and outcome. */
  steps: Map<number, { runId: number; stepId: string; state: string; outcome: string | null }>
  auditEntries: number
}

/**
 * Opens the database file read-only (the host may be running; WAL readers see the last commit)
 * and checks what must hold after any crash:
 * - PRAGMA integrity_check is ok;
 * - the audit chain and every evidence file verify (the check behind `audit verify`);
 * - every device backup row is complete (its bytes hash to its SHA-256, its size matches) and
 *   has its `devices.backup` entry naming that id and hash;
 * - every workflow run has its `workflow.start` entry and every step visit the repository calls
 *   done has its `workflow.step.<id>` entry with that outcome (per ticket, step and outcome:
 *   at least as many entries as done visits).
 */
export function inspect(dataDir: string): Inspection {
  const db = new BetterSqlite3(join(dataDir, DB_FILE), { readonly: true, fileMustExist: true })
  const problems: string[] = []
  try {
    db.pragma('busy_timeout = 5000')
    const integrity = db.pragma('integrity_check', { simple: true })
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`)
    const report = verifyAll(db)
    if (report.firstBreak) problems.push(`audit chain broken: ${JSON.stringify(report.firstBreak)}`)
    for (const p of report.evidence.problems) problems.push(`evidence: ${p.message}`)

    const backupAudit = new Map<number, string>()
    for (const detail of db.prepare("SELECT detail FROM audit_log WHERE action = 'devices.backup' AND outcome = 'ok'").pluck().all() as string[]) {
      const m = /^Backup #(\d+): (\d+) bytes, SHA-256 ([0-9a-f]{64})/.exec(detail)
      if (m) backupAudit.set(Number(m[1]), m[3])
    }
    const backups = new Map<number, string>()
    for (const b of db.prepare('SELECT id, sha256, size, data FROM device_backups ORDER BY id').all() as { id: number; sha256: string; size: number; data: Buffer | null }[]) {
      backups.set(b.id, b.sha256)
      if (!b.data || b.data.length !== b.size || sha256(b.data) !== b.sha256) problems.push(`backup #${b.id} is incomplete: ${b.data?.length ?? 0} of ${b.size} bytes, SHA-256 ${b.data ? sha256(b.data) : '-'} instead of ${b.sha256}`)
      if (backupAudit.get(b.id) !== b.sha256) problems.push(`backup #${b.id} has no devices.backup audit entry with its SHA-256 (${backupAudit.has(b.id) ? `entry says ${backupAudit.get(b.id)}` : 'no entry'})`)
    }

    const evidence = new Map((db.prepare('SELECT id, sha256 FROM evidence').raw().all() as [number, string][]).map(([id, s]) => [id, s]))

    const starts = new Map<string, number>()
    for (const [t, p] of db.prepare("SELECT ticket_id, json_extract(inputs, '$.procedure') FROM audit_log WHERE action = 'workflow.start' AND outcome = 'ok'").raw().all() as [number, string][]) starts.set(`${t}/${p}`, (starts.get(`${t}/${p}`) ?? 0) + 1)
    for (const [t, p, n] of db.prepare('SELECT ticket_id, procedure, count(*) FROM workflow_runs GROUP BY 1, 2').raw().all() as [number, string, number][])
      if ((starts.get(`${t}/${p}`) ?? 0) < n) problems.push(`ticket #${t}: ${n} ${p} run(s) but ${starts.get(`${t}/${p}`) ?? 0} workflow.start audit entries`)

    const stepAudit = new Map<string, number>()
    for (const [t, s, o] of db.prepare("SELECT ticket_id, substr(action, 15), json_extract(inputs, '$.outcome') FROM audit_log WHERE action LIKE 'workflow.step.%' AND outcome IN ('ok', 'failed') AND json_extract(inputs, '$.outcome') IS NOT NULL").raw().all() as [number, string, string][])
      stepAudit.set(`${t}/${s}/${o}`, (stepAudit.get(`${t}/${s}/${o}`) ?? 0) + 1)
    const steps: Inspection['steps'] = new Map()
    const done = new Map<string, number>()
    for (const r of db.prepare('SELECT s.id, s.run_id, s.step_id, s.state, s.outcome, r.ticket_id FROM workflow_steps s JOIN workflow_runs r ON r.id = s.run_id ORDER BY s.id').all() as { id: number; run_id: number; step_id: string; state: string; outcome: string | null; ticket_id: number }[]) {
      steps.set(r.id, { runId: r.run_id, stepId: r.step_id, state: r.state, outcome: r.outcome })
      if (r.state === 'done') done.set(`${r.ticket_id}/${r.step_id}/${r.outcome}`, (done.get(`${r.ticket_id}/${r.step_id}/${r.outcome}`) ?? 0) + 1)
    }
    for (const [k, n] of done) if ((stepAudit.get(k) ?? 0) < n) problems.push(`ticket/step/outcome ${k}: ${n} visit(s) done but ${stepAudit.get(k) ?? 0} workflow.step audit entries`)

    return { problems, backups, evidence, steps, auditEntries: report.entries }
  } finally {
    db.close()
  }
}

/** The newest audit entries, for failure messages: what the console did last. */
export function lastEntries(dataDir: string, n = 40): string {
  const db = new BetterSqlite3(join(dataDir, DB_FILE), { readonly: true, fileMustExist: true })
  try {
    const rows = db.prepare('SELECT seq, at, action, outcome, device, detail FROM audit_log ORDER BY seq DESC LIMIT ?').all(n) as { seq: number; at: string; action: string; outcome: string; device: string | null; detail: string }[]
    return rows.reverse().map((e) => `#${e.seq} ${e.at.slice(11, 23)} ${e.action} ${e.outcome} ${e.device ?? ''} ${e.detail.slice(0, 160)}`).join('\n')
  } finally {
    db.close()
  }
}
