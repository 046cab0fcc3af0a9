// The language of the messages to a ticket's customer: chosen per ticket, independent of the
// UI language (a Czech agent writes to a German customer in German). Stored with the ticket
// (migration 22, tickets.setCustomerLang, audited), so it is the same on every PC; not
// chosen (null) means English. A choice this PC kept in localStorage before is moved into
// the ticket once, then forgotten here.
import { computed, ref, watch, type WritableComputedRef } from 'vue'
import type { CustomerLang } from '../../../shared/contract/tickets'
import { bridge } from '../bridge'
import { useAppStore } from '../stores/app'

export type { CustomerLang }
export const CUSTOMER_LANGS: CustomerLang[] = ['en', 'cs', 'de']
export const DEFAULT_CUSTOMER_LANG: CustomerLang = 'en'
const legacyKey = (ticketId: number) => `customerLang:${ticketId}`

function takeLegacy(ticketId: number): CustomerLang | null {
  try {
    const v = localStorage.getItem(legacyKey(ticketId))
    localStorage.removeItem(legacyKey(ticketId))
    return (CUSTOMER_LANGS as (string | null)[]).includes(v) ? (v as CustomerLang) : null
  } catch {
    return null
  }
}

/** The ticket's customer language; setting it saves it on the ticket. `stored` is the ticket's customerLang. */
export function useCustomerLang(ticketId: () => number, stored: () => CustomerLang | null | undefined): WritableComputedRef<CustomerLang> {
  const app = useAppStore()
  // Shown at once while the save is under way (the ticket reloads after tickets.changed).
  const chosen = ref<CustomerLang | null>(null)
  const save = async (id: number, lang: CustomerLang) => {
    chosen.value = lang
    try {
      await bridge.invoke('tickets.setCustomerLang', { id, lang })
    } catch (e) {
      chosen.value = null
      app.reportError(e)
    }
  }
  watch(
    ticketId,
    (id) => {
      chosen.value = null
      const legacy = takeLegacy(id)
      if (legacy && !stored()) void save(id, legacy)
    },
    { immediate: true },
  )
  // The ticket reloaded (this save, or another PC's): its value is the truth again.
  watch(stored, () => (chosen.value = null))
  return computed({
    get: () => chosen.value ?? stored() ?? DEFAULT_CUSTOMER_LANG,
    set: (lang) => void save(ticketId(), lang),
  })
}
