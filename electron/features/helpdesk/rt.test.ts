// Against a real Request Tracker 5 started by the test (lab/helpdesk/rt.ts): import a
// customer's ticket with a Czech requester and a QR photo, run the NVR reset from the photo
// pulled from RT, then see exactly one internal comment (PDF + JSON, hash-compared) and one
// public reply, sent only after the agent confirmed it.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { startBench, type Bench } from '../../../lab/bench'
import { RtInstance } from '../../../lab/helpdesk/rt'
import type { HelpdeskLink, HelpdeskOpenTicket, OutboxItem } from '../../../shared/contract/helpdesk'
import type { ResetIntakeResult, ResetView } from '../../../shared/contract/nvr-reset'
import type { Ticket } from '../../../shared/contract/tickets'
import { createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { exifUtc, phonePhoto } from '../nvr-reset/testing/phone-photo'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const ctx = { transport: 'test' as const }

let rt: RtInstance
let bench: Bench
beforeAll(async () => {
  rt = await RtInstance.create()
  bench = await startBench({ intercoms: 0, nvrs: 1, portMode: 'ephemeral', discovery: false, seed: `helpdesk-${Math.random()}` })
}, 120_000)
afterAll(async () => {
  await bench?.stop()
  await rt?.close()
})

describe('helpdesk: Request Tracker', () => {
  it('imports a Czech requester and a QR photo, runs the reset, posts one note (PDF + JSON) when it completes and one public reply only after confirmation', async () => {
    const nvr = bench.nvr(0)
    nvr.openRetrievePassword()
    const photo = await phonePhoto((await nvr.screenPng())!, { captured: { local: exifUtc(Date.now() - 60_000), offset: '+00:00' } })
    const remoteId = await rt.createTicket({
      subject: 'Reset hesla NVR – zapomenuté heslo',
      requester: { email: 'jiri.novacek@bezpecnost.example', realName: 'Jiří Nováček-Šťastný', phone: '+420 777 123 456', organization: 'Bezpečnost Žďár s.r.o.' },
      content: 'Dobrý den, posílám fotku QR kódu z obrazovky.',
      files: [{ name: 'IMG_2041.jpg', mime: 'image/jpeg', data: photo }],
    })

    const dataDir = tempDir()
    const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider() })
    try {
      const dispatch = createDispatcher(app)
      const call = async <T = unknown>(m: string, i: unknown): Promise<T> => {
        const r = await dispatch(m, i, ctx)
        if (!r.ok) throw Object.assign(new Error(`${m}: ${r.error.message}`), { code: r.error.code })
        return r.value as T
      }
      const fail = async (m: string, i: unknown) => {
        const r = await dispatch(m, i, ctx)
        if (r.ok) throw new Error(`${m} succeeded`)
        return r.error
      }
      await call('system.setAgent', { name: 'Eva Agent', email: 'eva@example.com' })
      // A wrong token is refused with the reason, and nothing is stored.
      expect(await fail('helpdesk.connect', { provider: 'rt', url: rt.url, token: '1-14-wrongwrongwrong' })).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('401') })
      expect(await call('helpdesk.providers', {})).toEqual([])
      await call('helpdesk.connect', { provider: 'rt', url: rt.url, token: rt.token })

      // Linked by the address the agent copies from RT's web page.
      const imported = await call<{ ticket: Ticket; link: HelpdeskLink; intake: ResetIntakeResult[] }>('helpdesk.import', { ref: `${rt.url}/Ticket/Display.html?id=${remoteId}` })
      expect(imported.ticket.customerName).toBe('Jiří Nováček-Šťastný')
      expect(imported.ticket.contact).toBe('jiri.novacek@bezpecnost.example · +420 777 123 456 · Bezpečnost Žďár s.r.o.')
      expect(imported.ticket.externalRef).toBe(`RT#${remoteId}`)
      expect(imported.ticket.procedure).toBe('nvr-password-reset')
      // The link opens RT at the address we were given, not RT's configured WebBaseURL (rt.invalid).
      expect(imported.link.webUrl).toBe(`${rt.url}/Ticket/Display.html?id=${remoteId}`)
      const att = imported.link.attachments.find((a) => a.fileName === 'IMG_2041.jpg')!
      expect(att.evidenceId).not.toBeNull()
      expect(imported.intake).toEqual([expect.objectContaining({ status: 'added', message: expect.stringContaining('QR code found') })])

      // The photo pulled from RT decodes in the Option 2 intake; the evidence keeps RT's attachment id.
      const view = await call<ResetView>('nvrReset.get', { ticketId: imported.ticket.id })
      expect(view.case?.fields).toMatchObject({ serial: nvr.serial, mac: nvr.mac })
      const ev = await call<{ item: { name: string; sha256: string } }>('evidence.get', { id: att.evidenceId })
      expect(ev.item.name).toBe(`Request Tracker #${remoteId} attachment ${att.remoteId}: IMG_2041.jpg`)
      expect(ev.item.sha256).toBe(sha(photo))
      const trail = await app.auditLog.forTicket(imported.ticket.id)
      expect(JSON.parse(String(trail.find((e) => e.action === 'helpdesk.attachment')?.inputs))).toMatchObject({ attachmentId: att.remoteId, sha256: sha(photo), evidenceId: att.evidenceId })
      // Importing the same RT ticket again opens the same console ticket.
      const again = await call<{ ticket: Ticket }>('helpdesk.import', { ref: remoteId })
      expect(again.ticket.id).toBe(imported.ticket.id)

      // The procedure, as in the NVR reset's own tests.
      const tid = imported.ticket.id
      await call('nvrReset.settings.set', { lab: { url: bench.vendor.url, apiKey: bench.vendor.apiKey } })
      const label = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#eee' } }).jpeg().toBuffer()
      await call('nvrReset.recordCheck', { ticketId: tid, kind: 'label-photo', passed: true, note: 'label matches', file: { name: 'label.jpg', dataBase64: label.toString('base64') } })
      await call('nvrReset.recordCheck', { ticketId: tid, kind: 'ownership-document', passed: true, note: 'invoice', file: { name: 'invoice.pdf', dataBase64: Buffer.from('%PDF-1.4 invoice').toString('base64') } })
      await call('nvrReset.recordCheck', { ticketId: tid, kind: 'requester-is-owner', passed: true, note: 'owner' })
      const withCode = await call<ResetView>('nvrReset.requestCode', { ticketId: tid, provider: 'lab' })
      const code = withCode.codes[0]
      const done = await call<{ outcome: string }>('nvrReset.apply', { ticketId: tid, codeId: code.id, address: `${nvr.ip}:${nvr.info().httpPort}`, username: 'admin', newPassword: 'N3w-Passw0rd!', oldPassword: nvr.info().credentials.password })
      expect(done.outcome).toBe('verified')

      // The procedure completed: the internal note with the report and the bundle is queued by itself, once.
      const sync = await call<{ sent: number; pending: number; failed: number }>('helpdesk.sync', {})
      expect(sync).toMatchObject({ pending: 0, failed: 0 })
      await call('helpdesk.sync', {})
      const outbox = await call<OutboxItem[]>('helpdesk.outbox', { ticketId: tid })
      expect(outbox.map((o) => [o.kind, o.status])).toEqual([['note', 'sent']])
      const note = outbox[0]
      expect(note.files.map((f) => f.mime)).toEqual(['application/pdf', 'application/json'])
      // A public reply is refused without the agent's confirmation of the preview.
      expect(await fail('helpdesk.reply', { ticketId: tid, text: 'code' })).toMatchObject({ code: 'VALIDATION', field: 'confirmed' })
      let msgs = await rt.messages(remoteId)
      expect(msgs.filter((m) => m.type === 'Correspond')).toHaveLength(0)
      const comments = msgs.filter((m) => m.type === 'Comment')
      expect(comments).toHaveLength(1)
      // Fetched back from RT and hash-compared with what was queued.
      expect(comments[0].files.map((f) => sha(f.data))).toEqual(note.files.map((f) => f.sha256))
      const bundle = JSON.parse(comments[0].files[1].data.toString('utf8')) as { chainHead: { seq: number; hash: string }; ticket: { id: number } }
      expect(bundle.ticket.id).toBe(tid)
      expect(comments[0].content).toContain(`hash ${bundle.chainHead.hash}`)
      expect(comments[0].files[0].data.subarray(0, 5).toString()).toBe('%PDF-')
      expect(comments[0].subject).toContain(note.key)

      // The reply in the customer's language, previewed, then confirmed.
      const message = await call<{ body: string }>('nvrReset.message', { ticketId: tid, kind: 'code', lang: 'cs', codeId: code.id })
      await call('helpdesk.reply', { ticketId: tid, text: message.body, confirmed: true })
      await call('helpdesk.sync', {})
      msgs = await rt.messages(remoteId)
      expect(msgs.filter((m) => m.type === 'Comment')).toHaveLength(1)
      const replies = msgs.filter((m) => m.type === 'Correspond')
      expect(replies).toHaveLength(1)
      expect(replies[0].content).toContain('NEOPOUŠTĚJTE')
      const sent = (await app.auditLog.forTicket(tid)).filter((e) => e.action === 'helpdesk.sent')
      expect(sent.map((e) => (JSON.parse(String(e.inputs)) as { kind: string }).kind)).toEqual(['reply', 'note']) // newest first

      // Allowed by the agent, the RT status follows the console's (waiting on customer → stalled).
      await call('tickets.setStatus', { id: tid, status: 'waiting' })
      await call('helpdesk.followStatus', { ticketId: tid, follow: true })
      await call('helpdesk.sync', {})
      expect((await rt.api<{ Status: string }>(`ticket/${remoteId}`)).Status).toBe('stalled')

      // The token is stored only sealed: not in the database file, not in the audit trail.
      app.db.pragma('wal_checkpoint(TRUNCATE)')
      expect(readFileSync(join(dataDir, 'support-console.sqlite')).includes(Buffer.from(rt.token))).toBe(false)
      expect(JSON.stringify(app.db.prepare('SELECT * FROM audit_log').all())).not.toContain(rt.token)
    } finally {
      await app.close()
    }
  }, 180_000)

  it('lists the open tickets to pick from: the new one with its requester, not a resolved one, and marks it once linked', async () => {
    const open = await rt.createTicket({ subject: 'Kamera nenahrává', requester: { email: 'marta.kralova@example.cz', realName: 'Marta Králová' }, content: 'Dobrý den…', files: [] })
    const done = await rt.createTicket({ subject: 'Vyřešeno: heslo', requester: { email: 'marta.kralova@example.cz', realName: 'Marta Králová' }, content: 'Díky', files: [] })
    await rt.api(`ticket/${done}`, { method: 'PUT', body: { Status: 'resolved' } })
    const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
    try {
      const dispatch = createDispatcher(app)
      const call = async <T = unknown>(m: string, i: unknown): Promise<T> => {
        const r = await dispatch(m, i, ctx)
        if (!r.ok) throw new Error(`${m}: ${r.error.message}`)
        return r.value as T
      }
      await call('system.setAgent', { name: 'Eva Agent', email: 'eva@example.com' })
      await call('helpdesk.connect', { provider: 'rt', url: rt.url, token: rt.token })
      type List = { tickets: HelpdeskOpenTicket[]; errors: unknown[] }
      const list = await call<List>('helpdesk.openTickets', {})
      expect(list.errors).toEqual([])
      expect(list.tickets[0]).toEqual({ provider: 'rt', remoteId: open, subject: 'Kamera nenahrává', requesterName: 'Marta Králová', status: 'new', updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), webUrl: `${rt.url}/Ticket/Display.html?id=${open}`, linkedTicketId: null })
      expect(list.tickets.map((t) => t.remoteId)).not.toContain(done)
      // The page size is bounded as asked.
      expect((await call<List>('helpdesk.openTickets', { limit: 1 })).tickets.map((t) => t.remoteId)).toEqual([open])
      const { ticket } = await call<{ ticket: Ticket }>('helpdesk.import', { ref: open, provider: 'rt' })
      expect((await call<List>('helpdesk.openTickets', {})).tickets.find((t) => t.remoteId === open)?.linkedTicketId).toBe(ticket.id)
    } finally {
      await app.close()
    }
  }, 120_000)
})
