// vue-i18n over the console's own message files. en.ts is the source of truth (typed keys);
// cs.ts and de.ts must have exactly its shape (type-checked, and tested for placeholders).
// The language follows the operating system (navigator.languages: in Electron, the app
// locale) until the agent picks one in Settings; the choice is kept on this PC.
// Only English is in the start bundle: Czech and German (about 200 KB of the 370 KB the
// renderer was) are separate chunks, loaded before the first screen when they are the
// language and on demand when the agent switches (issue 11: host start to a usable list).
import { computed } from 'vue'
import { createI18n, type Composer, type MessageContext } from 'vue-i18n'
import { activeLocale, fill, pluralIndex, type Params } from './compile'
import { en, setTranslator, type Messages } from './en'
import { addGuides } from './procedure-guides'

export const LOCALES = ['en', 'cs', 'de'] as const
export type Locale = (typeof LOCALES)[number]
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', cs: 'Čeština', de: 'Deutsch' }
const bundles = {
  cs: () => import('./bundle-cs').then((m) => m.bundle),
  de: () => import('./bundle-de').then((m) => m.bundle),
}
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
  // English until initLocale() has loaded the agent's language (main.ts mounts after it).
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en } as never,
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

const loaded = new Set<Locale>(['en'])
async function load(l: Locale): Promise<void> {
  if (l === 'en' || loaded.has(l)) return
  const b = await bundles[l]()
  composer.setLocaleMessage(l, b.messages as never)
  addGuides(l, b.guides)
  loaded.add(l)
}
/** Switches to a language, loading its texts first, so no screen shows half a language. */
async function use(l: Locale): Promise<void> {
  try {
    await load(l)
  } catch (e) {
    // A chunk that cannot be loaded (a damaged install): English is complete, so use it.
    console.error(`The ${LOCALE_NAMES[l]} texts could not be loaded; showing English.`, e)
    l = 'en'
  }
  composer.locale.value = l
  sync()
}

/** Before the first screen: the language chosen on this PC, else the OS's. */
export const initLocale = (): Promise<void> => use(savedLocale() ?? detectLocale())

export async function setLocale(l: Locale | null): Promise<void> {
  try {
    if (l) localStorage.setItem(STORAGE_KEY, l)
    else localStorage.removeItem(STORAGE_KEY)
  } catch {
    /* private mode: the choice lasts this session */
  }
  await use(l ?? detectLocale())
}
function sync() {
  if (typeof document !== 'undefined') document.documentElement.lang = composer.locale.value
  activeLocale.value = composer.locale.value
}
sync()

/** The current locale's messages, for lists (the shortcut table). */
export const currentMessages = computed<Messages>(() => (composer.messages.value as Record<string, Messages>)[locale.value] ?? (en as unknown as Messages))
