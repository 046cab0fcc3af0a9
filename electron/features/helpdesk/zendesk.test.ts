// The Zendesk provider against the simulator in lab/helpdesk/zendesk.ts: side-loaded
// requester, attachments found across cursor pages, internal notes with uploads, a burst
// answered with 429 + Retry-After that the outbox waits out, and a lost answer that is not
// sent twice.
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { ZendeskSim } from '../../../lab/helpdesk/zendesk'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { buildHelpdesk } from '../../core/api'
import { connect, importTicket, openTickets, postReport, reply } from './service'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function setup(o: { limit?: number; windowMs?: number } = {}) {
  const sim = await new ZendeskSim(o).start()
  cleanup.push(() => sim.stop())
  const org = sim.addOrganization('Bezpečnost Žďár s.r.o.')
  const customer = sim.addUser({ name: 'Jiří Nováček', email: 'jiri@example.cz', phone: '+420 777 123 456', organization_id: org, role: 'end-user' })
  const agentId = sim.addUser({ name: 'Eva Agent', email: 'eva@vendor.example', phone: null, organization_id: null, role: 'agent', token: 'zd-api-token-123456' })
  const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)])
  // 130 comments: the photo is on the second cursor page (100 per page).
  const comments = Array.from({ length: 130 }, (_, i) => ({ body: `message ${i}`, authorId: i % 2 ? agentId : customer, files: i === 120 ? [{ name: 'qr-photo.jpg', mime: 'image/jpeg', data: photo }] : [] }))
  const ticketId = sim.addTicket({ subject: 'Question about my intercom', requesterId: customer, comments })
  const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
  cleanup.push(() => app.close())
  await app.setAgent({ name: 'Eva Agent', email: 'eva@vendor.example' })
  return { sim, app, hd: buildHelpdesk(app), ticketId, photo, customer, agentId }
}

