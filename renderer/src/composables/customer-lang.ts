// The language of the messages to a ticket's customer: chosen per ticket, independent of the
// UI language (a Czech agent writes to a German customer in German), remembered on this PC.
import { ref, watch } from 'vue'

export type CustomerLang = 'en' | 'cs' | 'de'
export const CUSTOMER_LANGS: CustomerLang[] = ['en', 'cs', 'de']
const key = (ticketId: number) => `customerLang:${ticketId}`

export function useCustomerLang(ticketId: number) {
  let saved: string | null = null
  try {
    saved = localStorage.getItem(key(ticketId))
  } catch {
    /* storage unavailable: English until chosen */
  }
  const lang = ref<CustomerLang>((CUSTOMER_LANGS as string[]).includes(saved ?? '') ? (saved as CustomerLang) : 'en')
  watch(lang, (l) => {
    try {
      localStorage.setItem(key(ticketId), l)
    } catch {
      /* the choice lasts this view */
    }
  })
  return lang
}
