// The helpdesk service, shared by the API handlers and the CLI: configure a provider (token
// sealed), import or link a helpdesk ticket, take its attachments into the console, and queue
// the internal note (report + bundle + chain head) and the public reply in the outbox.
import { randomUUID } from 'node:crypto'
import { AppError } from '../../../shared/contract/common'
import type { HelpdeskLink, HelpdeskOpenTicket, HelpdeskProviderId, HelpdeskProviderInfo, OutboxItem } from '../../../shared/contract/helpdesk'
import type { ResetIntakeResult } from '../../../shared/contract/nvr-reset'
import type { Procedure, Ticket } from '../../../shared/contract/tickets'
import type { EvidenceKind } from '../../../shared/contract/evidence'
import { HelpdeskRepo, type OutboxRow, type ProviderRow } from '../../../db/repos/helpdesk'
import type { CommonRepos, Events, Lifecycle, Recording, Secrets, Store } from '../../infra/ports'
import { sha256 } from '../evidence'
import { ticketState } from '../audit'
import { OutboxWorker } from './outbox'
import { HelpdeskError, type HelpdeskProvider } from './provider'
import { providerFactories } from './providers/index'

/** What the helpdesk is given of the console: its database, audit, tickets, events, sealing (tokens) and close. */
export type HelpdeskDeps = Store & Recording & Pick<CommonRepos, 'tickets'> & Events & Secrets & Lifecycle

/** The other features the helpdesk works through, bound by the composition root. */
export interface HelpdeskPorts {
  /** Into the ticket's evidence vault (electron/features/evidence/vault.ts). */
  addEvidence(e: { ticketId: number; kind: EvidenceKind; source: string; name: string; data: Buffer; declaredMime?: string }): Promise<{ id: number }>
  /** Into an NVR reset's photo intake (electron/features/nvr-reset/photos.ts). */
  addPhotos(ticketId: number, files: { name: string; source: 'eml' | 'picker'; data: Buffer }[]): Promise<ResetIntakeResult[]>
  /** The ticket's report (electron/features/reports/export.ts). */
  exportBundle(ticketId: number): Promise<{ fileName: string; data: Buffer; bundleHash: string }>
  exportPdf(ticketId: number): Promise<{ fileName: string; data: Buffer }>
}

/** The helpdesk of one console: its repository and outbox worker, built once by the composition root (and by the CLI). */
export class Helpdesk {
  readonly repo: HelpdeskRepo
  /** Sends in the background once started (the API handlers start it; the CLI drains it). */
  readonly outbox: OutboxWorker
  constructor(
    readonly deps: HelpdeskDeps,
    readonly ports: HelpdeskPorts,
  ) {
    this.repo = new HelpdeskRepo(deps.db)
    this.outbox = new OutboxWorker(deps, this.repo, (id) => providerFor(this, id), () => reportCompletions(this))
  }
}

const LABEL: Record<HelpdeskProviderId, string> = { rt: 'Request Tracker', zendesk: 'Zendesk' }

const toInfo = (p: ProviderRow): HelpdeskProviderInfo => ({ id: p.id, url: p.baseUrl, user: p.username, tokenSet: true, updatedAt: p.updatedAt })

/** A HelpdeskError as an AppError for the agent (what happened, what next). */
export function asAppError(e: unknown): unknown {
  if (!(e instanceof HelpdeskError)) return e
  const code = e.status === 401 ? 'UNAUTHORIZED' : e.status === 404 ? 'NOT_FOUND' : e.status === 0 || e.status >= 500 ? 'UNREACHABLE' : 'BAD_INPUT'
  return new AppError(code, e.message, { hint: e.status === 0 ? 'Check the helpdesk URL and that this PC can reach it; queued notes and replies wait in the outbox.' : undefined, key: e.status === 401 ? 'helpdesk.unauthorized' : e.status === 404 ? 'helpdesk.notFound' : e.status === 0 ? 'helpdesk.unreachable' : e.status >= 500 ? 'helpdesk.serverError' : 'helpdesk.refused', values: { detail: e.message } })
}

export async function providerFor(hd: Helpdesk, id: HelpdeskProviderId): Promise<HelpdeskProvider | null> {
  const row = await hd.repo.provider(id)
  if (!row) return null
  return providerFactories[id]({ baseUrl: row.baseUrl, user: row.username, token: hd.deps.secrets.open(row.secretSealed) })
}

