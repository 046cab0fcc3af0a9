// Audit trail benchmarks, each beside an anchor measured in the same run on the same disk:
//   appends with the hash chain   vs plain INSERTs of the same rows into an identical table
//   the same in bursts of 100     vs the plain INSERTs, 100 per transaction
//   audit verify over N entries   vs a plain sha256 pass over the same rows
// Usage: node_modules/.bin/tsx scripts/bench/audit.ts [--appends N] [--entries N] [--checkpoint-pages N]
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '../../db/database'
import { AuditRepo, entryHash, GENESIS } from '../../db/repos/audit'
import { verifyChain } from '../../electron/features/audit/verify'
import { HeadFileWriter } from '../../electron/features/audit/head-file'

// --checkpoint-pages N: WAL auto-checkpoint interval instead of the console's (db/database.ts), e.g. 1000 (SQLite's default) to compare.
const { values } = parseArgs({ options: { appends: { type: 'string', default: '100000' }, entries: { type: 'string', default: '1000000' }, 'checkpoint-pages': { type: 'string' } } })
const APPENDS = Number(values.appends)
const ENTRIES = Number(values.entries)

const line = (name: string, v: number, unit: string, anchor: number, _better: 'higher' | 'lower') =>
  console.log(`${name}: ${fmt(v)} ${unit} (anchor: ${fmt(anchor)} ${unit}, ratio: ${(v / anchor).toFixed(2)}x)`)
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2))

