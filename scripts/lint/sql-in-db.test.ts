// All SQL lives in db/ (issue 11): product code under electron/ reaches the database only through
// db/'s repositories and functions, so no `.prepare(` or `.exec(` may appear there outside tests
// and test helpers (RegExp#exec included: `.match`/`matchAll` keep the scan exact). This is the
// check `grep -rn "prepare(\|\.exec(" electron --include=*.ts | grep -v "test.ts\|/testing"` ran
// by hand; it fails naming every file and line that brings SQL back.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { layerOf, ROOT } from './layers.mjs'

const SQL_CALL = /prepare\(|\.exec\(/

/** `path:line: text` of every SQL call in product .ts files under `root`/electron. */
function sqlOutsideDb(root: string): string[] {
  const found: string[] = []
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') visit(abs)
        continue
      }
      const rel = relative(root, abs).split(sep).join('/')
      if (!rel.endsWith('.ts') || layerOf(rel) === 'test') continue
      readFileSync(abs, 'utf8').split('\n').forEach((text, i) => {
        if (SQL_CALL.test(text)) found.push(`${rel}:${i + 1}: ${text.trim()}`)
      })
    }
  }
  visit(join(root, 'electron'))
  return found
}

describe('SQL stays in db/', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'sql-in-db-'))
  afterAll(() => rmSync(fixture, { recursive: true, force: true }))
  const put = (rel: string, text: string) => {
    mkdirSync(dirname(join(fixture, rel)), { recursive: true })
    writeFileSync(join(fixture, rel), text)
  }

  it('finds statements and RegExp#exec in product code, not in tests or test helpers', () => {
    put('electron/features/audit/verify.ts', "const a = 1\nconst n = db.prepare('SELECT count(*) FROM audit_log').pluck().get()\n")
    put('electron/infra/lock.ts', "db.exec('BEGIN IMMEDIATE')\n")
    put('electron/cli/commands/discover.ts', 'const m = /^(\\d+)$/.exec(x)\n')
    put('electron/core/app.ts', "const v = this.settings.getSync('agent')\nconst m = x.match(/a/)\n")
    put('electron/features/audit/verify.test.ts', "db.prepare('DELETE FROM audit_log').run()\n")
    put('electron/features/audit/testing/seed.ts', "db.exec('INSERT INTO audit_log DEFAULT VALUES')\n")
    put('electron/testing.ts', "db.prepare('SELECT 1')\n")
    expect(sqlOutsideDb(fixture).sort()).toEqual([
      'electron/cli/commands/discover.ts:1: const m = /^(\\d+)$/.exec(x)',
      "electron/features/audit/verify.ts:2: const n = db.prepare('SELECT count(*) FROM audit_log').pluck().get()",
      "electron/infra/lock.ts:1: db.exec('BEGIN IMMEDIATE')",
    ])
  })

  it('the repository has no SQL under electron/ outside tests (move it into db/)', () => {
    const found = sqlOutsideDb(ROOT)
    expect(found, `SQL outside db/ (put it in a repository or function in db/):\n${found.join('\n')}`).toEqual([])
  })
})
