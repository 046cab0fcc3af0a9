import { readFileSync } from 'node:fs'
import { defaultDataDir } from '../../infra/data-dir'
import { existingDataKey, memoryKeyProvider, SecretBox } from '../../infra/secret-box'
import { AuditQueryRepo } from '../../../db/repos/audit-query'
import { toAuditItem } from '../../features/audit/handlers'
import { verifyAll } from '../../features/audit/integrity'
import { HEAD_FILE } from '../../features/audit/head-file'
import { openTrailReadOnly } from '../../features/audit/open-trail'
import { verifyBundle } from '../../features/reports/verify-bundle'
import { actionPhrase } from '../../features/reports/phrases'
import { intOption, parse, UsageError, type Command } from '../command'

const HELP = `Usage: support-console audit <verify|list> [options]

  audit verify [--data-dir DIR] [--bundle FILE] [--json]
      Checks the whole hash-chained audit trail, every evidence file's SHA-256,
      that every ticket, evidence item, workflow run and finished step, device
      backup and reset code has the entry that created it, and the trail's end
      against the head the console keeps outside the database (${HEAD_FILE}).
      Exits 0 when intact; otherwise exits 3 and names the first broken entry
      (altered, deleted, reordered, inserted, newest entries cut off, rewritten
      behind the console's back). Opens the database read-only and never
      migrates it: exits 1 saying so when it needs a migration first.
      --bundle FILE checks a ticket's JSON bundle exported by the console, on any
      machine; with --data-dir as well, also checks its entries are in that trail.

  audit list [--data-dir DIR] [--ticket N] [--action A] [--limit N] [--json]
      Prints audit entries, newest first. Opens the database read-only, like verify.

Options:
  --data-dir DIR  Folder of the database (default: $SUPPORT_CONSOLE_DATA_DIR or ${defaultDataDir({})})
  -h, --help      This help.`

async function verify(argv: string[]): Promise<number> {
  const { values } = parse(argv, { 'data-dir': { type: 'string' }, bundle: { type: 'string' }, json: { type: 'boolean' } })
  if (values.bundle) {
    let raw: unknown
    try {
      raw = JSON.parse(readFileSync(values.bundle, 'utf8'))
    } catch (e) {
      console.error(`Cannot read ${values.bundle}: ${(e as Error).message}`)
      return 2
    }
    const trail = values['data-dir'] ? openTrailReadOnly(values['data-dir']) : undefined
    const db = trail?.db
    try {
      const r = verifyBundle(raw, db)
      if (values.json) console.log(JSON.stringify(r, null, 2))
      else if (r.ok) console.log(`Bundle OK: ticket ${r.ticketId}, ${r.entries} entries, ${r.evidence} evidence items.\n${r.proves.map((p) => `  - ${p}`).join('\n')}`)
      else console.error(`Bundle BROKEN: ${r.problem}`)
      return r.ok ? 0 : 3
    } finally {
      trail?.close()
    }
  }
  const dir = values['data-dir'] ?? defaultDataDir()
  const trail = openTrailReadOnly(dir)
  try {
    // The seals are checked with the folder's key when this user can read it (never created here).
    const dataKey = existingDataKey(dir)
    const key = dataKey ? new SecretBox(memoryKeyProvider(dataKey)).auditKey() : undefined
    const r = verifyAll(trail.db, { dataDir: dir, key })
    if (trail.note) console.error(`Note: ${trail.note}`)
    if (!key) console.error(`Note: the data folder's key is not readable here (the desktop app keeps it in the keychain, or this user may not read it): the seals of the entries and of ${HEAD_FILE} were not checked, only the hash chain, which anyone able to write the database could recompute. Verify in the console itself for the full check.`)
    if (values.json) console.log(JSON.stringify(r, null, 2))
    else if (r.ok) {
      console.log(`Audit trail OK: ${r.entries} entries verified in ${(r.ms / 1000).toFixed(2)} s.`)
      if (r.head) console.log(`Head: entry ${r.head.seq}, hash ${r.head.hash}`)
      console.log(`Evidence: ${r.evidence.checked} files match their SHA-256; ${r.evidence.purged} purged (hash kept); ${r.evidence.byReference} held by reference.`)
      console.log(`Records: ${r.records.checked} tickets, evidence items, workflow runs and steps, device backups and reset codes, each with the entry that created it.`)
      console.log(`Head file: ${r.headFile.message}`)
    } else {
      if (r.firstBreak) console.error(`Audit trail BROKEN at entry ${r.firstBreak.seq} (${r.firstBreak.kind}): ${r.firstBreak.message}`)
      else console.error(`Audit trail chain OK (${r.entries} entries) but not everything around it:`)
      if (r.headFile.state !== 'ok' && r.headFile.state !== 'none' && r.headFile.message !== r.firstBreak?.message) console.error(`  Head file: ${r.headFile.message}`)
      for (const p of r.records.problems.slice(0, 20)) console.error(`  ${p.message}`)
      if (r.records.problems.length > 20) console.error(`  … and ${r.records.problems.length - 20} more records without their entries.`)
      for (const p of r.evidence.problems.slice(0, 20)) console.error(`  ${p.message}`)
      console.error('Keep this data folder as it is and report it: the trail was changed outside the console.')
    }
    return r.ok ? 0 : 3
  } finally {
    trail.close()
  }
}

async function list(argv: string[]): Promise<number> {
  const { values } = parse(argv, { 'data-dir': { type: 'string' }, ticket: { type: 'string' }, action: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } })
  // Read-only, never migrated or created: listing must not change the trail it shows.
  const trail = openTrailReadOnly(values['data-dir'] ?? defaultDataDir(), 'list')
  const db = trail.db
  try {
    const { rows, total } = await new AuditQueryRepo(db).page({ ticketId: intOption(values.ticket, 'ticket', 1, Number.MAX_SAFE_INTEGER), action: values.action, limit: intOption(values.limit, 'limit', 1, 100_000) ?? 50 })
    const items = rows.map(toAuditItem)
    if (values.json) {
      console.log(JSON.stringify({ total, items }, null, 2))
      return 0
    }
    for (const e of items) {
      const inputs = Object.entries(e.inputs).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')
      console.log(`${String(e.seq).padStart(6)}  ${e.at}  ${e.outcome.padEnd(7)} ${actionPhrase(e.action)}${e.ticketId ? ` [ticket ${e.ticketId}]` : ''}${e.device ? ` [${e.device}]` : ''}  by ${e.agent}${inputs ? `  ${inputs}` : ''}${e.detail ? `  — ${e.detail}` : ''}`)
    }
    console.log(`${items.length} of ${total} entries shown.`)
    return 0
  } finally {
    trail.close()
  }
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'Verify or list the tamper-evident audit trail',
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv
    if (sub === 'verify') return verify(rest)
    if (sub === 'list') return list(rest)
    throw new UsageError(sub ? `Unknown audit subcommand "${sub}".` : 'Say what to do: audit verify or audit list.')
  },
}
