import { readFileSync } from 'node:fs'
import { AppError } from '../../../shared/contract/common'
import { HelpdeskProviderId } from '../../../shared/contract/helpdesk'
import { defaultDataDir } from '../../infra/data-dir'
import { intOption, parse, UsageError, type Command } from '../command'

const HELP = `Usage: support-console helpdesk <connect|list|import|post-report|sync> [options]

  helpdesk connect rt|zendesk --url URL [--user NAME] --token-file FILE [--test]
      Stores a helpdesk. The token (an RT auth token or password, a Zendesk API
      token) is read from FILE and kept only sealed. For Zendesk, --user is the
      agent's e-mail. --test first checks the URL and credentials and says
      exactly what is wrong; nothing is stored when the check fails.

  helpdesk list [--limit N] [--json]
      The open tickets of the configured helpdesks that are yours or nobody's
      (not solved), newest update first (at most N, default 50), and the console
      ticket each one is already linked to.

  helpdesk import REF [--ticket N] [--json]
      Imports helpdesk ticket REF (a number or the ticket's address) as a console
      ticket with its requester and attachments, or links it to ticket N. The
      photos of an NVR reset ticket go into the Option 2 intake.

  helpdesk post-report TICKET_ID [--json]
      Queues the internal note with the PDF report, the JSON bundle and the audit
      chain head for the linked helpdesk ticket, then sends the outbox.

  helpdesk sync [--wait SECONDS] [--json]
      Sends what waits in the outbox and prints {sent, pending, failed}. Waits up
      to --wait seconds (default 0) for rate limits (Retry-After) and back-offs.

Exit codes: 0 done, 1 error (message says what to do), 2 usage, 4 items still
pending or failed after sync.

Options:
  --data-dir DIR  Folder of the database (default: $SUPPORT_CONSOLE_DATA_DIR or ${defaultDataDir({})})
  -h, --help      This help.`

export const helpdeskCommand: Command = {
  name: 'helpdesk',
  summary: 'link tickets to Request Tracker or Zendesk, post reports and replies back',
  help: HELP,
  async run(argv) {
    const [op, ...rest] = argv
    const { values, positionals } = parse(
      rest,
      {
        'data-dir': { type: 'string' },
        url: { type: 'string' },
        user: { type: 'string' },
        'token-file': { type: 'string' },
        test: { type: 'boolean' },
        ticket: { type: 'string' },
        wait: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
      },
      true,
    )
    if (!['connect', 'list', 'import', 'post-report', 'sync'].includes(op ?? '')) throw new UsageError(op ? `Unknown helpdesk command "${op}".` : 'Which helpdesk command?')
    const { openConsoleApp } = await import('../../core/open-console')
    const svc = await import('../../features/helpdesk/service')
    const out = (v: unknown, text: string) => process.stdout.write(values.json ? `${JSON.stringify(v, null, 2)}\n` : `${text}\n`)
    let token = ''
    if (op === 'connect') {
      const p = HelpdeskProviderId.safeParse(positionals[0])
      if (!p.success) throw new UsageError('helpdesk connect needs rt or zendesk.')
      if (!values.url) throw new UsageError('--url is required.')
      if (!values['token-file']) throw new UsageError('--token-file is required (the token is never taken on the command line).')
      try {
        token = readFileSync(values['token-file'], 'utf8').trim()
      } catch (e) {
        throw new AppError('BAD_INPUT', `Cannot read ${values['token-file']}: ${(e as Error).message}`, { key: 'cli.cannotRead', values: { file: values['token-file'] ?? '', detail: (e as Error).message } })
      }
      if (!token) throw new AppError('BAD_INPUT', `${values['token-file']} is empty.`, { key: 'cli.emptyFile', values: { file: values['token-file'] ?? '' } })
    }
    const app = openConsoleApp({ dataDir: values['data-dir'] ?? defaultDataDir(), host: 'browser' }, 'helpdesk command')
    const hd = (await import('../../core/api')).buildHelpdesk(app)
    try {
      if (op === 'connect') {
        const r = await svc.connect(hd, { provider: positionals[0] as HelpdeskProviderId, url: values.url!, user: values.user ?? '', token }, { test: !!values.test })
        out({ ...r.info, signedInAs: r.signedInAs }, `Stored ${r.info.id} at ${r.info.url}${r.signedInAs ? ` (checked: signed in as ${r.signedInAs})` : ''}.`)
        return 0
      }
      if (op === 'list') {
        const r = await svc.openTickets(hd, { limit: intOption(values.limit, 'limit', 1, 100) ?? 50 })
        const lines = r.tickets.map((t) => `${t.provider} #${t.remoteId}\t${t.status}\t${t.updatedAt}\t${t.requesterName}\t${t.subject}${t.linkedTicketId ? `\t(linked to #${t.linkedTicketId})` : ''}`)
        out(r, [...lines, ...r.errors.map((e) => `${e.provider}: ${e.message}`)].join('\n') || 'No open helpdesk tickets.')
        return r.errors.length ? 1 : 0
      }
      if (op === 'import') {
        if (!positionals[0]) throw new UsageError('helpdesk import needs REF (a ticket number or address).')
        const r = await svc.importTicket(hd, positionals[0], { ticketId: intOption(values.ticket, 'ticket', 1, Number.MAX_SAFE_INTEGER) })
        const doc = {
          ticket: { id: r.ticket.id, externalRef: r.ticket.externalRef, customerName: r.ticket.customerName, contact: r.ticket.contact, procedure: r.ticket.procedure },
          link: { provider: r.link.provider, remoteId: r.link.remoteId, webUrl: r.link.webUrl, subject: r.link.subject },
          attachments: r.link.attachments,
          intake: r.intake,
        }
        out(doc, `Console ticket #${r.ticket.id} ← ${r.link.provider} #${r.link.remoteId} (${r.ticket.customerName}); ${r.link.attachments.length} attachments, ${r.intake.filter((i) => i.status === 'added').length} taken into the intake.`)
        return 0
      }
      if (op === 'post-report') {
        const id = intOption(positionals[0], 'TICKET_ID', 1, Number.MAX_SAFE_INTEGER)
        if (!id) throw new UsageError('helpdesk post-report needs TICKET_ID.')
        const item = await svc.postReport(hd, id)
        const sync = await hd.outbox.drain(0)
        const now = await svc.toOutboxItem(hd, (await hd.repo.outboxItem(item.id))!)
        out({ item: now, ...sync }, `Queued note ${now.key}: ${now.status}${now.lastError ? ` (${now.lastError})` : ''}.`)
        return 0
      }
      const wait = intOption(values.wait, 'wait', 0, 3600) ?? 0
      const r = await hd.outbox.drain(wait * 1000)
      out(r, `Sent ${r.sent}; ${r.pending} pending; ${r.failed} failed.`)
      return r.pending || r.failed ? 4 : 0
    } finally {
      await app.close()
    }
  },
}