async function needProvider(hd: Helpdesk, id: HelpdeskProviderId): Promise<HelpdeskProvider> {
  const p = await providerFor(hd, id)
  if (!p) throw new AppError('NOT_FOUND', `No ${LABEL[id]} is configured on this console.`, { hint: `Add it first: support-console helpdesk connect ${id} --url URL --token-file FILE (or in Settings).`, key: 'helpdesk.notConfigured', values: { provider: LABEL[id], id } })
  return p
}

export async function connect(hd: Helpdesk, c: { provider: HelpdeskProviderId; url: string; user: string; token: string }, opts: { test: boolean }): Promise<{ info: HelpdeskProviderInfo; signedInAs: string | null }> {
  const url = c.url.trim().replace(/\/+$/, '')
  if (!/^https?:\/\/[^/]/.test(url)) throw new AppError('BAD_INPUT', `"${c.url}" is not a web address.`, { field: 'url', hint: 'Give the address the helpdesk answers on, e.g. https://example.zendesk.com or http://rt.example.com:8080.', key: 'helpdesk.badUrl', values: { url: c.url } })
  if (c.provider === 'zendesk' && !c.user) throw new AppError('BAD_INPUT', 'Zendesk API tokens belong to an agent: give that agent\'s e-mail as the user.', { field: 'user', key: 'helpdesk.zendeskUser' })
  const token = c.token.trim()
  // Sent as a header: printable ASCII only, and no spaces in an RT auth token.
  if (!token || /[^\x20-\x7e]/.test(token) || (!c.user && /\s/.test(token))) throw new AppError('BAD_INPUT', 'The token has characters no helpdesk token has (line breaks, spaces or non-ASCII): it was probably copied with something else.', { field: 'token', hint: 'Copy the token again, alone.', key: 'helpdesk.badToken' })
  let signedInAs: string | null = null
  if (opts.test) {
    try {
      signedInAs = await providerFactories[c.provider]({ baseUrl: url, user: c.user, token }).check()
    } catch (e) {
      throw asAppError(e)
    }
  }
  const row: ProviderRow = { id: c.provider, baseUrl: url, username: c.user, secretSealed: hd.deps.secrets.seal(token), updatedAt: new Date().toISOString() }
  await hd.deps.record(
    () => hd.repo.tx().saveProvider(row),
    () => ({ action: 'helpdesk.connect', outcome: 'ok', inputs: { provider: c.provider, url, user: c.user, tested: opts.test } }),
  )
  hd.deps.bus.emit('helpdesk.changed', { ticketId: null })
  return { info: toInfo(row), signedInAs }
}

export const providers = async (hd: Helpdesk): Promise<HelpdeskProviderInfo[]> => (await hd.repo.providers()).map(toInfo)

/** The pick list: each configured helpdesk's open tickets, newest update first, marked when already linked. */
export async function openTickets(hd: Helpdesk, opts: { provider?: HelpdeskProviderId; limit: number }): Promise<{ tickets: HelpdeskOpenTicket[]; errors: { provider: HelpdeskProviderId; message: string }[] }> {
  const repo = hd.repo
  const configured = (await repo.providers()).filter((p) => !opts.provider || p.id === opts.provider)
  if (opts.provider && !configured.length) await needProvider(hd, opts.provider)
  const errors: { provider: HelpdeskProviderId; message: string }[] = []
  const lists = await Promise.all(
    configured.map(async (row) => {
      const p = await needProvider(hd, row.id)
      try {
        const open = await p.listOpen(opts.limit)
        const linked = await Promise.all(open.map((t) => repo.linkByRemote(p.id, t.id)))
        return open.map((t, i) => ({
          provider: p.id,
          remoteId: t.id,
          subject: t.subject,
          requesterName: t.requesterName,
          status: t.status,
          updatedAt: t.updatedAt,
          webUrl: p.webUrl(t.id),
          linkedTicketId: linked[i]?.ticketId ?? null,
        }))
      } catch (e) {
        if (!(e instanceof HelpdeskError)) throw e
        errors.push({ provider: p.id, message: e.message })
        return []
      }
    }),
  )
  return { tickets: lists.flat().sort((a, b) => (Date.parse(b.updatedAt) || 0) - (Date.parse(a.updatedAt) || 0)).slice(0, opts.limit), errors }
}