const dir = mkdtempSync(join(tmpdir(), 'bench-audit-'))
try {
  const db = openDatabase(dir)
  if (values['checkpoint-pages']) db.pragma(`wal_autocheckpoint = ${Number(values['checkpoint-pages'])}`)
  // The anchor table is audit_log's exact schema (columns, indexes) without the chain.
  for (const sql of db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'audit_log' AND type IN ('table', 'index') AND sql IS NOT NULL").pluck().all() as string[]) {
    db.exec(sql.replace(/\baudit_log\b/g, 'plain_log').replace(/INDEX (\w+)/, 'INDEX plain_$1'))
  }
  // As in the app (electron/core/app.ts): every append schedules the head file (audit-head.json), so its cost is in the figures.
  const head = new HeadFileWriter(db, dir)
  const repo = new AuditRepo(db, { onAppend: () => head.touched() })
  const inputs = { ticket: 42, serial: 'DS-7608NI-K2/8P0820200101CCRR', field: 'status' }

  // Anchor: the same row shape, one transaction per row like the app, without hashing or the tail read.
  const plain = db.prepare(`INSERT INTO plain_log (seq, at, agent, ticket_id, device, action, inputs, outcome, detail, prev_hash, hash)
    VALUES (?, ?, 'Ann <ann@example.com>', 42, 'DS-7608NI', 'ticket.update', ?, 'ok', '', ?, ?)`)
  // One transaction per entry, as App.record writes them (the append joins it as a savepoint).
  const appendOne = db.transaction((a: Parameters<AuditRepo['append']>[0]) => repo.tx().append(a)).immediate
  const plainTx = db.transaction((i: number) => plain.run(i, new Date().toISOString(), JSON.stringify(inputs), GENESIS, fakeHash(i)))
  // Unique and scattered like real hashes (as they were when a UNIQUE index sat on them, before migration 8).
  const fakeHash = (i: number) => (Math.imul(i, 2654435761) >>> 0).toString(16).padStart(8, '0') + '0'.repeat(56)
  // Interleaved rounds, so file growth and checkpoints weigh on both sides alike.
  const ROUND = 5_000
  let plainMs = 0
  let chainMs = 0
  let t = 0
  for (let done = 0; done < APPENDS; done += ROUND) {
    t = performance.now()
    for (let i = done + 1; i <= done + ROUND; i++) plainTx.immediate(i)
    plainMs += performance.now() - t
    t = performance.now()
    for (let i = 0; i < ROUND; i++) appendOne({ agent: 'Ann <ann@example.com>', action: 'ticket.update', outcome: 'ok', ticketId: 42, device: 'DS-7608NI', inputs })
    chainMs += performance.now() - t
  }
  const rounds = Math.ceil(APPENDS / ROUND) * ROUND
  line('audit appends with hash chain (one transaction each, WAL, synchronous=NORMAL)', rounds / (chainMs / 1000), 'entries/s', rounds / (plainMs / 1000), 'higher')

  // Bursts: BURST appends issued at once through the async API (several requests or a
  // background task finishing together) share one commit; anchor: the same plain INSERTs,
  // BURST per transaction.
  const BURST = 100
  const plainBurst = db.transaction((from: number) => {
    for (let i = from; i < from + BURST; i++) plain.run(i, new Date().toISOString(), JSON.stringify(inputs), GENESIS, fakeHash(i))
  })
  let burstPlainMs = 0
  let burstChainMs = 0
  let next = rounds + 1
  for (let done = 0; done < APPENDS; done += ROUND) {
    t = performance.now()
    for (let i = 0; i < ROUND; i += BURST, next += BURST) plainBurst.immediate(next)
    burstPlainMs += performance.now() - t
    t = performance.now()
    for (let i = 0; i < ROUND; i += BURST) {
      await Promise.all(Array.from({ length: BURST }, () => repo.append({ agent: 'Ann <ann@example.com>', action: 'ticket.update', outcome: 'ok', ticketId: 42, device: 'DS-7608NI', inputs })))
    }
    burstChainMs += performance.now() - t
  }
  line(`audit appends with hash chain, bursts of ${BURST} (group commit)`, rounds / (burstChainMs / 1000), 'entries/s', rounds / (burstPlainMs / 1000), 'higher')

  // Grow the trail to ENTRIES quickly (one transaction), the chain computed as the app does.
  const ins = db.prepare(`INSERT INTO audit_log (seq, at, agent, ticket_id, device, action, inputs, outcome, detail, prev_hash, hash)
    VALUES (@seq, @at, @agent, @ticketId, @device, @action, @inputs, @outcome, @detail, @prevHash, @hash)`)
  const tail = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string }
  db.transaction(() => {
    let prevHash = tail.hash
    for (let seq = tail.seq + 1; seq <= ENTRIES; seq++) {
      const e = { seq, at: new Date(1_790_000_000_000 + seq * 1000).toISOString(), agent: 'Ann <ann@example.com>', ticketId: seq % 5000, device: seq % 7 ? null : 'DS-7608NI', action: 'ticket.update', inputs: JSON.stringify({ ...inputs, seq }), outcome: 'ok', detail: '', prevHash }
      prevHash = entryHash(e)
      ins.run({ ...e, hash: prevHash })
    }
  })()

  // Anchor: read every row and sha256 its columns, no chain logic.
  t = performance.now()
  let x = 0
  for (const r of db.prepare('SELECT seq, at, agent, ticket_id, device, action, inputs, outcome, detail, prev_hash, hash FROM audit_log').raw(true).iterate() as IterableIterator<unknown[]>) {
    x ^= createHash('sha256').update(JSON.stringify(r)).digest()[0]
  }
  const anchorMs = performance.now() - t
  const rep = verifyChain(db)
  if (!rep.ok || rep.entries !== ENTRIES) throw new Error(`verify failed: ${JSON.stringify(rep.firstBreak)} entries=${rep.entries} (${x})`)
  line(`audit verify over ${ENTRIES.toLocaleString('en-US')} entries`, rep.ms / 1000, 's', anchorMs / 1000, 'lower')
  console.log('  anchors: plain INSERTs into a table with audit_log\'s exact schema; one sha256 per row over the same rows')
  console.log('  targets: appends > 20,000/s; verify of 1,000,000 entries < 5 s')
  console.log(`  WAL checkpoint every ${db.pragma('wal_autocheckpoint', { simple: true })} pages (SQLite's default: 1000); head file written after commits (audit-head.json)`)
  head.close()
  db.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
