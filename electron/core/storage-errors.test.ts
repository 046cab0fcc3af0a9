// A read-only or full data folder must say so and lose nothing already saved. Real
// file systems: as root (CI) a tmpfs that is remounted read-only, or made tiny; as a
// normal user, permissions and SQLite's page limit give the same conditions.
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { createDispatcher } from './api'
import { App } from './app'
import { memoryKeyProvider } from './secret-box'

const isRoot = process.getuid?.() === 0
const mounts: string[] = []
afterEach(() => {
  for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m])
})
function tmpfs(sizeKb: number): string {
  const dir = join(tempDir(), 'mnt')
  mkdirSync(dir)
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir])
  mounts.push(dir)
  return dir
}
const ctx = { transport: 'test' as const }
const make = (dataDir: string) => new App({ dataDir, host: 'browser', keys: memoryKeyProvider() })

describe('data folder problems', () => {
  it('a read-only folder is refused at start with a message naming it', async () => {
    const dir = isRoot ? tmpfs(2048) : tempDir()
    make(dir).close()
    if (isRoot) execFileSync('mount', ['-o', 'remount,ro', dir])
    else chmodSync(dir, 0o555)
    expect(() => make(dir)).toThrow(new RegExp(`data folder ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be written`))
  })

  it('a full disk fails the write with a clear message and keeps earlier tickets', async () => {
    const dir = isRoot ? tmpfs(1024) : tempDir()
    const app = make(dir)
    const call = createDispatcher(app)
    const first = await call('tickets.create', { customerName: 'Saved before the disk filled' }, ctx)
    expect(first.ok).toBe(true)
    if (!isRoot) app.db.pragma(`max_page_count = ${app.db.pragma('page_count', { simple: true })}`)
    let failure: unknown = null
    for (let i = 0; i < 400 && !failure; i++) {
      const r = await call('tickets.create', { customerName: `Filler ${i}`, notes: 'x'.repeat(19_000) }, ctx)
      if (!r.ok) failure = r.error
    }
    expect(failure).toMatchObject({ code: 'STORAGE', message: expect.stringMatching(/full/) })
    const list = await call('tickets.list', { search: 'saved', status: 'all' }, ctx)
    expect(list.ok && (list.value as { items: { customerName: string }[] }).items.map((t) => t.customerName)).toEqual(['Saved before the disk filled'])
    await app.close()
  })
})