export async function linkView(hd: Helpdesk, ticketId: number): Promise<HelpdeskLink | null> {
  const repo = hd.repo
  const l = await repo.link(ticketId)
  if (!l) return null
  const row = await repo.provider(l.provider)
  const base = row ? providerFactories[l.provider]({ baseUrl: row.baseUrl, user: '', token: '' }).webUrl(l.remoteId) : ''
  return { ...l, webUrl: base, attachments: await repo.attachments(ticketId), outbox: await toOutboxItems(hd, await repo.outbox(ticketId)) }
}

export const toOutboxItems = (hd: Helpdesk, rows: OutboxRow[]): Promise<OutboxItem[]> => Promise.all(rows.map((o) => toOutboxItem(hd, o)))

export async function toOutboxItem(hd: Helpdesk, o: OutboxRow): Promise<OutboxItem> {
  const { subject, body: _body, ...rest } = o
  const files = (await hd.repo.files(o.id, false)) as unknown as { name: string; mime: string; sha256: string; size: number }[]
  return { ...rest, summary: subject, files: files.map((f) => ({ name: f.name, mime: f.mime, sha256: f.sha256, size: f.size })) }
}

/** Which configured helpdesk a pasted reference points to. */
async function resolveRef(hd: Helpdesk, ref: string, only?: HelpdeskProviderId): Promise<{ provider: HelpdeskProvider; remoteId: string }> {
  const configured = (await hd.repo.providers()).filter((p) => !only || p.id === only)
  if (!configured.length) throw new AppError('NOT_FOUND', only ? `No ${LABEL[only]} is configured on this console.` : 'No helpdesk is configured on this console.', { hint: 'Add one first: support-console helpdesk connect rt|zendesk --url URL --token-file FILE.', key: only ? 'helpdesk.providerMissing' : 'helpdesk.noneConfigured', values: { provider: only ? LABEL[only] : '' } })
  const isUrl = /^https?:\/\//i.test(ref.trim())
  const provs: HelpdeskProvider[] = []
  for (const p of configured) provs.push(await needProvider(hd, p.id))
  const matches = provs.map((prov) => ({ provider: prov, remoteId: prov.parseRef(ref) })).filter((x): x is { provider: HelpdeskProvider; remoteId: string } => !!x.remoteId)
  if (!matches.length) {
    throw new AppError('BAD_INPUT', isUrl ? `"${ref}" is not a ticket address of the configured helpdesk (${configured.map((p) => p.baseUrl).join(', ')}).` : `"${ref}" is not a ticket number.`, { field: 'ref', hint: 'Paste the ticket\'s address from the helpdesk, or its number.', key: isUrl ? 'helpdesk.notTicketAddress' : 'helpdesk.notTicketNumber', values: { ref, configured: configured.map((p) => p.baseUrl).join(', ') } })
  }
  if (matches.length > 1 && !isUrl) throw new AppError('BAD_INPUT', `Ticket number ${ref} could be in ${configured.map((p) => LABEL[p.id]).join(' or ')}.`, { field: 'ref', hint: 'Paste the ticket\'s address instead, or choose the helpdesk.', key: 'helpdesk.ambiguousNumber', values: { ref, providers: configured.map((p) => LABEL[p.id]).join(' / ') } })
  return matches[0]
}

const isIntakeFile = (name: string, mime: string) => /^image\//.test(mime) || /\.(jpe?g|png|heic|webp|eml)$/i.test(name) || mime === 'message/rfc822'

