import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DB_FILE } from '../../../db/database'
import { openTrailReadOnly } from '../../features/audit/open-trail'
import { defaultDataDir } from '../../infra/data-dir'
import { collectDiagnostics } from '../../features/system/diagnostics'
import { appVersion } from '../../infra/paths'
import { parse, UsageError, type Command } from '../command'

const HELP = `Usage: support-console diagnostics --out FILE [--data-dir DIR]

  Writes one zip for whoever supports the console: the recent logs, versions (app,
  Node, OS), settings without secrets, the database's integrity check and migration
  level, the audit verification, the last discovery notes and disk space. No customer
  photos, passwords, codes or tokens. Opens the database read-only; works while the
  console is running.

Options:
  --out FILE      Where to write the zip (e.g. diagnostics.zip)
  --data-dir DIR  Data folder (default: $SUPPORT_CONSOLE_DATA_DIR or ${defaultDataDir({})})
  -h, --help      This help.`

export const diagnosticsCommand: Command = {
  name: 'diagnostics',
  summary: 'a zip of logs, versions and checks for support (no secrets, no photos)',
  help: HELP,
  async run(argv) {
    const { values } = parse(argv, { out: { type: 'string' }, 'data-dir': { type: 'string' } })
    if (!values.out) throw new UsageError('Say where to write the zip: --out FILE.')
    const dataDir = values['data-dir'] ?? defaultDataDir()
    const trail = openTrailReadOnly(dataDir)
    try {
      const d = collectDiagnostics({ dataDir, db: trail.db, dbPath: join(dataDir, DB_FILE), version: appVersion(), host: 'cli' })
      try {
        writeFileSync(values.out, d.data)
      } catch (e) {
        console.error(`Cannot write ${values.out}: ${(e as Error).message}. Choose a folder you can write to.`)
        return 1
      }
      console.log(`Wrote ${values.out} (${Math.ceil(d.data.length / 1024)} KB): ${d.entries.join(', ')}`)
      return 0
    } finally {
      trail.close()
    }
  },
}
