// Translations of the guided procedures' short texts (titles, field labels, choices, outcome
// buttons), keyed by the ids in electron/workflows/procedures/*.ts. The English stays where it
// is written, in the procedure definitions, and is what the renderer shows for a locale or an
// id missing here (a step added later). The long texts (instructions, warnings, help, message
// templates) are in procedure-guides*.ts. procedures.test.ts checks every id here still exists.
import { activeLocale } from './compile'

export interface StepTexts {
  title?: string
  inputs?: Record<string, string>
  options?: Record<string, string>
  evidence?: Record<string, string>
  outcomes?: Record<string, string>
}
export interface ProcedureTexts {
  title?: string
  summary?: string
  steps: Record<string, StepTexts>
}

const BACKUP_PW_CS = 'Chránit uloženou kopii heslem'
const BACKUP_PW_DE = 'Gespeicherte Kopie mit einem Passwort schützen'
// Diff and restore ask for the password the backup step set, not a new one.
const STORED_BACKUP_PW_CS = 'Heslo uložené zálohy'
const STORED_BACKUP_PW_DE = 'Passwort der gespeicherten Sicherung'

export const procedureTexts: Record<'cs' | 'de', Record<string, ProcedureTexts>> = {
  cs: {
    'my2n-move': {
      title: 'Přesun interkomu 2N do jiného účtu My2N',
      summary: 'Kontrola sériového čísla, kontrola v My2N, nový bezpečnostní kód, záloha, tovární reset, nové heslo, registrace v nové lokalitě, případné obnovení.',
      steps: {
        serial: {
          title: 'Sériové číslo',
          inputs: { serial: 'Sériové číslo', foundAt: 'Kde ho zákazník přečetl' },
          options: { label: 'Štítek na zadní straně jednotky', web: 'Webové rozhraní zařízení', certificate: 'Potvrzení o vlastnictví (v krabici)', bench: 'Přečteno konzolí ze zařízení' },
          evidence: { 'label-photo': 'Fotka štítku nebo potvrzení' },
          outcomes: { ok: 'Sériové číslo zaznamenáno' },
        },
        bench: {
          title: 'Porovnat se zařízením',
          inputs: { host: 'Adresa zařízení (IP nebo IP:port)' },
          outcomes: { match: 'Zařízení hlásí stejné sériové číslo', remote: 'Zařízení není v laboratoři', mismatch: 'Zařízení hlásí jiné sériové číslo' },
        },
        'my2n-check': {
          title: 'Zkusit přidat do My2N',
          inputs: { site: 'Nová lokalita My2N (ID nebo název)', certificateCode: 'Bezpečnostní kód z potvrzení o vlastnictví' },
          outcomes: { added: 'Přidáno do nové lokality', 'not-found': 'Sériové číslo neexistuje', 'already-added': 'Zařízení je již přidáno', 'wrong-code': 'Bezpečnostní kód neplatí' },
        },
        'already-added': {
          title: 'Zařízení je v jiném účtu My2N',
          outcomes: { 'previous-owner': 'Požádat předchozího vlastníka o smazání', 'new-code': 'Vygenerovat nový bezpečnostní kód' },
        },
        'previous-owner': {
          title: 'Předchozí vlastník zařízení smaže',
          outcomes: { deleted: 'Předchozí vlastník ho smazal — zkusit znovu', 'no-answer': 'Bez odpovědi — použít nový bezpečnostní kód' },
        },
        'new-code': {
          title: 'Vygenerovat nový bezpečnostní kód My2N',
          inputs: { securityCode: 'Nový bezpečnostní kód My2N', oldCodeInvalid: 'Řekl(a) jsem zákazníkovi, že starý kód (i potvrzení) už neplatí' },
          outcomes: { ok: 'Nový kód zaznamenán' },
        },
        backup: {
          title: 'Zálohovat konfiguraci',
          inputs: { username: 'Uživatel zařízení', devicePassword: 'Heslo zařízení', backupPassword: BACKUP_PW_CS },
          outcomes: { verified: 'Záloha uložena a ověřena', manual: 'Zařízení není dostupné — přiložit soubor' },
        },
        'backup-upload': {
          title: 'Přiložit staženou zálohu',
          inputs: { backupPassword: BACKUP_PW_CS },
          evidence: { backup: 'Soubor se zálohou konfigurace' },
          outcomes: { ok: 'Záloha ověřena' },
        },
        reset: {
          title: 'Tovární reset (včetně nastavení sítě a certifikátů)',
          outcomes: { reset: 'Reset hotov, zařízení znovu nalezeno s admin / 2n', lost: 'Zařízení se nevrátilo tam, kde se čekalo', remote: 'Zákazník zařízení resetoval' },
        },
        'find-device': { title: 'Znovu najít zařízení', inputs: { host: 'Nová adresa zařízení' }, outcomes: { ok: 'Zařízení nalezeno' } },
        password: {
          title: 'Nastavit nové silné heslo',
          inputs: { currentPassword: 'Současné heslo admina — jen pokud admin / 2n už nefunguje' },
          outcomes: { set: 'Nové heslo nastaveno a ověřeno' },
        },
        register: {
          title: 'Registrovat v nové lokalitě My2N',
          inputs: { site: 'Nová lokalita My2N (ID nebo název)' },
          outcomes: { added: 'Registrováno v nové lokalitě', 'already-added': 'Stále v jiném účtu', 'wrong-code': 'Bezpečnostní kód neplatí', 'not-found': 'Sériové číslo neexistuje' },
        },
        'restore-offer': { title: 'Obnovit uloženou konfiguraci?', outcomes: { review: 'Prohlédnout rozdíly', keep: 'Ponechat tovární nastavení' } },
        'restore-review': { title: 'Rozdíly: uložená záloha vs. zařízení nyní', inputs: { backupPassword: STORED_BACKUP_PW_CS }, outcomes: { ready: 'Rozdíly vypsány' } },
        restore: { title: 'Obnovit uloženou konfiguraci', inputs: { backupPassword: STORED_BACKUP_PW_CS }, outcomes: { restored: 'Konfigurace obnovena' } },
        'close-out': { title: 'Uzavřít se zákazníkem', inputs: { customerInformed: 'Zákazník informován' }, outcomes: { ok: 'Hotovo' } },
      },
    },
    'nvr-password-reset': {
      title: 'Reset hesla NVR z fotky QR kódu (možnost 2)',
      summary: 'Fotka QR kódu, kontroly vlastnictví, bezpečnostní kód, použití kódu a ověření nového hesla. Každý krok se dokončí sám podle práce v panelu resetu.',
      steps: {
        'qr-photo': { title: 'Fotka QR kódu dekódována', outcomes: { decoded: 'QR kód dekódován' } },
        ownership: { title: 'Vlastnictví zaznamenáno', outcomes: { verified: 'Vlastnictví zaznamenáno' } },
        code: { title: 'Bezpečnostní kód vydán', outcomes: { released: 'Kód vydán', 'new-qr': 'QR kód přestal platit' } },
        apply: { title: 'Kód použit', outcomes: { bench: 'Kód zadán na NVR (laboratoř)', sent: 'Kód poslán zákazníkovi', 'new-qr': 'QR kód přestal platit' } },
        verify: { title: 'Nové heslo ověřeno', outcomes: { verified: 'Nové heslo ověřeno', 'new-qr': 'QR kód přestal platit' } },
      },
    },
  },
  de: {
    'my2n-move': {
      title: '2N-Sprechanlage in ein anderes My2N-Konto verschieben',
      summary: 'Seriennummer prüfen, My2N prüfen, neuer Sicherheitscode, Sicherung, Werksreset, neues Passwort, Registrierung am neuen Standort, optionale Wiederherstellung.',
      steps: {
        serial: {
          title: 'Seriennummer',
          inputs: { serial: 'Seriennummer', foundAt: 'Wo der Kunde sie abgelesen hat' },
          options: { label: 'Typenschild auf der Rückseite', web: 'Weboberfläche des Geräts', certificate: 'Eigentumsnachweis (im Karton)', bench: 'Von der Konsole am Gerät gelesen' },
          evidence: { 'label-photo': 'Foto des Typenschilds oder Nachweises' },
          outcomes: { ok: 'Seriennummer erfasst' },
        },
        bench: {
          title: 'Mit dem Gerät vergleichen',
          inputs: { host: 'Geräteadresse (IP oder IP:Port)' },
          outcomes: { match: 'Gerät meldet dieselbe Seriennummer', remote: 'Gerät nicht im Labor', mismatch: 'Gerät meldet eine andere Seriennummer' },
        },
        'my2n-check': {
          title: 'In My2N hinzuzufügen versuchen',
          inputs: { site: 'Neuer My2N-Standort (ID oder Name)', certificateCode: 'Sicherheitscode aus dem Eigentumsnachweis' },
          outcomes: { added: 'Zum neuen Standort hinzugefügt', 'not-found': 'Die Seriennummer existiert nicht', 'already-added': 'Das Gerät ist bereits hinzugefügt', 'wrong-code': 'Sicherheitscode ungültig' },
        },
        'already-added': {
          title: 'Gerät ist in einem anderen My2N-Konto',
          outcomes: { 'previous-owner': 'Vorbesitzer um Löschung bitten', 'new-code': 'Neuen Sicherheitscode erzeugen' },
        },
        'previous-owner': {
          title: 'Vorbesitzer löscht das Gerät',
          outcomes: { deleted: 'Vorbesitzer hat es gelöscht — erneut versuchen', 'no-answer': 'Keine Antwort — neuen Sicherheitscode verwenden' },
        },
        'new-code': {
          title: 'Neuen My2N-Sicherheitscode erzeugen',
          inputs: { securityCode: 'Neuer My2N-Sicherheitscode', oldCodeInvalid: 'Ich habe dem Kunden gesagt, dass der alte Code (und der Nachweis) nicht mehr gilt' },
          outcomes: { ok: 'Neuer Code erfasst' },
        },
        backup: {
          title: 'Konfiguration sichern',
          inputs: { username: 'Gerätebenutzer', devicePassword: 'Gerätepasswort', backupPassword: BACKUP_PW_DE },
          outcomes: { verified: 'Sicherung gespeichert und geprüft', manual: 'Gerät nicht erreichbar — Datei anhängen' },
        },
        'backup-upload': {
          title: 'Heruntergeladene Sicherung anhängen',
          inputs: { backupPassword: BACKUP_PW_DE },
          evidence: { backup: 'Datei der Konfigurationssicherung' },
          outcomes: { ok: 'Sicherung geprüft' },
        },
        reset: {
          title: 'Werksreset (mit Netzwerkeinstellungen und Zertifikaten)',
          outcomes: { reset: 'Reset erledigt, Gerät mit admin / 2n wiedergefunden', lost: 'Gerät kam nicht wie erwartet zurück', remote: 'Kunde hat das Gerät zurückgesetzt' },
        },
        'find-device': { title: 'Gerät wiederfinden', inputs: { host: 'Neue Geräteadresse' }, outcomes: { ok: 'Gerät gefunden' } },
        password: {
          title: 'Neues starkes Passwort setzen',
          inputs: { currentPassword: 'Aktuelles Admin-Passwort — nur wenn admin / 2n nicht mehr funktioniert' },
          outcomes: { set: 'Neues Passwort gesetzt und geprüft' },
        },
        register: {
          title: 'Am neuen My2N-Standort registrieren',
          inputs: { site: 'Neuer My2N-Standort (ID oder Name)' },
          outcomes: { added: 'Am neuen Standort registriert', 'already-added': 'Noch in einem anderen Konto', 'wrong-code': 'Sicherheitscode ungültig', 'not-found': 'Seriennummer existiert nicht' },
        },
        'restore-offer': { title: 'Gespeicherte Konfiguration wiederherstellen?', outcomes: { review: 'Unterschiede ansehen', keep: 'Werkseinstellungen behalten' } },
        'restore-review': { title: 'Unterschiede: gespeicherte Sicherung vs. Gerät jetzt', inputs: { backupPassword: STORED_BACKUP_PW_DE }, outcomes: { ready: 'Unterschiede aufgelistet' } },
        restore: { title: 'Gespeicherte Konfiguration wiederherstellen', inputs: { backupPassword: STORED_BACKUP_PW_DE }, outcomes: { restored: 'Konfiguration wiederhergestellt' } },
        'close-out': { title: 'Mit dem Kunden abschließen', inputs: { customerInformed: 'Kunde informiert' }, outcomes: { ok: 'Erledigt' } },
      },
    },
    'nvr-password-reset': {
      title: 'NVR-Passwort per QR-Foto zurücksetzen (Option 2)',
      summary: 'QR-Foto, Eigentumsprüfungen, Sicherheitscode, Code angewendet, neues Passwort geprüft. Jeder Schritt schließt sich durch die Arbeit im Reset-Bereich von selbst ab.',
      steps: {
        'qr-photo': { title: 'QR-Foto dekodiert', outcomes: { decoded: 'QR-Code dekodiert' } },
        ownership: { title: 'Eigentum erfasst', outcomes: { verified: 'Eigentum erfasst' } },
        code: { title: 'Sicherheitscode herausgegeben', outcomes: { released: 'Code herausgegeben', 'new-qr': 'Der QR-Code wurde ungültig' } },
        apply: { title: 'Code angewendet', outcomes: { bench: 'Code am NVR eingegeben (Labor)', sent: 'Code an den Kunden gesendet', 'new-qr': 'Der QR-Code wurde ungültig' } },
        verify: { title: 'Neues Passwort geprüft', outcomes: { verified: 'Neues Passwort geprüft', 'new-qr': 'Der QR-Code wurde ungültig' } },
      },
    },
  },
}

type Part = 'title' | 'summary' | `${'inputs' | 'options' | 'evidence' | 'outcomes'}.${string}`

/** A procedure's text in the UI language: procedureText('my2n-move', 'serial', 'outcomes.ok', 'Serial recorded'). */
export function procedureText(procedure: string, step: string | null, part: Part, english: string): string {
  const l = activeLocale.value
  if (l !== 'cs' && l !== 'de') return english
  const p = procedureTexts[l][procedure]
  if (!p) return english
  if (step === null) return (part === 'title' ? p.title : part === 'summary' ? p.summary : undefined) ?? english
  const s = p.steps[step]
  if (!s) return english
  if (part === 'title') return s.title ?? english
  const [group, id] = part.split(/\.(.*)/s) as ['inputs' | 'options' | 'evidence' | 'outcomes', string]
  return s[group]?.[id] ?? english
}