export async function importTicket(hd: Helpdesk, ref: string, opts: { ticketId?: number; provider?: HelpdeskProviderId; procedure?: Procedure } = {}): Promise<{ ticket: Ticket; link: HelpdeskLink; intake: ResetIntakeResult[] }> {
  const { provider, remoteId } = await resolveRef(hd, ref, opts.provider)
  let remote
  try {
    remote = await provider.getTicket(remoteId)
  } catch (e) {
    throw asAppError(e)
  }
  const repo = hd.repo
  const existing = await repo.linkByRemote(provider.id, remote.id)
  if (existing && opts.ticketId && existing.ticketId !== opts.ticketId) {
    throw new AppError('CONFLICT', `${LABEL[provider.id]} ticket #${remote.id} is already linked to console ticket #${existing.ticketId}.`, { hint: `Open ticket #${existing.ticketId} instead.`, key: 'helpdesk.alreadyLinked', values: { provider: LABEL[provider.id], remote: remote.id, id: existing.ticketId } })
  }
  const r = remote.requester
  const link = { provider: provider.id, remoteId: remote.id, subject: remote.subject, requester: r, linkedAt: new Date().toISOString() }
  const externalRef = `${provider.id.toUpperCase()}#${remote.id}`.slice(0, 64)
  const targetId = existing?.ticketId ?? opts.ticketId
  const procedure = opts.procedure ?? (/\b(nvr|password|heslo|reset|qr)\b/i.test(remote.subject) ? 'nvr-password-reset' : 'other')
  const ticket = await hd.deps.record(
    () => {
      let t: Ticket
      if (targetId) {
        t = hd.deps.tickets.tx().get(targetId)
        if (!t.externalRef) t = hd.deps.tickets.tx().update(t.id, { externalRef })
      } else {
        t = hd.deps.tickets.tx().create({
          externalRef,
          customerName: (r.name || r.email || `${LABEL[provider.id]} requester`).slice(0, 200),
          contact: [r.email, r.phone, r.organization].filter(Boolean).join(' · ').slice(0, 200),
          deviceSerial: '',
          deviceModel: '',
          procedure,
          notes: remote.subject ? `${LABEL[provider.id]} #${remote.id}: ${remote.subject}`.slice(0, 20_000) : '',
        })
      }
      repo.tx().saveLink({ ticketId: t.id, ...link })
      repo.tx().saveAttachments(t.id, remote.attachments)
      return { t, created: !targetId }
    },
    ({ t, created }) => [
      ...(created ? [{ action: 'ticket.create', outcome: 'ok' as const, ticketId: t.id, inputs: { externalRef, procedure, deviceSerial: '', source: `helpdesk:${provider.id}`, ticketState: ticketState(hd.deps.secrets.auditKey(), t) } }] : []),
      // It may have set the ticket's helpdesk ID: the values after it, for `audit verify`.
      { action: 'helpdesk.link', outcome: 'ok' as const, ticketId: t.id, inputs: { provider: provider.id, remoteTicketId: remote.id, attachments: remote.attachments.length, created, ticketState: ticketState(hd.deps.secrets.auditKey(), t) } },
    ],
  )
  hd.deps.bus.emit('tickets.changed', { id: ticket.t.id })
  // An NVR reset ticket takes the customer's photos and e-mails into the intake at once.
  const intake: ResetIntakeResult[] = []
  if (ticket.t.procedure === 'nvr-password-reset') {
    for (const a of await repo.attachments(ticket.t.id)) if (!a.takenAt && isIntakeFile(a.fileName, a.mime)) intake.push(...(await takeAttachment(hd, ticket.t.id, a.remoteId)))
  }
  hd.deps.bus.emit('helpdesk.changed', { ticketId: ticket.t.id })
  return { ticket: await hd.deps.tickets.get(ticket.t.id), link: (await linkView(hd, ticket.t.id))!, intake }
}

async function needLink(hd: Helpdesk, ticketId: number) {
  await hd.deps.tickets.get(ticketId)
  const l = await hd.repo.link(ticketId)
  if (!l) throw new AppError('NOT_FOUND', `Ticket #${ticketId} is not linked to a helpdesk ticket.`, { hint: 'Link it first (Link helpdesk ticket on the ticket page, or "support-console helpdesk import REF").', key: 'helpdesk.notLinked', values: { id: ticketId } })
  return l
}

