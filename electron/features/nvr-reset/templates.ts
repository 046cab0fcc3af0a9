// Messages the agent sends the customer, in English, Czech and German. The deadline is written in
// the customer's time zone (chosen per ticket), with the zone named, because "until 14:00"
// means nothing across borders. The code is spelled out under itself: it is case sensitive.
import { spellCode } from './reset-codes/providers'

export type Lang = 'en' | 'cs' | 'de'
export const LANGS: Lang[] = ['en', 'cs', 'de']

export interface Message {
  subject: string
  body: string
}

const LOCALE: Record<Lang, string> = { en: 'en-GB', cs: 'cs-CZ', de: 'de-DE' }

export function formatDeadline(iso: string, tz: string, lang: Lang): string {
  const d = new Date(iso)
  const s = new Intl.DateTimeFormat(LOCALE[lang], { timeZone: tz, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d)
  return `${s} (${tz})`
}

const SPELL_CS: Record<string, string> = { capital: 'velké', 'lower-case': 'malé', digit: 'číslice' }
const DIGITS_CS = ['nula', 'jedna', 'dva', 'tři', 'čtyři', 'pět', 'šest', 'sedm', 'osm', 'devět']

const SPELL_DE: Record<string, string> = { capital: 'groß', 'lower-case': 'klein', digit: 'Ziffer' }
const DIGITS_DE = ['null', 'eins', 'zwei', 'drei', 'vier', 'fünf', 'sechs', 'sieben', 'acht', 'neun']

export function spellFor(code: string, lang: Lang): string {
  if (lang === 'en') return spellCode(code).join(', ')
  const [words, digits] = lang === 'cs' ? [SPELL_CS, DIGITS_CS] : [SPELL_DE, DIGITS_DE]
  return [...code]
    .map((c) => (c >= '0' && c <= '9' ? `${words.digit} ${digits[Number(c)]}` : c >= 'A' && c <= 'Z' ? `${words.capital} ${c}` : `${words['lower-case']} ${c}`))
    .join(', ')
}

/** A company, not a person: its name does not go into a greeting. */
const COMPANY = /\b(s\.\s?r\.\s?o|a\.\s?s|spol|gmbh|ltd|inc|llc|sp\.\s?z\s?o\.\s?o|k\.\s?s|v\.\s?o\.\s?s|security|systems|services)\b|[&@\d]/i

/**
 * The opening line, as a person would write it. Czech: "Dobrý den," on its own: a name
 * there needs the vocative ("pane Dvořáku", "paní Nováková"), which a template cannot form
 * reliably, and "Dobrý den, Petr Dvořák," reads like a form letter. English: "Hello" with
 * the first name of a person, or just "Hello," for a company or an empty name.
 */
export function greeting(lang: Lang, customerName: string): string {
  if (lang === 'cs') return 'Dobrý den,'
  const name = customerName.trim().replace(/\s*\(.*\)\s*$/, '')
  const words = name.split(/\s+/).filter(Boolean)
  if (!words.length || COMPANY.test(name) || words.length > 3) return 'Hello,'
  return `Hello ${words[0]},`
}

export function codeMessage(o: { lang: Lang; code: string; expiresAt: string; tz: string; serial: string; customerName: string; agent: string }): Message {
  const deadline = formatDeadline(o.expiresAt, o.tz, o.lang)
  if (o.lang === 'cs') {
    return {
      subject: `Bezpečnostní kód pro obnovení hesla NVR ${o.serial}`,
      body: `${greeting('cs', o.customerName)}

bezpečnostní kód pro obnovení hesla vašeho záznamového zařízení (sériové číslo ${o.serial}) je:

    ${o.code}

(${spellFor(o.code, 'cs')})

Kód rozlišuje velká a malá písmena. Zadejte jej do pole „Security Code“ na obrazovce „Retrieve Password“, potvrďte a poté dvakrát zadejte nové heslo.

Kód platí nejpozději do: ${deadline}.

DŮLEŽITÉ: Obrazovku „Retrieve Password“ do zadání kódu NEOPOUŠTĚJTE a zařízení nerestartujte. Pokud ji opustíte nebo se zařízení restartuje, kód přestane platit a bude potřeba nová fotografie QR kódu.

S pozdravem
${o.agent}`,
    }
  }
  if (o.lang === 'de') {
    return {
      subject: `Sicherheitscode zum Zurücksetzen des Passworts des NVR ${o.serial}`,
      body: `Guten Tag ${o.customerName},

der Sicherheitscode zum Zurücksetzen des Passworts Ihres Rekorders (Seriennummer ${o.serial}) lautet:

    ${o.code}

(${spellFor(o.code, 'de')})

Beim Code wird zwischen Groß- und Kleinschreibung unterschieden. Geben Sie ihn im Feld „Security Code“ des Bildschirms „Retrieve Password“ ein, bestätigen Sie und geben Sie dann Ihr neues Passwort zweimal ein.

Der Code gilt spätestens bis: ${deadline}.

WICHTIG: Verlassen Sie den Bildschirm „Retrieve Password“ NICHT und starten Sie den Rekorder nicht neu, bevor Sie den Code eingegeben haben. Sonst wird der Code ungültig, und wir bräuchten ein neues Foto des QR-Codes.

Mit freundlichen Grüßen
${o.agent}`,
    }
  }
  return {
    subject: `Security code for the password reset of NVR ${o.serial}`,
    body: `${greeting('en', o.customerName)}

the security code for resetting the password of your recorder (serial number ${o.serial}) is:

    ${o.code}

(${spellFor(o.code, 'en')})

The code is case sensitive. Type it into the "Security Code" field of the "Retrieve Password" screen, confirm, then enter your new password twice.

The code is valid until: ${deadline} at the latest.

IMPORTANT: do NOT leave the "Retrieve Password" screen and do not restart the recorder until you have entered the code. Leaving the screen or restarting makes the code useless, and we would need a new photo of the QR code.

Kind regards,
${o.agent}`,
  }
}

export function retakeMessage(o: { lang: Lang; customerName: string; agent: string }): Message {
  if (o.lang === 'cs') {
    return {
      subject: 'Prosíme o novou fotografii QR kódu',
      body: `${greeting('cs', o.customerName)}

z fotografie se nám nepodařilo přečíst QR kód. Prosíme o novou fotografii:

- Obrazovku „Retrieve Password“ neopouštějte; vyfoťte QR kód, který je na ní právě zobrazen.
- Foťte kolmo k obrazovce, ne šikmo, a tak, aby QR kód vyplnil většinu snímku.
- Vypněte blesk a zabraňte odleskům světel v obrazovce.
- Držte telefon v klidu a počkejte, až zaostří; rozmazaný snímek nelze přečíst.
- Pokud je na snímku vlnitý vzor (moaré), trochu se vzdalte nebo snímek pořiďte lehce z jiné vzdálenosti.
- Pošlete fotografii jako přílohu (JPEG nebo PNG), ne snímek obrazovky z chatu.

Děkujeme
${o.agent}`,
    }
  }
  if (o.lang === 'de') {
    return {
      subject: 'Bitte senden Sie ein neues Foto des QR-Codes',
      body: `Guten Tag ${o.customerName},

wir konnten den QR-Code auf Ihrem Foto nicht lesen. Bitte senden Sie uns ein neues:

- Verlassen Sie den Bildschirm „Retrieve Password“ nicht; fotografieren Sie den QR-Code, den er jetzt zeigt.
- Halten Sie das Telefon gerade vor den Bildschirm, nicht schräg, sodass der QR-Code den größten Teil des Bildes füllt.
- Schalten Sie den Blitz aus und vermeiden Sie Spiegelungen von Lampen oder Fenstern auf dem Bildschirm.
- Halten Sie still und warten Sie, bis das Telefon scharf gestellt hat; ein verwackeltes Bild lässt sich nicht lesen.
- Sehen Sie wellige Streifen (Moiré) auf dem Bild, treten Sie etwas zurück oder ändern Sie den Abstand leicht.
- Senden Sie das Foto als Anhang (JPEG oder PNG), nicht als Screenshot aus einem Chat.

Vielen Dank
${o.agent}`,
    }
  }
  return {
    subject: 'Please send a new photo of the QR code',
    body: `${greeting('en', o.customerName)}

we could not read the QR code in your photo. Please send a new one:

- Do not leave the "Retrieve Password" screen; photograph the QR code it shows now.
- Hold the phone square to the screen, not at an angle, with the QR code filling most of the picture.
- Turn the flash off and avoid reflections of lamps or windows on the screen.
- Hold still and wait for the phone to focus; a blurred picture cannot be read.
- If you see wavy stripes (moiré) on the picture, step back a little or change the distance slightly.
- Send the photo as an attachment (JPEG or PNG), not a screenshot of a chat.

Thank you,
${o.agent}`,
  }
}
