import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Input, Ticket, TicketStatus } from '../../../../shared/contract/index'
import { bridge } from '../../bridge'
import { ticketListQuery } from '../../../../shared/contract/first-reads'

export type StatusFilter = TicketStatus | 'active' | 'all'

export const useTicketsStore = defineStore('tickets', () => {
  const items = ref<Ticket[]>([])
  const total = ref(0)
  const totalExact = ref(true)
  const search = ref('')
  const status = ref<StatusFilter>('active')
  const counts = ref<Record<TicketStatus, number>>({ open: 0, waiting: 0, resolved: 0, closed: 0 })
  const loading = ref(false)
  const loaded = ref(false)
  let seq = 0

  /** Reloads the list; an older reply that arrives late never overwrites a newer one. */
  async function refresh() {
    const mine = ++seq
    loading.value = true
    try {
      const [list, c] = await Promise.all([
        bridge.invoke('tickets.list', ticketListQuery(search.value, status.value)),
        bridge.invoke('tickets.counts', {}),
      ])
      if (mine !== seq) return
      items.value = list.items
      total.value = list.total
      totalExact.value = list.totalExact
      counts.value = c
      loaded.value = true
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  async function create(input: Input<'tickets.create'>) {
    const t = await bridge.invoke('tickets.create', input)
    void refresh()
    return t
  }

  let timer: ReturnType<typeof setTimeout> | undefined
  /** Live updates: another window or a workflow changed a ticket. Debounced. */
  bridge.on('tickets.changed', () => {
    clearTimeout(timer)
    timer = setTimeout(() => void refresh(), 150)
  })

  return { items, total, totalExact, search, status, counts, loading, loaded, refresh, create }
})
