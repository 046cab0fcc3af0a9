// German for the procedures' long texts; see procedure-guides-cs.ts for the format.
import type { ProcedureGuides } from './procedure-guide-types'

const BACKUP_HELP = 'Die Konsole speichert die Sicherung dann mit diesem Passwort verschlüsselt; Sie brauchen es zum Wiederherstellen. Es wird nicht gespeichert.'
const STORED_BACKUP_HELP = 'Nur wenn Sie die Sicherung im Sicherungsschritt mit einem Passwort geschützt haben: Geben Sie dieses Passwort ein, um sie zu öffnen. Sonst leer lassen. Es wird nicht gespeichert.'
const NEW_QR = 'Der Kunde hat den Bildschirm verlassen, der NVR wurde neu gestartet oder der QR-Code ist abgelaufen: Ein neues Foto ist nötig.'

export const guidesDe: ProcedureGuides = {
  'my2n-move': {
    steps: {
      serial: {
        instructions: `Fragen Sie den Kunden nach der Seriennummer des Geräts (Format NN-NNNN-NNNN, z. B. 54-0562-0293). Sie steht:
- auf dem Typenschild auf der Rückseite der meisten Geräte,
- in der Weboberfläche des Geräts (System > Info),
- auf dem EIGENTUMSNACHWEIS (Certificate of Ownership) im Karton.

Statt der Ziffern 0 und 1 werden oft die Buchstaben O und I getippt; die Konsole weist auf solche Fehler hin.`,
      },
      bench: {
        instructions: `Wenn die Sprechanlage im Labor liegt oder von diesem Computer erreichbar ist, geben Sie ihre Adresse ein: Die Konsole liest die vom Gerät gemeldete Seriennummer (ohne Anmeldung) und vergleicht sie mit {{serial}}.

Lassen Sie die Adresse leer, wenn das Gerät nur beim Kunden ist; die Schritte, die es brauchen, leiten dann den Kunden an.`,
        messages: { mismatch: 'Die eingegebene Seriennummer passt nicht zum Gerät. Korrigieren Sie sie (das Gerät hat recht, außer es ist das falsche Gerät).' },
      },
      'my2n-check': {
        instructions: `Die Konsole bittet My2N, das Gerät {{serial}} mit dem Sicherheitscode aus dem Eigentumsnachweis zum neuen Standort des Kunden hinzuzufügen. My2N antwortet mit einem von:
- hinzugefügt: sonst ist nichts nötig,
- „The serial number does not exist“: die Seriennummer hat einen Tippfehler,
- „The device is already added“: das Gerät ist noch in einem anderen My2N-Konto,
- falscher Sicherheitscode: der Code wurde seit dem Druck des Nachweises neu erzeugt.`,
        messages: { 'not-found': 'My2N kennt diese Seriennummer nicht: Prüfen Sie sie mit dem Kunden auf Tippfehler (Typenschild, Weboberfläche, Nachweis).' },
      },
      'already-added': {
        instructions: `Das Gerät muss zuerst aus dem alten My2N-Konto gelöscht werden. Zwei Wege:
- der Vorbesitzer (oder der Administrator des alten Kontos) löscht es, dann versucht es die Konsole erneut;
- niemand erreicht das alte Konto: einen neuen My2N-Sicherheitscode am Gerät erzeugen, es zurücksetzen und mit dem neuen Code hinzufügen.`,
      },
      'previous-owner': {
        instructions: 'Senden Sie dem Kunden die Nachricht unten, damit er sie an den Vorbesitzer weiterleitet. Sobald der Vorbesitzer die Löschung bestätigt, versuchen Sie My2N erneut.',
        template: {
          title: 'Nachricht an den Vorbesitzer',
          body: `Guten Tag,

die 2N-Sprechanlage mit der Seriennummer {{serial}} hat einen neuen Besitzer ({{ticket.customerName}}). Sie ist noch in Ihrem My2N-Konto registriert, daher kann der neue Besitzer sie nicht hinzufügen.

Bitte melden Sie sich bei My2N an (https://my2n.com), öffnen Sie den Standort mit diesem Gerät und löschen Sie das Gerät dort. Sonst ändert sich nichts an Ihrem Konto.

Vielen Dank.`,
        },
      },
      'new-code': {
        instructions: `In der Weboberfläche des Geräts (als admin anmelden):
- Alte Weboberfläche: System > Auto Provisioning > Generate New.
- Neue Weboberfläche: Integration > Autoprovisioning > My2N > neuen Sicherheitscode erzeugen.

Geben Sie den neuen Code unten ein. Er wird verschlüsselt gespeichert und nur maskiert angezeigt.`,
        warning: 'Sobald ein neuer Code erzeugt ist, gilt der alte My2N-Sicherheitscode nicht mehr (auch der auf dem Eigentumsnachweis gedruckte nicht).',
      },
      backup: {
        instructions: `Die Konsole lädt die Konfiguration über die 2N-HTTP-API von {{deviceAddress}} herunter, prüft, dass sie lesbar ist und die Seriennummer {{serial}} nennt, und speichert sie beim Ticket.

Ist das Gerät von hier nicht erreichbar, können Sie im nächsten Schritt die Datei anhängen, die der Kunde herunterlädt (Maintenance > Backup configuration > Download).`,
        help: { backupPassword: BACKUP_HELP },
      },
      'backup-upload': {
        instructions: 'Bitten Sie den Kunden, die Konfiguration herunterzuladen: alte Weboberfläche Maintenance > Backup configuration (optional ein Passwort für die Konfiguration setzen) > Download; neue Weboberfläche System > Maintenance > Backup. Hängen Sie die Datei hier an: Die Konsole prüft, dass sie lesbar ist und zu {{serial}} gehört.',
        help: { backupPassword: BACKUP_HELP },
      },
      reset: {
        instructions: `Die Konsole setzt das Gerät auf Werkseinstellungen zurück, einschließlich „Network Settings and Certificates“, wartet auf den Neustart, findet es wieder (die Adresse kann sich ändern) und meldet sich mit dem Standard admin / 2n an.

Ist das Gerät nicht im Labor, macht es der Kunde: alte Weboberfläche Maintenance > Reset Configuration + Network Settings and Certificates > Yes; neue Weboberfläche System > Maintenance > Reset to default > alles zurücksetzen.`,
        warning: 'Alles auf dem Gerät wird gelöscht, auch die Netzwerkeinstellungen: Es kann unter einer anderen Adresse zurückkommen.',
        confirm: 'Geben Sie die Seriennummer des Geräts ein, um den Werksreset zu bestätigen.',
        messages: { remote: 'Der Kunde setzt bei der ersten Anmeldung ein neues Passwort; erinnern Sie ihn daran, ein starkes zu wählen.' },
      },
      'find-device': {
        instructions: 'Nach einem Reset mit Netzwerkeinstellungen bezieht das Gerät meist eine Adresse per DHCP (oder seine Standardadresse). Finden Sie es (Suche, Lease-Liste des DHCP-Servers, 2N Network Scanner) und geben Sie die Adresse ein; die Konsole prüft, dass es {{serial}} im Werkszustand ist.',
      },
      password: {
        instructions: 'Die Konsole erzeugt ein starkes Passwort, setzt es am Gerät (unter {{deviceAddress}}) und prüft, dass das neue Passwort funktioniert und admin / 2n nicht mehr. Das Passwort wird nur einmal angezeigt: Geben Sie es dem Kunden über einen sicheren Weg (nicht im Ticket, nicht per unverschlüsselter E-Mail).',
        help: { currentPassword: 'Vor Ort hat vielleicht jemand nach dem Reset ein Passwort gesetzt. Leer lassen, um admin / 2n zu verwenden.' },
      },
      register: {
        instructions: 'Die Konsole fügt das Gerät {{serial}} mit dem neuen Sicherheitscode zum Standort {{site}} hinzu.',
        warning: 'Die automatische Bereitstellung von My2N kann wiederhergestellte Einstellungen überschreiben (Verzeichnis, Schalter, Tasten, SIP 2). Stellen Sie das Gerät vor lokalen Änderungen auf manuelle Bereitstellung um, oder stellen Sie erst wieder her, nachdem Sie geprüft haben, was My2N übertragen hat.',
      },
      'restore-offer': {
        instructions: 'Das Gerät läuft jetzt mit Werkseinstellungen. Möchte der Kunde die alte Konfiguration zurück, sehen Sie sich zuerst an, was sich ändern würde.',
      },
      'restore-review': {
        instructions: 'Die Konsole lädt die aktuelle Konfiguration herunter und listet jede Einstellung auf, die von der gespeicherten Sicherung abweicht.',
        help: { backupPassword: STORED_BACKUP_HELP },
      },
      restore: {
        instructions: 'Die Konsole lädt die gespeicherte Sicherung hoch; das Gerät übernimmt sie nach etwa 15 Sekunden. Währenddessen nicht zurücksetzen oder ausschalten. Das neue Passwort bleibt gültig.',
        warning: 'Wiederhergestellte Einstellungen können von der automatischen Bereitstellung von My2N überschrieben werden. Die Sicherung enthält auch die alten Netzwerkeinstellungen: Mit einer statischen Adresse kehrt das Gerät zu ihr zurück.',
        confirm: 'Geben Sie die Seriennummer ein, um die gespeicherte Konfiguration auf das Gerät zu laden.',
        help: { backupPassword: STORED_BACKUP_HELP },
      },
      'close-out': {
        instructions: `Sagen Sie dem Kunden:
- das Gerät ist jetzt in seinem My2N-Standort {{site}};
- das neue Admin-Passwort (falls die Konsole eines gesetzt hat) wurde über einen sicheren Weg übergeben — er soll es aufbewahren;
- die automatische Bereitstellung von My2N kann lokale Einstellungen überschreiben: vor lokalen Änderungen auf manuellen Modus umstellen.`,
      },
    },
    sentences: {
      'A verified backup of this device is required before a factory reset.': 'Vor einem Werksreset ist eine geprüfte Sicherung dieses Geräts nötig.',
      'New admin password of the device (shown once — give it to the customer through a safe channel)': 'Neues Admin-Passwort des Geräts (nur einmal angezeigt — geben Sie es dem Kunden über einen sicheren Weg)',
    },
  },
  'nvr-password-reset': {
    steps: {
      'qr-photo': {
        instructions: `Bitten Sie den Kunden, am NVR „Forgot Password“ zu öffnen und den QR-Code auf dem Bildschirm Retrieve Password zu fotografieren, OHNE diesen Bildschirm danach zu verlassen.

Fügen Sie das Foto im Reset-Bereich hinzu (auf das Ticket ziehen, einfügen, Datei wählen oder die .eml des Kunden ablegen). Dieser Schritt ist erledigt, sobald der QR-Code dekodiert ist.`,
        warning: 'Der QR-Code gilt einen Tag, und nur solange der Bildschirm Retrieve Password offen bleibt und der NVR nicht neu startet.',
      },
      ownership: {
        instructions: `Hersteller geben Codes nur an den Eigentümer heraus. Erfassen Sie im Reset-Bereich:
- ein Foto des Typenschilds (Seriennummer sichtbar, gleich {{serial}}),
- den Eigentumsnachweis oder einen Kaufbeleg,
- dass der Anfragende der registrierte Eigentümer ist (und die Freigabe eines zweiten Agenten, wenn die Einstellungen das verlangen).`,
      },
      code: {
        instructions: 'Holen Sie den Code im Reset-Bereich: vom Herstellerdienst, über die eingerichtete Hersteller-API oder abgetippt aus dem Werkzeug des Herstellers. Groß- und Kleinschreibung zählt; er wird verschlüsselt gespeichert.',
        messages: { 'new-qr': NEW_QR },
      },
      apply: {
        instructions: 'Im Labor geben Sie den Code aus dem Reset-Bereich am NVR ein. Sonst schreiben Sie im Reset-Bereich die Nachricht an den Kunden (Englisch oder Tschechisch): Sie enthält den buchstabierten Code, die Frist in der Zeitzone des Kunden und die Warnung, den Bildschirm Retrieve Password nicht zu verlassen.',
        messages: { 'new-qr': NEW_QR },
      },
      verify: {
        instructions: 'Im Labor setzt der Reset-Bereich das neue Passwort und prüft, dass die Anmeldung damit gelingt und das alte abgelehnt wird. Sonst erfassen Sie im Reset-Bereich, dass der Kunde bestätigt hat, dass das neue Passwort funktioniert.',
        messages: { 'new-qr': NEW_QR },
      },
    },
    sentences: {
      'Waiting for the customer’s photo of the QR.': 'Warten auf das Foto des QR-Codes vom Kunden.',
      'Waiting for a photo whose QR decodes (or the QR text selected by hand).': 'Warten auf ein Foto, dessen QR-Code sich dekodieren lässt (oder den von Hand gewählten QR-Text).',
      'Waiting for a photo of a new QR.': 'Warten auf ein Foto eines neuen QR-Codes.',
      'The QR is no longer valid.': 'Der QR-Code ist nicht mehr gültig.',
      'The QR has expired.': 'Der QR-Code ist abgelaufen.',
      'Waiting for the three ownership checks in the reset panel.': 'Warten auf die drei Eigentumsprüfungen im Reset-Bereich.',
      'Waiting for a second agent’s approval (reset panel).': 'Warten auf die Freigabe eines zweiten Agenten (Reset-Bereich).',
      'Waiting for the security code (reset panel).': 'Warten auf den Sicherheitscode (Reset-Bereich).',
      'Waiting for the code to be entered on the bench NVR or sent to the customer (reset panel).': 'Warten, bis der Code am NVR im Labor eingegeben oder an den Kunden gesendet ist (Reset-Bereich).',
      'Waiting for the new password to be verified: on the bench, or the customer’s confirmation recorded in the reset panel.': 'Warten auf die Prüfung des neuen Passworts: im Labor oder durch die im Reset-Bereich erfasste Bestätigung des Kunden.',
    },
  },
}
