// One NVR reset run per ticket, on the workflow engine (issue 12). The reset panel is where the
// agent works; after every change there, the ticket's run catches up: its observed steps
// (procedure nvr-password-reset v2) complete from the reset's recorded state. A run still on
// version 1 (manual confirmations) is superseded by a v2 run that catches up the same way, so
// an older database shows one consistent run. The ticket's status follows the work: waiting on
// the customer while the run waits for their photo, open while the agent has work to do.
import type { TicketStatus } from '../../shared/contract/tickets'
import { ticketState } from '../audit/ticket-state'
import type { App } from '../core/app'
import { workflowService } from '../workflows/service'
import { deviceOps } from '../devices/device-ops'
import { linkTouched } from '../devices/read-ops'
import { endpointOf } from './nvr-client'
import { resetRepo } from './view'

export const RESET_PROCEDURE = 'nvr-password-reset'
/** The step that waits for the customer (their photo of the QR). */
const CUSTOMER_STEP = 'qr-photo'

export async function syncResetRun(app: App, ticketId: number): Promise<void> {
  const ticket = await app.tickets.get(ticketId)
  if (ticket.procedure !== RESET_PROCEDURE) return
  const { engine } = workflowService(app)
  const newest = engine.procedure(RESET_PROCEDURE).version
  const runs = engine.runRows(ticketId).filter((r) => r.procedure === RESET_PROCEDURE)
  for (const r of runs.filter((x) => x.status === 'active' && x.version < newest)) {
    await engine.abandon(r.id, `Superseded by version ${newest} of the procedure, whose steps complete from the work in the reset panel.`)
  }
  // A reset carried to the end stays done; otherwise the ticket always has its one run.
  const start = !runs.some((r) => r.status === 'completed')
  const run = await engine.observe(ticketId, RESET_PROCEDURE, { start })
  if (!run || (ticket.status !== 'open' && ticket.status !== 'waiting')) return
  const want: TicketStatus = run.status === 'active' && run.current?.stepId === CUSTOMER_STEP ? 'waiting' : 'open'
  if (want === ticket.status) return
  const why = want === 'waiting' ? 'waiting for the customer’s photo of the QR' : 'the customer’s photo arrived; the agent has work to do'
  await app.record(
    () => app.tickets.setStatusSync(ticketId, want),
    (tk) => ({ action: 'ticket.status', outcome: 'ok', ticketId, inputs: { from: ticket.status, to: want, by: 'the work', ticketState: ticketState(app.secrets.auditKey(), tk) }, detail: why }),
  )
  app.bus.emit('tickets.changed', { id: ticketId })
}

/** At start-up: every unfinished reset catches up (runs of older versions, steps done meanwhile). */
export async function syncUnfinishedResets(app: App): Promise<number> {
  const ids = resetRepo(app).unfinishedTickets()
  for (const id of ids) await syncResetRun(app, id)
  return ids.length
}

/**
 * The bench NVR the reset worked on is linked to the ticket when it is in the inventory (by
 * the QR's serial, else by the address the code was entered at).
 */
export async function linkResetDevice(app: App, ticketId: number, address: string): Promise<void> {
  const ops = deviceOps(app)
  const serial = (await resetRepo(app).getCase(ticketId))?.serial ?? ''
  const ip = endpointOf(address).host
  const d = (serial ? await ops.repo.findBySerial(serial) : null) ?? (await ops.repo.list({ search: ip, limit: 50 })).find((x) => x.ip === ip) ?? null
  if (d) await linkTouched(ops, d, ticketId, 'the NVR reset entered the code on it')
}
