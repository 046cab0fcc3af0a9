// Issue 13, finding 5: the data folder was readable by other local users (folder 0755, the
// database, WAL and audit-head.json 0644): another user read tickets, photos and PIN hashes.
// Now the folder is 0700 and every file 0600, set before anything is written, and an existing
// folder is tightened at start with a note. As root, the test reads as a second Unix user.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { createDispatcher } from '../core/api'
import { App } from '../core/app'
import { openConsoleApp } from '../core/open-console'

const OTHER = 'sc-i13-other'
const isRoot = process.getuid?.() === 0
/** A second local user (created once if missing; root only). */
function otherUser(): boolean {
  if (!isRoot) return false
  if (spawnSync('id', [OTHER]).status === 0) return true
  return spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER]).status === 0
}
/** Whether the second user can read `path` (cat as that user). */
const canRead = (path: string) => spawnSync('runuser', ['-u', OTHER, '--', 'cat', path], { encoding: 'utf8' }).status === 0

const mode = (p: string) => statSync(p).mode & 0o777
const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})

/** A parent any user may traverse, as a home folder often is. */
function openParent(): string {
  const p = tempDir('sc-private-')
  chmodSync(p, 0o755)
  return p
}

describe('the data folder is private to the agent', () => {
  it('a new folder is 0700 and the database, its WAL, the key and the head file 0600; another user reads nothing', async () => {
    const dir = join(openParent(), 'Support Console')
    const app = new App({ dataDir: dir, host: 'browser' })
    apps.push(app)
    await createDispatcher(app)('tickets.create', { customerName: 'Private customer' }, { transport: 'test' })
    await app.auditHead.flush()
    expect(mode(dir)).toBe(0o700)
    const files = readdirSync(dir)
    expect(files).toEqual(expect.arrayContaining(['support-console.sqlite', 'support-console.sqlite-wal', 'secret.key', 'audit-head.json']))
    for (const f of files) expect([f, mode(join(dir, f)) & 0o077]).toEqual([f, 0])
    if (otherUser()) {
      for (const f of ['support-console.sqlite', 'support-console.sqlite-wal', 'audit-head.json']) expect([f, canRead(join(dir, f))]).toEqual([f, false])
    }
  })

  it('an existing readable folder is tightened at start, with a note', async () => {
    const dir = join(openParent(), 'old')
    mkdirSync(dir, { mode: 0o755 })
    chmodSync(dir, 0o755)
    writeFileSync(join(dir, 'photo-cache.bin'), 'customer photo')
    chmodSync(join(dir, 'photo-cache.bin'), 0o644)
    if (otherUser()) expect(canRead(join(dir, 'photo-cache.bin'))).toBe(true) // the attack, before the console starts
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      apps.push(new App({ dataDir: dir, host: 'browser' }))
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/was readable by other users of this computer; it and its 2 files and folders are now private to you/)
    } finally {
      log.mockRestore()
    }
    expect(mode(dir)).toBe(0o700)
    expect(mode(join(dir, 'photo-cache.bin'))).toBe(0o600)
    if (otherUser()) expect(canRead(join(dir, 'photo-cache.bin'))).toBe(false)
    expect(existsSync(join(dir, 'support-console.sqlite'))).toBe(true)
  })

  it('a console started on a new folder (with its lock) writes nothing readable first, so it has no note to make', async () => {
    const dir = join(openParent(), 'new')
    const before = process.umask(0o022) // a shell's usual umask, as at any start
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      apps.push(openConsoleApp({ dataDir: dir, host: 'browser' }, 'console'))
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).not.toMatch(/was readable by other users/)
    } finally {
      log.mockRestore()
      process.umask(before)
    }
    for (const f of readdirSync(dir)) expect([f, mode(join(dir, f)) & 0o077]).toEqual([f, 0])
  })
})
