import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Device, Diagnostic, FoundDevice, NetInterface } from '../../../../shared/contract/index'
import { bridge } from '../../bridge'

interface Progress { phase: string; done: number; total: number; found: number; elapsedMs: number }

/** Discovery (live scan results arrive as events) and the inventory list. */
export const useDevicesStore = defineStore('devices', () => {
  const ifaces = ref<NetInterface[]>([])
  const chosen = ref<string[]>(JSON.parse(localStorage.getItem('devices.ifaces') ?? '[]') as string[])
  const cidr = ref(localStorage.getItem('devices.cidr') ?? '')
  const timeoutS = ref(8)
  const scanId = ref<string | null>(null)
  const running = ref(false)
  const cancelled = ref(false)
  const progress = ref<Progress | null>(null)
  const found = ref<Map<string, FoundDevice>>(new Map())
  const diagnostics = ref<Diagnostic[]>([])
  const inventory = ref<Device[]>([])
  const search = ref('')

  const foundList = computed(() => [...found.value.values()].sort((a, b) => ipKey(a.ip) - ipKey(b.ip)))

  async function loadInterfaces() {
    ifaces.value = await bridge.invoke('devices.interfaces', {})
    chosen.value = chosen.value.filter((n) => ifaces.value.some((i) => i.name === n))
  }

  let invSeq = 0
  async function refreshInventory() {
    const mine = ++invSeq
    const list = await bridge.invoke('devices.list', { search: search.value, limit: 500 })
    if (mine === invSeq) inventory.value = list
  }

  /** Remembers the interfaces and sweep network on this PC (Settings and every scan). */
  function saveChoice() {
    localStorage.setItem('devices.ifaces', JSON.stringify(chosen.value))
    localStorage.setItem('devices.cidr', cidr.value.trim())
  }

  async function startScan() {
    saveChoice()
    found.value = new Map()
    diagnostics.value = []
    progress.value = null
    cancelled.value = false
    running.value = true
    try {
      const r = await bridge.invoke('devices.scan', { ifaces: chosen.value, cidr: cidr.value.trim(), timeoutS: timeoutS.value })
      scanId.value = r.scanId
    } catch (e) {
      running.value = false
      throw e
    }
  }
  async function cancelScan() {
    if (scanId.value) await bridge.invoke('devices.cancelScan', { scanId: scanId.value })
  }

  bridge.on('discovery.progress', (p) => {
    if (p.scanId === scanId.value) progress.value = p
  })
  bridge.on('discovery.device', ({ scanId: id, device, replaces }) => {
    if (id !== scanId.value) return
    const next = new Map(found.value)
    for (const k of replaces) next.delete(k)
    next.set(device.key, device)
    found.value = next
  })
  bridge.on('discovery.diagnostic', ({ scanId: id, diagnostic }) => {
    if (id === scanId.value) diagnostics.value = [...diagnostics.value, diagnostic]
  })
  bridge.on('discovery.done', (s) => {
    if (s.scanId !== scanId.value) return
    running.value = false
    cancelled.value = s.cancelled
    progress.value = { phase: 'done', done: progress.value?.total ?? 0, total: progress.value?.total ?? 0, found: s.found, elapsedMs: s.elapsedMs }
    void refreshInventory()
  })
  let timer: ReturnType<typeof setTimeout> | undefined
  bridge.on('devices.changed', () => {
    clearTimeout(timer)
    timer = setTimeout(() => void refreshInventory(), 200)
  })

  return { ifaces, chosen, cidr, timeoutS, scanId, running, cancelled, progress, found, foundList, diagnostics, inventory, search, loadInterfaces, refreshInventory, saveChoice, startScan, cancelScan }
})

function ipKey(ip: string): number {
  const p = ip.split('.').map(Number)
  return p.length === 4 && p.every((x) => x >= 0) ? ((p[0] * 256 + p[1]) * 256 + p[2]) * 256 + p[3] : Number.MAX_SAFE_INTEGER
}
