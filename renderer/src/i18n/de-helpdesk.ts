// German texts of the helpdesk link, merged into de.ts under "helpdesk" (as en-helpdesk.ts is into en.ts).
import type { Messages } from './en'

export const deHelpdesk: Messages['helpdesk'] = {
  title: 'Helpdesk',
  provider: { rt: 'Request Tracker', zendesk: 'Zendesk' },
  notLinked: 'Mit keinem Helpdesk-Ticket verknüpft.',
  link: 'Helpdesk-Ticket verknüpfen…', import: 'Aus dem Helpdesk importieren…', importTitle: 'Helpdesk-Ticket verknüpfen oder importieren',
  openList: 'Ihre offenen Helpdesk-Tickets (Ihnen oder niemandem zugewiesen)', openLoading: 'Offene Tickets werden im Helpdesk abgefragt…', openEmpty: 'Keine offenen Helpdesk-Tickets sind Ihnen oder niemandem zugewiesen: Fügen Sie unten eine Adresse oder Nummer ein.',
  alreadyLinked: 'bereits mit Ticket #{id} verknüpft', noSubject: '(kein Betreff)',
  refLabel: 'Adresse oder Nummer des Helpdesk-Tickets', refHint: 'Fügen Sie die Adresse des Tickets aus dem Helpdesk (oder seine Nummer) ein. Anfragender und Anhänge werden mit übernommen.',
  importing: 'Ticket wird aus dem Helpdesk geholt…', imported: 'Mit {provider} #{id} verknüpft.', noProviders: 'Noch kein Helpdesk eingerichtet: Fügen Sie einen unter Einstellungen → Helpdesk hinzu.',
  open: 'In {provider} öffnen', requester: 'Anfragender', subject: 'Betreff',
  attachments: 'Anhänge im Helpdesk', noAttachments: 'Das Helpdesk-Ticket hat keine Anhänge.',
  toIntake: 'An die Foto-Annahme (Option 2) senden', toEvidence: 'Zu den Nachweisen hinzufügen', taking: '{name} wird geholt…', taken: 'als Nachweis Nr. {id}', takenNoEvidence: 'übernommen',
  postReport: 'Bericht im Helpdesk ablegen', reportQueued: 'Die interne Notiz mit Bericht und Paket steht in der Warteschlange.',
  reply: 'Dem Kunden antworten…', replyTitle: 'Öffentliche Antwort an den Kunden', replyLang: 'Sprache', replyFromCode: 'Reset-Nachricht verwenden',
  replyText: 'Antwort (der Kunde sieht sie)', preview: 'Vorschau', confirmSend: 'Bestätigen und senden', back: 'Bearbeiten',
  previewNote: 'Genau das erhält der Kunde als öffentliche Antwort in {provider} #{id}.', replyQueued: 'Die Antwort steht in der Warteschlange.',
  outbox: 'Postausgang', outboxEmpty: 'Nichts wartet.', kind: { note: 'Interne Notiz', reply: 'Öffentliche Antwort', status: 'Statusänderung' },
  followStatus: 'Der Helpdesk-Status folgt diesem Ticket (wartet auf Kunden, gelöst)',
  status: { pending: 'ausstehend', sending: 'wird gesendet (wird geprüft)', sent: 'gesendet', failed: 'fehlgeschlagen', cancelled: 'abgebrochen' },
  attempts: '{n} Versuch | {n} Versuche', nextAt: 'nächster Versuch {t}', retry: 'Jetzt erneut versuchen', cancel: 'Abbrechen', cancelled: 'Eintrag im Postausgang abgebrochen.', sync: 'Jetzt senden',
  settings: {
    title: 'Helpdesk', help: 'Der Helpdesk, in dem die Tickets bearbeitet werden. Tokens werden verschlüsselt gespeichert und nie wieder angezeigt.',
    provider: 'Helpdesk', url: 'Adresse', user: 'Benutzer (Zendesk: E-Mail des Mitarbeiters; RT: leer für ein Auth-Token)', token: 'API-Token oder Passwort',
    save: 'Prüfen und speichern', saved: '{provider} ist verbunden.', configured: 'Eingerichtet: {list}',
  },
}
