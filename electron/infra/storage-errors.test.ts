// A read-only or full data folder must say so and lose nothing already saved. Real
// file systems: as root (CI) a tmpfs that is remounted read-only, or made tiny; as a
// normal user, permissions and SQLite's page limit give the same conditions.
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { dbAt, tempDir } from '../../db/test/helpers'
import { AuditRepo } from '../../db/repos/audit'
import { HeadFileWriter } from '../features/audit/head-file'
import { createDispatcher } from '../core/api'
import { App } from '../core/app'
import { logFiles } from './log'
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

describe('a data folder that stops taking writes while the console runs (issue 13)', () => {
  const undo: (() => void)[] = []
  afterEach(() => {
    for (const u of undo.splice(0)) u()
  })
  /** Makes the folder refuse new files, as root (chattr +i) or as a user (chmod 0500); returns the undo. */
  function lock(dir: string): () => void {
    if (isRoot) execFileSync('chattr', ['+i', dir])
    else chmodSync(dir, 0o500)
    const unlock = () => (isRoot ? execFileSync('chattr', ['-i', dir]) : chmodSync(dir, 0o700))
    undo.push(unlock)
    return unlock
  }

  it('the head file failing to update is recorded, logged, announced and shown by system.info until a write works', async () => {
    const dir = tempDir()
    const app = make(dir)
    const call = createDispatcher(app)
    const seen: unknown[] = []
    app.bus.subscribe((name, p) => name === 'system.storage' && seen.push(p))
    expect(await call('tickets.create', { customerName: 'Before' }, ctx)).toMatchObject({ ok: true })
    await app.auditHead.flush()
    const unlock = lock(dir)
    // Writes through the open database go on: the change is saved, only the head file cannot be replaced.
    expect(await call('tickets.create', { customerName: 'While locked' }, ctx)).toMatchObject({ ok: true })
    await expect(app.auditHead.flush()).rejects.toThrow()
    const kind = isRoot ? 'immutable' : 'readOnly'
    expect(app.storage.problem).toMatchObject({ kind, source: 'auditHead', key: `storage.${kind}`, message: expect.stringContaining(`The data folder ${dir} cannot be written`) })
    expect(seen).toEqual([{ problem: app.storage.problem }])
    const info = await call('system.info', {}, ctx)
    expect(info.ok && (info.value as { storage: unknown }).storage).toEqual(app.storage.problem)
    const log = logFiles(dir).map((f) => readFileSync(f, 'utf8')).join('')
    expect(log).toMatch(new RegExp(`"storage":"${kind}".*storage: The data folder`))
    unlock()
    await app.auditHead.flush()
    expect(app.storage.problem).toBeNull()
    expect(seen.at(-1)).toEqual({ problem: null })
    await app.close()
  })

  it('a failed head write is retried on its own, so the problem clears without another change', async () => {
    const dir = tempDir()
    const app = make(dir)
    await app.auditHead.flush()
    const unlock = lock(dir)
    await createDispatcher(app)('tickets.create', { customerName: 'While locked' }, ctx)
    await vi.waitFor(() => expect(app.storage.problem).not.toBeNull(), { timeout: 3000 })
    unlock()
    await vi.waitFor(() => expect(app.storage.problem).toBeNull(), { timeout: 8000 })
    await app.close()
  })

  it('a change the database refuses is recorded too, with the call\'s own message', async () => {
    const dir = tempDir()
    const app = make(dir)
    const call = createDispatcher(app)
    app.db.pragma(`max_page_count = ${app.db.pragma('page_count', { simple: true })}`)
    let failed = false
    for (let i = 0; i < 400 && !failed; i++) failed = !(await call('tickets.create', { customerName: `Filler ${i}`, notes: 'x'.repeat(19_000) }, ctx)).ok
    expect(app.storage.problem).toMatchObject({ kind: 'full', source: 'database', message: `The disk holding ${dir} is full; the last change was not saved.` })
    await app.close()
  })

  it('a head file that cannot be written at start is reported, and cleared by the first write that works', async () => {
    const db = dbAt()
    const dir = tempDir()
    const heard: unknown[] = []
    const writer = new HeadFileWriter(db, dir, 250, undefined, (e) => heard.push(e === null ? null : (e as NodeJS.ErrnoException).code))
    const unlock = lock(dir)
    expect(() => writer.start()).toThrow()
    expect(heard).toEqual([isRoot ? 'EPERM' : 'EACCES'])
    unlock()
    await new AuditRepo(db).append({ agent: 'test', action: 'ticket.create', outcome: 'ok' })
    await writer.flush()
    expect(heard).toEqual([isRoot ? 'EPERM' : 'EACCES', null])
    writer.close()
    db.close()
  })
})