describe('helpdesk: Zendesk', () => {
  it('refuses a wrong API token, imports with the side-loaded requester and attachments from every cursor page', async () => {
    const s = await setup()
    await expect(connect(s.hd, { provider: 'zendesk', url: s.sim.url, user: 'eva@vendor.example', token: 'wrong' }, { test: true })).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining("Couldn't authenticate you") })
    expect(await s.hd.repo.providers()).toEqual([])
    const c = await connect(s.hd, { provider: 'zendesk', url: s.sim.url, user: 'eva@vendor.example', token: 'zd-api-token-123456' }, { test: true })
    expect(c.signedInAs).toBe('eva@vendor.example')
    const r = await importTicket(s.hd, `${s.sim.url}/agent/tickets/${s.ticketId}`)
    expect(r.ticket).toMatchObject({ customerName: 'Jiří Nováček', contact: 'jiri@example.cz · +420 777 123 456 · Bezpečnost Žďár s.r.o.', externalRef: `ZENDESK#${s.ticketId}`, procedure: 'other' })
    expect(r.link.attachments).toEqual([expect.objectContaining({ fileName: 'qr-photo.jpg', mime: 'image/jpeg', size: s.photo.length })])
    // A URL of another host is not taken for this Zendesk.
    await expect(importTicket(s.hd, `https://evil.example/agent/tickets/${s.ticketId}`)).rejects.toMatchObject({ code: 'BAD_INPUT' })
  })

  it('lists the agent\'s and the unassigned open tickets (search API, requester side-loaded), not solved ones nor a colleague\'s, marked once linked', async () => {
    const s = await setup()
    const colleague = s.sim.addUser({ name: 'Karel Kolega', email: 'karel@vendor.example', phone: null, organization_id: null, role: 'agent' })
    const mine = s.sim.addTicket({ subject: 'Mine: doorbell offline', requesterId: s.customer, assigneeId: s.agentId, comments: [{ body: 'offline since Monday' }] })
    const theirs = s.sim.addTicket({ subject: 'Karel\'s', requesterId: s.customer, assigneeId: colleague, comments: [{ body: 'x' }] })
    const solved = s.sim.addTicket({ subject: 'Solved already', requesterId: s.customer, assigneeId: s.agentId, status: 'solved', comments: [{ body: 'y' }] })
    await connect(s.hd, { provider: 'zendesk', url: s.sim.url, user: 'eva@vendor.example', token: 'zd-api-token-123456' }, { test: false })
    const r = await openTickets(s.hd, { limit: 50 })
    expect(r.errors).toEqual([])
    expect(r.tickets.map((t) => t.remoteId).sort()).toEqual([String(s.ticketId), String(mine)].sort())
    expect(r.tickets.find((t) => t.remoteId === String(mine))).toEqual({ provider: 'zendesk', remoteId: String(mine), subject: 'Mine: doorbell offline', requesterName: 'Jiří Nováček', status: 'open', updatedAt: expect.any(String), webUrl: `${s.sim.url}/agent/tickets/${mine}`, linkedTicketId: null })
    expect(r.tickets.map((t) => t.remoteId)).not.toContain(String(theirs))
    expect(r.tickets.map((t) => t.remoteId)).not.toContain(String(solved))
    const { ticket } = await importTicket(s.hd, String(mine), { provider: 'zendesk' })
    expect((await openTickets(s.hd, { limit: 50 })).tickets.find((t) => t.remoteId === String(mine))?.linkedTicketId).toBe(ticket.id)
    // A helpdesk that does not answer is named with its reason, not shown as "nothing open".
    s.sim.fail(503, 1)
    const down = await openTickets(s.hd, { limit: 50 })
    expect(down.errors).toEqual([{ provider: 'zendesk', message: expect.stringContaining('503') }])
  })

  it('sends an internal note with uploads, waits out 429 Retry-After on a burst, and completes every item exactly once', async () => {
    const s = await setup({ limit: 8, windowMs: 2000 })
    await connect(s.hd, { provider: 'zendesk', url: s.sim.url, user: 'eva@vendor.example', token: 'zd-api-token-123456' }, { test: false })
    const { ticket } = await importTicket(s.hd, String(s.ticketId))
    const note = await postReport(s.hd, ticket.id)
    const replies = []
    for (let i = 0; i < 12; i++) replies.push(await reply(s.hd, ticket.id, `Reply ${i}`))
    const t0 = Date.now()
    const r = await s.hd.outbox.drain(90_000)
    expect(r).toEqual({ sent: 13, pending: 0, failed: 0 })
    expect(s.sim.stats.rateLimited).toBeGreaterThan(0)
    // 15 requests at 8 per 2 s: the outbox had to wait at least one window.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000)
    const all = s.sim.comments(s.ticketId)
    for (const item of [note, ...replies]) expect(all.filter((c) => c.body.includes(`[sc:${item.key}]`))).toHaveLength(1)
    const internal = all.find((c) => c.body.includes(note.key))!
    expect(internal.public).toBe(false)
    expect(internal.attachments.map((a) => sha(a.bytes))).toEqual(note.files.map((f) => f.sha256))
    expect(all.filter((c) => c.body.startsWith('Re: ')).every((c) => c.public)).toBe(true)
  }, 120_000)

  it('a lost answer is checked before a retry, and an outage is waited out: nothing is sent twice', async () => {
    const s = await setup()
    await connect(s.hd, { provider: 'zendesk', url: s.sim.url, user: 'eva@vendor.example', token: 'zd-api-token-123456' }, { test: false })
    const { ticket } = await importTicket(s.hd, String(s.ticketId))
    const item = await reply(s.hd, ticket.id, 'Your code is on its way')
    s.sim.dropNextUpdate()
    let r = await s.hd.outbox.drain(0)
    expect(r).toMatchObject({ sent: 0, pending: 1 })
    expect(await s.hd.repo.outboxItem(item.id)).toMatchObject({ status: 'sending', lastError: expect.stringContaining('cannot be reached') })
    // The helpdesk is down (503 with Retry-After) for the next requests, then back.
    s.sim.fail(503, 2)
    r = await s.hd.outbox.drain(30_000)
    expect(r).toEqual({ sent: 1, pending: 0, failed: 0 })
    expect(s.sim.comments(s.ticketId).filter((c) => c.body.includes(item.key))).toHaveLength(1)
    expect(s.sim.stats.updates).toBe(1)
    const sent = (await s.app.auditLog.forTicket(ticket.id)).find((e) => e.action === 'helpdesk.sent')!
    expect(JSON.parse(String(sent.inputs))).toMatchObject({ key: item.key, foundAfterUncertainSend: true })
  }, 60_000)
})

