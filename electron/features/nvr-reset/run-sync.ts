// One NVR reset run per ticket, on the workflow engine (issue 12). The reset panel is where the
// agent works; after every change there, the ticket's run catches up: its observed steps
// (procedure nvr-password-reset v2) complete from the reset's recorded state. A run still on
// version 1 (manual confirmations) is superseded by a v2 run that catches up the same way, so
// an older database shows one consistent run. The ticket's status follows the work: waiting on
// the customer while the run waits for their photo, open while the agent has work to do.
import type { TicketStatus } from '../../../shared/contract/tickets'
import { ticketState } from '../audit'
import type { Device } from '../../../shared/contract/devices'
import type { CommonRepos, Events, Recording, Secrets } from '../../infra/ports'
import type { WorkflowEngine } from '../workflows'
import type { ResetRows } from './deps'
import { endpointOf } from './nvr-client'

/** The part of the workflow engine the reset drives: its procedure, its runs, observing them. */
export type ResetRunEngine = Pick<WorkflowEngine, 'procedure' | 'runRows' | 'abandon' | 'observe'>

/** Catching the run up: the ticket (status written with its entry), the reset's rows, the engine (asked for when needed: it is built after the reset's view). */
export type RunSyncDeps = Pick<Recording, 'record'> & Pick<CommonRepos, 'tickets'> & Events & Secrets & ResetRows & {
  runs(): ResetRunEngine
}

/** The inventory's part in a reset, wired by the root to the device operations. */
export interface ResetDevices {
  findBySerial(serial: string): Promise<Device | null>
  /** The inventory device last seen at this IP address, if any. */
  findByIp(ip: string): Promise<Device | null>
  /** Links a device to the ticket (audited) unless it is linked already. */
  link(d: Device, ticketId: number, why: string): Promise<void>
}

export const RESET_PROCEDURE = 'nvr-password-reset'
/** The step that waits for the customer (their photo of the QR). */
const CUSTOMER_STEP = 'qr-photo'

export async function syncResetRun(deps: RunSyncDeps, ticketId: number): Promise<void> {
  const ticket = await deps.tickets.get(ticketId)
  if (ticket.procedure !== RESET_PROCEDURE) return
  const engine = deps.runs()
  const newest = engine.procedure(RESET_PROCEDURE).version
  const runs = (await engine.runRows(ticketId)).filter((r) => r.procedure === RESET_PROCEDURE)
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
  await deps.record(
    () => deps.tickets.tx().setStatus(ticketId, want),
    (tk) => ({ action: 'ticket.status', outcome: 'ok', ticketId, inputs: { from: ticket.status, to: want, by: 'the work', ticketState: ticketState(deps.secrets.auditKey(), tk) }, detail: why }),
  )
  deps.bus.emit('tickets.changed', { id: ticketId })
}

/** At start-up: every unfinished reset catches up (runs of older versions, steps done meanwhile). */
export async function syncUnfinishedResets(deps: RunSyncDeps): Promise<number> {
  const ids = await deps.repo.unfinishedTickets()
  for (const id of ids) await syncResetRun(deps, id)
  return ids.length
}

/**
 * The bench NVR the reset worked on is linked to the ticket when it is in the inventory (by
 * the QR's serial, else by the address the code was entered at).
 */
export async function linkResetDevice(deps: ResetRows & { devices: ResetDevices }, ticketId: number, address: string): Promise<void> {
  const serial = (await deps.repo.getCase(ticketId))?.serial ?? ''
  const ip = endpointOf(address).host
  const d = (serial ? await deps.devices.findBySerial(serial) : null) ?? (await deps.devices.findByIp(ip))
  if (d) await deps.devices.link(d, ticketId, 'the NVR reset entered the code on it')
}
