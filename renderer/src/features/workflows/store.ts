import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Input, WorkflowReply, WorkflowRun } from '../../../../shared/contract/index'
import { bridge } from '../../bridge'

/** Workflow runs by ticket, kept fresh by 'workflow.changed' events (long steps finish in the background). */
export const useWorkflowsStore = defineStore('workflows', () => {
  const byTicket = ref<Record<number, WorkflowRun[]>>({})
  const procedures = ref<{ id: string; title: string; summary: string; ticketProcedure: string; steps: number }[]>([])
  const progress = ref<Record<string, { label: string; done: number; total: number | null }>>({})
  /** A value to show once (new device password); set from replies, shown by WorkflowTimeline. */
  const reveal = ref<WorkflowReply['reveal']>(null)
  /** The agent just acted on a step: the next current step takes the keyboard focus. */
  const focusNext = ref(false)
  const seq: Record<number, number> = {}

  async function load(ticketId: number) {
    const mine = (seq[ticketId] = (seq[ticketId] ?? 0) + 1)
    const runs = await bridge.invoke('workflows.forTicket', { ticketId })
    if (mine === seq[ticketId]) byTicket.value[ticketId] = runs
  }
  async function loadProcedures() {
    if (!procedures.value.length) procedures.value = await bridge.invoke('workflows.procedures', {})
  }
  function put(run: WorkflowRun) {
    const list = byTicket.value[run.ticketId] ?? []
    const i = list.findIndex((r) => r.id === run.id)
    byTicket.value[run.ticketId] = i >= 0 ? list.map((r) => (r.id === run.id ? run : r)) : [run, ...list]
  }
  async function start(ticketId: number, procedure: string) {
    put(await bridge.invoke('workflows.start', { ticketId, procedure }))
  }
  async function complete(i: Input<'workflows.completeStep'>): Promise<WorkflowReply> {
    const r = await bridge.invoke('workflows.completeStep', i)
    if (r.reveal) reveal.value = r.reveal
    put(r.run)
    return r
  }
  async function runAuto(i: Input<'workflows.runAuto'>): Promise<WorkflowReply> {
    const r = await bridge.invoke('workflows.runAuto', i)
    if (r.reveal) reveal.value = r.reveal
    put(r.run)
    return r
  }
  /** Fetches a pending one-time value of a run (long steps finish after their reply). */
  async function takeReveal(runId: number) {
    const r = await bridge.invoke('workflows.reveal', { runId })
    if (r) reveal.value = r
  }
  /** The value shown last, once more, with the agent's reason (audited on the host). */
  async function revealAgain(runId: number, reason: string) {
    reveal.value = await bridge.invoke('workflows.revealAgain', { runId, reason })
  }
  async function skip(i: Input<'workflows.skipStep'>) {
    put(await bridge.invoke('workflows.skipStep', i))
  }
  async function note(i: Input<'workflows.addNote'>) {
    put(await bridge.invoke('workflows.addNote', i))
  }
  async function abandon(i: Input<'workflows.abandon'>) {
    put(await bridge.invoke('workflows.abandon', i))
  }
  async function attach(i: Input<'workflows.attach'>) {
    put(await bridge.invoke('workflows.attach', i))
  }

  const timers: Record<number, ReturnType<typeof setTimeout>> = {}
  bridge.on('workflow.changed', ({ ticketId, run }) => {
    if (!(ticketId in byTicket.value)) return
    // The event carries the view: shown as it is, nothing fetched again (issue 11).
    if (run) {
      seq[ticketId] = (seq[ticketId] ?? 0) + 1 // a load already under way would bring an older list
      return put(run)
    }
    clearTimeout(timers[ticketId])
    timers[ticketId] = setTimeout(() => void load(ticketId), 100)
  })
  bridge.on('task.progress', (p) => {
    if (!p.task.startsWith('workflow:')) return
    if (p.finished) delete progress.value[p.task]
    else progress.value[p.task] = { label: p.label, done: p.done, total: p.total }
  })

  return { byTicket, procedures, progress, reveal, takeReveal, revealAgain, abandon, focusNext, load, loadProcedures, start, complete, runAuto, skip, note, attach }
})
