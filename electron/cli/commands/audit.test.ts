// `support-console audit list` (through bin/support-console.mjs) reads the trail without
// changing it: read-only, never migrating the database, never creating one.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { DB_FILE, openDatabase } from '../../../db/database'
import { tempDir } from '../../../db/test/helpers'
import { createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/support-console.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex')

describe('support-console audit list', () => {
  it('lists the entries of a closed console, leaving its database byte for byte as it was', async () => {
    const dir = tempDir()
    const app = new App({ dataDir: dir, host: 'browser', keys: memoryKeyProvider() })
    await createDispatcher(app)('tickets.create', { customerName: 'Eva Dvořáková', externalRef: 'ZD-77', procedure: 'other' }, { transport: 'test' })
    await app.close()
    const before = sha(join(dir, DB_FILE))
    const r = cli('audit', 'list', '--data-dir', dir, '--json')
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).items.some((e: { action: string }) => e.action === 'ticket.create')).toBe(true)
    expect(sha(join(dir, DB_FILE))).toBe(before)
    // SQLite may leave the (empty) WAL index files of a read-only reader; nothing was written.
    const wal = join(dir, `${DB_FILE}-wal`)
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0)
  })

  it('refuses a database that needs a migration instead of migrating it', () => {
    const dir = tempDir()
    openDatabase(dir, { targetVersion: 7 }).close()
    const before = sha(join(dir, DB_FILE))
    const r = cli('audit', 'list', '--data-dir', dir)
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/needs migrating before this console can list it \(missing: 8 audit-hash-unindexed.*Listing opens it read-only and does not migrate it\./)
    expect(sha(join(dir, DB_FILE))).toBe(before)
  })

  it('says there is nothing to list in a folder without a database, and creates none', () => {
    const dir = tempDir()
    const r = cli('audit', 'list', '--data-dir', dir)
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/There is no Support Console database in .* nothing to list/)
    expect(existsSync(join(dir, DB_FILE))).toBe(false)
  })
})
