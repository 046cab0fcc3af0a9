// The console's own message files and a small translator (./compile.ts is the format; vue-i18n
// was here once, and its per-call machinery cost about 60 ms of a 200-row list's first draw).
// en.ts is the source of truth (typed keys);
// cs.ts and de.ts must have exactly its shape (type-checked, and tested for placeholders).
// The language follows the operating system (navigator.languages: in Electron, the app
// locale) until the agent picks one in Settings; the choice is kept on this PC.
// Only English is in the start bundle: Czech and German (about 200 KB of the 370 KB the
// renderer was) are separate chunks, loaded before the first screen when they are the
// language and on demand when the agent switches (issue 11: host start to a usable list).
import { computed } from 'vue'
import { activeLocale, fill, type Params } from './compile'
import { en, lookup, setTranslator, type Messages } from './en'
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

// The texts of each loaded language. A lookup reads activeLocale, so a screen drawn with a
// text is drawn again when the language changes (Vue tracks the read).
const messages: Partial<Record<Locale, Messages>> = { en: en as unknown as Messages }

/** The text of `key` in the current language (English when it has none), filled; the key itself when no language has it. */
function translate(key: string, params: Params = {}): string {
  const l = activeLocale.value as Locale
  let v = lookup(messages[l], key)
  let from: Locale = l
  if (typeof v !== 'string') {
    v = lookup(en, key)
    from = 'en'
  }
  if (typeof v !== 'string') return key
  // No placeholder and one form (most texts): the text as it is.
  if (!v.includes('{') && !v.includes(' | ')) return v
  return fill(v, from, params)
}
setTranslator(translate)

export const locale = computed<Locale>(() => (isLocale(activeLocale.value) ? activeLocale.value : 'en'))
/** Whether the agent chose the language (otherwise it follows the OS). */
export const chosenLocale = (): Locale | null => savedLocale()

const loaded = new Set<Locale>(['en'])
async function load(l: Locale): Promise<void> {
  if (l === 'en' || loaded.has(l)) return
  const b = await bundles[l]()
  messages[l] = b.messages as Messages
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
  activeLocale.value = l
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
  if (typeof document !== 'undefined') document.documentElement.lang = activeLocale.value
}
sync()

/** The current locale's messages, for lists (the shortcut table). */
export const currentMessages = computed<Messages>(() => messages[locale.value] ?? (en as unknown as Messages))
