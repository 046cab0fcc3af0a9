// `support-console helpdesk connect|import|post-report|sync` as an agent runs them, against
// the Zendesk simulator: JSON out, exit codes, and the token never echoed.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { ZendeskSim } from '../../../lab/helpdesk/zendesk'

const ROOT = join(__dirname, '..', '..', '..')
const TOKEN = 'zd-cli-token-0123456789'
let sim: ZendeskSim
let ticket: number
beforeAll(async () => {
  sim = await new ZendeskSim().start()
  const org = sim.addOrganization('Alarmtech s.r.o.')
  const customer = sim.addUser({ name: 'Marie Černá', email: 'marie@example.cz', phone: '+420 608 111 222', organization_id: org, role: 'end-user' })
  sim.addUser({ name: 'Agent', email: 'agent@vendor.example', phone: null, organization_id: null, role: 'agent', token: TOKEN })
  ticket = sim.addTicket({ subject: 'Intercom question', requesterId: customer, comments: [{ body: 'See the label', files: [{ name: 'label.png', mime: 'image/png', data: Buffer.from('89504e470d0a1a0a', 'hex') }] }] })
})
afterAll(async () => sim?.stop())

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [join(ROOT, 'bin', 'support-console.mjs'), 'helpdesk', ...args], { cwd: ROOT, env: process.env })
    let out = ''
    let err = ''
    c.stdout.on('data', (d: Buffer) => (out += d.toString()))
    c.stderr.on('data', (d: Buffer) => (err += d.toString()))
    c.on('exit', (code) => resolve({ code, out, err }))
  })
}

describe('support-console helpdesk', () => {
  it('connects (checked), imports as JSON, queues the report and syncs it', async () => {
    const dir = tempDir()
    const bad = join(dir, 'bad.txt')
    const good = join(dir, 'token.txt')
    writeFileSync(bad, 'not-the-token\n')
    writeFileSync(good, `${TOKEN}\n`)
    const refused = await run(['connect', 'zendesk', '--url', sim.url, '--user', 'agent@vendor.example', '--token-file', bad, '--test', '--data-dir', dir])
    expect(refused.code).toBe(1)
    expect(refused.err).toContain("Zendesk answered 401 (the user or token was refused")
    expect(refused.err).not.toContain('not-the-token')
    // Nothing was stored: an import says no helpdesk is configured.
    expect((await run(['import', String(ticket), '--data-dir', dir, '--json'])).err).toContain('No helpdesk is configured')

    const ok = await run(['connect', 'zendesk', '--url', sim.url, '--user', 'agent@vendor.example', '--token-file', good, '--test', '--data-dir', dir, '--json'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.out)).toMatchObject({ id: 'zendesk', url: sim.url, tokenSet: true, signedInAs: 'agent@vendor.example' })
    expect(ok.out).not.toContain(TOKEN)

    const imp = await run(['import', `${sim.url}/agent/tickets/${ticket}`, '--data-dir', dir, '--json'])
    expect(imp.code).toBe(0)
    const doc = JSON.parse(imp.out) as { ticket: { id: number; externalRef: string; customerName: string; contact: string }; attachments: { fileName: string }[] }
    expect(doc.ticket).toMatchObject({ externalRef: `ZENDESK#${ticket}`, customerName: 'Marie Černá', contact: 'marie@example.cz · +420 608 111 222 · Alarmtech s.r.o.' })
    expect(doc.attachments.map((a) => a.fileName)).toEqual(['label.png'])

    const post = await run(['post-report', String(doc.ticket.id), '--data-dir', dir, '--json'])
    expect(post.code).toBe(0)
    expect(JSON.parse(post.out)).toMatchObject({ item: { status: 'sent', kind: 'note' }, sent: 1, pending: 0, failed: 0 })
    const sync = await run(['sync', '--data-dir', dir, '--json'])
    expect(sync.code).toBe(0)
    expect(JSON.parse(sync.out)).toEqual({ sent: 0, pending: 0, failed: 0 })
    expect(sim.comments(ticket).filter((c) => !c.public)).toHaveLength(1)
    // A ticket without a link: a clear error, exit 1.
    const none = await run(['post-report', '999', '--data-dir', dir])
    expect(none.code).toBe(1)
    expect(none.err).toContain('Ticket #999 does not exist')
  }, 120_000)
})