/** One helpdesk attachment into the console: the Option 2 intake for an NVR reset, the evidence vault otherwise. */
export async function takeAttachment(hd: Helpdesk, ticketId: number, remoteId: string): Promise<ResetIntakeResult[]> {
  const l = await needLink(hd, ticketId)
  const repo = hd.repo
  const a = (await repo.attachments(ticketId)).find((x) => x.remoteId === remoteId)
  if (!a) throw new AppError('NOT_FOUND', `Attachment ${remoteId} is not listed on ${LABEL[l.provider]} ticket #${l.remoteId}.`, { hint: 'Import the helpdesk ticket again to refresh its attachments.', key: 'helpdesk.noSuchAttachment', values: { attachment: remoteId, provider: LABEL[l.provider], remote: l.remoteId } })
  let data: Buffer
  try {
    data = await (await needProvider(hd, l.provider)).download(l.remoteId, remoteId)
  } catch (e) {
    throw asAppError(e)
  }
  // The name carries the provenance into the evidence vault and the report; the audit entry below too.
  const name = `${LABEL[l.provider]} #${l.remoteId} attachment ${remoteId}: ${a.fileName}`.slice(0, 200)
  const ticket = await hd.deps.tickets.get(ticketId)
  let results: ResetIntakeResult[]
  let evidenceId: number | null = null
  if (ticket.procedure === 'nvr-password-reset') {
    results = await hd.ports.addPhotos(ticketId, [{ name, source: /\.eml$/i.test(a.fileName) || a.mime === 'message/rfc822' ? 'eml' : 'picker', data }])
    const photoId = results.find((r) => r.photoId)?.photoId
    if (photoId) evidenceId = await hd.repo.photoEvidenceId(photoId)
  } else {
    const ev = await hd.ports.addEvidence({ ticketId, kind: /^image\//.test(a.mime) ? 'other' : 'customer-statement', source: `helpdesk:${l.provider}:${remoteId}`, name, data, declaredMime: a.mime })
    evidenceId = ev.id
    results = [{ name, status: 'added', message: 'Added to the ticket\'s evidence.', photoId: null }]
  }
  await hd.deps.record(
    () => repo.tx().markTaken(ticketId, remoteId, evidenceId, new Date().toISOString()),
    () => ({ action: 'helpdesk.attachment', outcome: 'ok', ticketId, inputs: { provider: l.provider, remoteTicketId: l.remoteId, attachmentId: remoteId, fileName: a.fileName, sha256: sha256(data), size: data.length, evidenceId } }),
  )
  hd.deps.bus.emit('helpdesk.changed', { ticketId })
  return results
}

async function enqueue(hd: Helpdesk, ticketId: number, kind: 'note' | 'reply' | 'status', subject: string, body: (key: string) => string, files: { name: string; mime: string; content: Buffer }[], also?: () => void): Promise<OutboxItem> {
  const l = await needLink(hd, ticketId)
  const repo = hd.repo
  const key = `sc-${randomUUID()}`
  const row = await hd.deps.record(
    () => {
      also?.()
      return repo.tx().enqueue({ key, ticketId, provider: l.provider, remoteTicketId: l.remoteId, kind, subject, body: body(key), files: files.map((f) => ({ ...f, sha256: sha256(f.content) })), now: new Date().toISOString() })
    },
    (o) => ({ action: 'helpdesk.queue', outcome: 'ok', ticketId, inputs: { outboxId: o.id, key, kind, provider: l.provider, remoteTicketId: l.remoteId, files: files.map((f) => ({ name: f.name, sha256: sha256(f.content) })) } }),
  )
  hd.outbox.kick()
  hd.deps.bus.emit('helpdesk.changed', { ticketId })
  return toOutboxItem(hd, row)
}

/** The internal note: PDF report and JSON bundle attached, the audit chain head in the text. */
export async function postReport(hd: Helpdesk, ticketId: number, completionSeq?: number): Promise<OutboxItem> {
  await needLink(hd, ticketId)
  const bundle = await hd.ports.exportBundle(ticketId)
  const pdf = await hd.ports.exportPdf(ticketId)
  const head = (JSON.parse(bundle.data.toString('utf8')) as { chainHead: { seq: number; hash: string } | null }).chainHead
  const t = await hd.deps.tickets.get(ticketId)
  return enqueue(hd, ticketId, 'note', `Support Console report, ticket #${ticketId}`, (key) =>
    [
      `Support Console: report of console ticket #${ticketId} (${t.procedure}, status ${t.status}).`,
      '',
      `Audit chain head: entry ${head?.seq ?? '-'}, hash ${head?.hash ?? '-'}`,
      `JSON bundle SHA-256 (bundleHash): ${bundle.bundleHash}`,
      '',
      'The attached bundle can be checked anywhere with "support-console audit verify --bundle FILE";',
      'the chain head above anchors the console\'s audit trail in this helpdesk.',
      '',
      `Outbox key: ${key}`,
    ].join('\n'),
  [
    { name: pdf.fileName, mime: 'application/pdf', content: pdf.data },
    { name: bundle.fileName, mime: 'application/json', content: bundle.data },
  ], completionSeq ? () => hd.repo.tx().setReported(ticketId, completionSeq) : undefined)
}

/**
 * A procedure completed on a linked ticket (NVR reset verified, workflow completed): its report
 * note is queued once, the completion marked reported in the same transaction. Runs before
 * each outbox pass and when an NVR reset changes.
 */
export async function reportCompletions(hd: Helpdesk): Promise<number> {
  let n = 0
  for (const c of await hd.repo.unreportedCompletions()) {
    try {
      await postReport(hd, c.ticketId, c.seq)
      n++
    } catch (e) {
      // Not lost: the completion stays unreported and is tried again at the next pass.
      await hd.deps.audit({ action: 'helpdesk.queue', outcome: 'failed', ticketId: c.ticketId, inputs: { completionSeq: c.seq }, detail: (e as Error).message })
    }
  }
  return n
}

/** The public reply: queued only with the agent's confirmation of the previewed text (the contract requires it). */
export async function reply(hd: Helpdesk, ticketId: number, text: string): Promise<OutboxItem> {
  return enqueue(hd, ticketId, 'reply', `Re: ticket #${ticketId}`, () => text, [])
}

/** The agent allows (or stops) the helpdesk status following the console ticket's. */
export async function setFollowStatus(hd: Helpdesk, ticketId: number, follow: boolean): Promise<HelpdeskLink> {
  const l = await needLink(hd, ticketId)
  await hd.deps.record(
    () => hd.repo.tx().setFollowStatus(ticketId, follow),
    () => ({ action: 'helpdesk.followStatus', outcome: 'ok', ticketId, inputs: { provider: l.provider, remoteTicketId: l.remoteId, follow } }),
  )
  if (follow) await queueStatus(hd, ticketId)
  hd.deps.bus.emit('helpdesk.changed', { ticketId })
  return (await linkView(hd, ticketId))!
}

/** After a console status change: queue it for the helpdesk, where the agent allowed that. */
export async function queueStatus(hd: Helpdesk, ticketId: number): Promise<OutboxItem | null> {
  const l = await hd.repo.link(ticketId)
  if (!l?.followStatus) return null
  const status = (await hd.deps.tickets.get(ticketId)).status
  const last = await hd.repo.lastQueuedStatus(ticketId)
  // Only changes: nothing for an edit that left the status as it was (or a fresh ticket still open).
  if (last === status || (last === null && status === 'open')) return null
  return enqueue(hd, ticketId, 'status', `Status: ${status}`, () => status, [])
}

export async function retryItem(hd: Helpdesk, id: number): Promise<OutboxItem> {
  const repo = hd.repo
  const o = await repo.outboxItem(id)
  if (!o) throw new AppError('NOT_FOUND', `Outbox item #${id} does not exist.`, { key: 'helpdesk.noSuchOutboxItem', values: { id } })
  if (o.status === 'sent' || o.status === 'cancelled') throw new AppError('CONFLICT', `Outbox item #${id} was already ${o.status}.`, { key: o.status === 'sent' ? 'helpdesk.outboxSent' : 'helpdesk.outboxCancelled', values: { id } })
  // A failed item may have been uncertain before; keep 'sending' so the helpdesk is checked first.
  const row = await hd.deps.record(
    () => repo.tx().setStatus(id, { status: o.status === 'sending' ? 'sending' : 'pending', nextAt: new Date().toISOString() }),
    () => ({ action: 'helpdesk.outboxRetry', outcome: 'ok', ticketId: o.ticketId, inputs: { outboxId: id, key: o.key, from: o.status } }),
  )
  hd.outbox.kick()
  hd.deps.bus.emit('helpdesk.changed', { ticketId: o.ticketId })
  return toOutboxItem(hd, row)
}

export async function cancelItem(hd: Helpdesk, id: number): Promise<OutboxItem> {
  const repo = hd.repo
  const o = await repo.outboxItem(id)
  if (!o) throw new AppError('NOT_FOUND', `Outbox item #${id} does not exist.`, { key: 'helpdesk.noSuchOutboxItem', values: { id } })
  if (o.status === 'sent' || o.status === 'cancelled') throw new AppError('CONFLICT', `Outbox item #${id} was already ${o.status}; nothing to cancel.`, { key: o.status === 'sent' ? 'helpdesk.outboxSent' : 'helpdesk.outboxCancelled', values: { id } })
  const row = await hd.deps.record(
    () => repo.tx().setStatus(id, { status: 'cancelled', nextAt: null }),
    () => ({ action: 'helpdesk.outboxCancel', outcome: 'ok', ticketId: o.ticketId, inputs: { outboxId: id, key: o.key, from: o.status } }),
  )
  hd.deps.bus.emit('helpdesk.changed', { ticketId: o.ticketId })
  return toOutboxItem(hd, row)
}
