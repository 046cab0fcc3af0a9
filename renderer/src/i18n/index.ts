// vue-i18n over the console's own message files. en.ts is the source of truth (typed keys);
// cs.ts and de.ts must have exactly its shape (type-checked, and tested for placeholders).
// The language follows the operating system (navigator.languages: in Electron, the app
// locale) until the agent picks one in Settings; the choice is kept on this PC.
import { computed } from 'vue'
import { createI18n, type Composer, type MessageContext } from 'vue-i18n'
import { activeLocale, fill, pluralIndex, type Params } from './compile'
import { cs } from './cs'
import { de } from './de'
import { en, setTranslator, type Messages } from './en'

export const LOCALES = ['en', 'cs', 'de'] as const
export type Locale = (typeof LOCALES)[number]
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', cs: 'Čeština', de: 'Deutsch' }
const messages: Record<Locale, Messages> = { en: en as unknown as Messages, cs, de }
const STORAGE_KEY = 'locale'

const isLocale = (v: unknown): v is Locale => typeof v === 'string' && (LOCALES as readonly string[]).includes(v)

/** The first of the OS's preferred languages the console speaks ("cs-CZ" → cs), else English. */
export function detectLocale(languages: readonly string[] = globalThis.navigator?.languages ?? []): Locale {
  for (const l of languages) {
    const base = l.toLowerCase().split(/[-_]/)[0]
    if (isLocale(base)) return base
  }
  return 'en'
}

function savedLocale(): Locale | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    return isLocale(v) ? v : null
  } catch {
    return null
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLocale() ?? detectLocale(),
  fallbackLocale: 'en',
  messages: messages as never,
  // Our format (./compile.ts): {name} and " | " plural forms in CLDR category order.
  messageCompiler: (message, ctx) => {
    const source = typeof message === 'string' ? message : ''
    return (mc: MessageContext) => fill(source, ctx.locale, mc.values as Params)
  },
  pluralRules: Object.fromEntries(LOCALES.map((l) => [l, (choice: number, forms: number) => pluralIndex(l, choice, forms)])),
  missingWarn: false,
  fallbackWarn: false,
})

const composer = i18n.global as unknown as Composer
setTranslator((key, params = {}) => composer.t(key, params))

export const locale = computed<Locale>(() => (isLocale(composer.locale.value) ? composer.locale.value : 'en'))
/** Whether the agent chose the language (otherwise it follows the OS). */
export const chosenLocale = (): Locale | null => savedLocale()

export function setLocale(l: Locale | null) {
  try {
    if (l) localStorage.setItem(STORAGE_KEY, l)
    else localStorage.removeItem(STORAGE_KEY)
  } catch {
    /* private mode: the choice lasts this session */
  }
  composer.locale.value = l ?? detectLocale()
  sync()
}
function sync() {
  if (typeof document !== 'undefined') document.documentElement.lang = composer.locale.value
  activeLocale.value = composer.locale.value
}
sync()

/** The current locale's messages, for lists (the shortcut table). */
export const currentMessages = computed<Messages>(() => messages[locale.value])
