// The diagnostics bundle for whoever supports the console: one zip with the recent logs,
// versions, settings without secrets, the database's integrity check and migration level, the
// audit verification, the last discovery notes and disk space. Never customer photos,
// passwords, codes or tokens: the logs are already scrubbed when written, settings go through
// the same scrub and lose every sealed value, and nothing else is copied from the data folder.
import type { Database } from 'better-sqlite3'
import { readFileSync, statfsSync, statSync } from 'node:fs'
import { arch, platform, release, totalmem, freemem } from 'node:os'
import { basename } from 'node:path'
import { schemaVersion } from '../../../db/migrate'
import { databaseFacts } from '../../../db/repos/system-diagnostics'
import { verifyAll } from '../audit'
import { logFiles, scrub } from '../../infra/log'
import { zip, type ZipEntry } from '../../infra/zip'

/** Logs older than this many bytes back are left out (the newest files first). */
export const BUNDLE_LOG_BYTES = 8 * 1024 * 1024

export interface DiagnosticsSource {
  dataDir: string
  db: Database
  dbPath: string
  version: string
  host: 'electron' | 'browser' | 'cli'
}

const SEALED = /v1:[A-Za-z0-9+/]{20,}={0,2}/g
const json = (v: unknown) => Buffer.from(`${JSON.stringify(v, null, 2)}\n`)

function settingsWithoutSecrets(rows: { key: string; value: string }[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const r of rows) {
    let v: unknown
    try {
      v = JSON.parse(r.value.replace(SEALED, '[sealed]'))
    } catch {
      v = '[unreadable]'
    }
    out[r.key] = scrub({ [r.key]: v })
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, (v as Record<string, unknown>)[k]]))
}

/** The last "discovery finished" line of the logs: the scan's figures and its "why not found" notes. */
function lastDiscovery(logs: string[]): unknown {
  for (const f of logs) {
    const lines = readFileSync(f, 'utf8').trimEnd().split('\n').reverse()
    for (const l of lines) {
      if (!l.includes('"discovery finished"')) continue
      try {
        return JSON.parse(l)
      } catch {
        /* a torn last line */
      }
    }
  }
  return null
}

function disk(dataDir: string) {
  try {
    const s = statfsSync(dataDir)
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }
  } catch (e) {
    return { error: (e as Error).message }
  }
}

export function collectDiagnostics(src: DiagnosticsSource, now = new Date()): { fileName: string; data: Buffer; entries: string[] } {
  const entries: ZipEntry[] = []
  const facts = databaseFacts(src.db)
  const logs = logFiles(src.dataDir)
  let budget = BUNDLE_LOG_BYTES
  for (const f of logs) {
    if (budget <= 0) break
    let b = readFileSync(f)
    if (b.length > budget) b = b.subarray(b.length - budget)
    budget -= b.length
    entries.push({ name: `logs/${basename(f)}`, data: b })
  }
  entries.push({
    name: 'versions.json',
    data: json({
      app: src.version, host: src.host, node: process.versions.node, electron: process.versions.electron ?? null, chrome: process.versions.chrome ?? null,
      v8: process.versions.v8, sqlite: facts.sqliteVersion,
      os: { platform: platform(), release: release(), arch: arch(), totalMemBytes: totalmem(), freeMemBytes: freemem() }, collectedAt: now.toISOString(),
    }),
  })
  entries.push({ name: 'settings.json', data: json(settingsWithoutSecrets(facts.settings)) })
  entries.push({
    name: 'database.json',
    data: json({ integrityCheck: facts.integrityCheck.slice(0, 100), migrationLevel: schemaVersion(src.db), sizeBytes: statSync(src.dbPath).size, journalMode: facts.journalMode }),
  })
  let audit: unknown
  try {
    const r = verifyAll(src.db, { dataDir: src.dataDir })
    audit = { ok: r.ok, entries: r.entries, head: r.head, firstBreak: r.firstBreak, evidence: { ...r.evidence, problems: r.evidence.problems.slice(0, 50) }, records: { ...r.records, problems: r.records.problems.slice(0, 50) }, headFile: r.headFile, ms: r.ms }
  } catch (e) {
    audit = { error: (e as Error).message }
  }
  entries.push({ name: 'audit-verify.json', data: json(scrub(audit)) })
  entries.push({ name: 'discovery.json', data: json(lastDiscovery(logs)) })
  entries.push({ name: 'disk.json', data: json({ dataDir: src.dataDir, ...disk(src.dataDir) }) })
  const stamp = now.toISOString().replace(/[:.]/g, '-').slice(0, 19)
  return { fileName: `support-console-diagnostics-${stamp}.zip`, data: zip(entries), entries: entries.map((e) => e.name) }
}