describe('helpdesk: status follows the console', () => {
  it('only where the agent allowed it: waiting on customer → pending, resolved → solved (audited)', async () => {
    const s = await setup()
    const { createDispatcher } = await import('../../core/api')
    const dispatch = createDispatcher(s.app)
    const call = async <T = unknown>(m: string, i: unknown): Promise<T> => {
      const r = await dispatch(m, i, { transport: 'test' })
      if (!r.ok) throw new Error(`${m}: ${r.error.message}`)
      return r.value as T
    }
    await call('helpdesk.connect', { provider: 'zendesk', url: s.sim.url, user: 'eva@vendor.example', token: 'zd-api-token-123456' })
    const { ticket } = await call<{ ticket: { id: number } }>('helpdesk.import', { ref: String(s.ticketId) })
    const remote = () => s.sim.ticketStatus(s.ticketId)
    // Not allowed yet: a console status change stays in the console.
    await call('tickets.setStatus', { id: ticket.id, status: 'waiting' })
    await call('helpdesk.sync', {})
    expect(remote()).toBe('open')
    // Allowed: the current status goes at once, later changes follow; an edit that keeps the status sends nothing.
    await call('helpdesk.followStatus', { ticketId: ticket.id, follow: true })
    await call('helpdesk.sync', {})
    expect(remote()).toBe('pending')
    await call('tickets.update', { id: ticket.id, patch: { notes: 'called the customer' } })
    await call('tickets.setStatus', { id: ticket.id, status: 'resolved' })
    await new Promise((r) => setTimeout(r, 50)) // the bus handler queues asynchronously
    await call('helpdesk.sync', {})
    expect(remote()).toBe('solved')
    const items = await call<{ kind: string; summary: string; status: string }[]>('helpdesk.outbox', { ticketId: ticket.id })
    expect(items.map((i) => [i.kind, i.summary, i.status])).toEqual([['status', 'Status: waiting', 'sent'], ['status', 'Status: resolved', 'sent']])
    expect((await s.app.auditLog.forTicket(ticket.id)).some((e) => e.action === 'helpdesk.followStatus')).toBe(true)
  })
})

describe('helpdesk: outbox retry and cancel', () => {
  it('a refused item fails with the helpdesk reason, is sent on retry; a cancelled one is never sent; both audited', async () => {
    const s = await setup()
    const { retryItem, cancelItem } = await import('./service')
    await connect(s.hd, { provider: 'zendesk', url: s.sim.url, user: 'eva@vendor.example', token: 'zd-api-token-123456' }, { test: false })
    const { ticket } = await importTicket(s.hd, String(s.ticketId))
    const a = await reply(s.hd, ticket.id, 'First answer')
    s.sim.fail(400, 1)
    expect(await s.hd.outbox.drain(0)).toEqual({ sent: 0, pending: 0, failed: 1 })
    expect(await s.hd.repo.outboxItem(a.id)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('Zendesk answered 400') })
    const b = await reply(s.hd, ticket.id, 'Second answer, not wanted after all')
    expect((await cancelItem(s.hd, b.id)).status).toBe('cancelled')
    await expect(cancelItem(s.hd, b.id)).rejects.toMatchObject({ code: 'CONFLICT' })
    expect((await retryItem(s.hd, a.id)).status).toBe('pending')
    expect(await s.hd.outbox.drain(0)).toEqual({ sent: 1, pending: 0, failed: 0 })
    const bodies = s.sim.comments(s.ticketId).map((c) => c.body)
    expect(bodies.filter((x) => x.includes(a.key))).toHaveLength(1)
    expect(bodies.filter((x) => x.includes(b.key))).toHaveLength(0)
    const actions = (await s.app.auditLog.forTicket(ticket.id)).map((e) => `${e.action}:${e.outcome}`)
    expect(actions).toEqual(expect.arrayContaining(['helpdesk.sent:failed', 'helpdesk.outboxCancel:ok', 'helpdesk.outboxRetry:ok', 'helpdesk.sent:ok']))
  })
})
