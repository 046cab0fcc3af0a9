// Exactly once across a crash and an outage, against a real Request Tracker: the console's
// sync (the CLI, a process of its own) is killed with SIGKILL while it sends, RT is stopped
// for a while, and after both come back every queued item is in RT exactly once.
import BetterSqlite3 from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { RtInstance } from '../../../lab/helpdesk/rt'
import { App } from '../../core/app'
import { buildHelpdesk } from '../../core/api'
import { connect, importTicket, postReport, reply } from './service'

const ROOT = join(__dirname, '..', '..', '..')
let rt: RtInstance
beforeAll(async () => {
  rt = await RtInstance.create()
}, 120_000)
afterAll(async () => {
  await rt?.close()
})

function cli(args: string[]) {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'support-console.mjs'), 'helpdesk', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((r) => child.on('exit', (code, signal) => r({ code, signal, out, err })))
  return { child, done }
}

describe('helpdesk outbox: crash and outage', () => {
  it('SIGKILL mid-sync and RT down for a while: after restart everything pending is sent exactly once', async () => {
    const remoteId = await rt.createTicket({ subject: 'Intercom move', requester: { email: 'petra@example.cz', realName: 'Petra Dvořáková' }, content: 'Hello', files: [] })
    const dataDir = tempDir()
    const app = new App({ dataDir, host: 'browser' })
    const keys: string[] = []
    try {
      await app.setAgent({ name: 'Eva Agent', email: 'eva@example.com' })
      const hd = buildHelpdesk(app)
      await connect(hd, { provider: 'rt', url: rt.url, user: '', token: rt.token }, { test: true })
      const { ticket } = await importTicket(hd, remoteId)
      for (let i = 0; i < 2; i++) keys.push((await postReport(hd, ticket.id)).key)
      for (let i = 0; i < 10; i++) keys.push((await reply(hd, ticket.id, `Update ${i}: still working on it.`)).key)
    } finally {
      await app.close()
    }

    // 1. The sync is killed while it sends: after a first item is sent, while others wait.
    const db = new BetterSqlite3(join(dataDir, 'support-console.sqlite'), { readonly: true })
    const sent = () => db.prepare("SELECT count(*) FROM helpdesk_outbox WHERE status = 'sent'").pluck().get() as number
    const first = cli(['sync', '--data-dir', dataDir, '--json'])
    const until = Date.now() + 60_000
    while (sent() < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
    first.child.kill('SIGKILL')
    const killed = await first.done
    expect(killed.signal).toBe('SIGKILL')
    const afterKill = sent()
    expect(afterKill).toBeGreaterThanOrEqual(2)
    expect(afterKill).toBeLessThan(keys.length)

    // 2. RT is down: the sync says what is pending and why, and loses nothing.
    await rt.stop()
    const down = await cli(['sync', '--data-dir', dataDir, '--json']).done
    expect(down.code).toBe(4)
    expect(JSON.parse(down.out)).toMatchObject({ sent: 0, pending: keys.length - afterKill, failed: 0 })
    const why = db.prepare("SELECT last_error FROM helpdesk_outbox WHERE last_error IS NOT NULL AND status != 'sent' LIMIT 1").pluck().get() as string
    expect(why).toMatch(/Request Tracker at http:\/\/127\.0\.0\.1:\d+ cannot be reached/)

    // 3. RT is back: everything is sent, each exactly once.
    await rt.start()
    const back = await cli(['sync', '--data-dir', dataDir, '--json', '--wait', '120']).done
    expect(back.err).toBe('')
    expect(back.code).toBe(0)
    expect(JSON.parse(back.out)).toMatchObject({ pending: 0, failed: 0 })
    db.close()
    const msgs = await rt.messages(remoteId)
    for (const k of keys) expect(msgs.filter((m) => m.subject.includes(`[sc:${k}]`)).length, k).toBe(1)
    expect(msgs.filter((m) => m.type === 'Comment')).toHaveLength(2)
    expect(msgs.filter((m) => m.type === 'Correspond')).toHaveLength(10)
  }, 300_000)
})
