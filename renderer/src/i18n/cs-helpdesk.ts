// Czech texts of the helpdesk link, merged into cs.ts under "helpdesk" (as en-helpdesk.ts is into en.ts).
import type { Messages } from './en'

export const csHelpdesk: Messages['helpdesk'] = {
  title: 'Helpdesk',
  provider: { rt: 'Request Tracker', zendesk: 'Zendesk' },
  notLinked: 'Není propojeno s tiketem v helpdesku.',
  link: 'Propojit s tiketem v helpdesku…', import: 'Importovat z helpdesku…', importTitle: 'Propojit nebo importovat tiket z helpdesku',
  openList: 'Vaše otevřené tikety v helpdesku (vaše nebo nepřiřazené)', openLoading: 'Zjišťuji otevřené tikety v helpdesku…', openEmpty: 'Žádné otevřené tikety v helpdesku nejsou vaše ani nepřiřazené: vložte níže adresu nebo číslo.',
  alreadyLinked: 'už propojeno s tiketem #{id}', noSubject: '(bez předmětu)',
  refLabel: 'Adresa nebo číslo tiketu v helpdesku', refHint: 'Vložte adresu tiketu z helpdesku (nebo jeho číslo). Převezme se i jeho žadatel a přílohy.',
  importing: 'Načítám tiket z helpdesku…', imported: 'Propojeno s {provider} #{id}.', noProviders: 'Zatím není nastaven žádný helpdesk: přidejte ho v Nastavení → Helpdesk.',
  open: 'Otevřít v {provider}', requester: 'Žadatel', subject: 'Předmět',
  attachments: 'Přílohy v helpdesku', noAttachments: 'Tiket v helpdesku nemá žádné přílohy.',
  toIntake: 'Poslat do příjmu fotek (možnost 2)', toEvidence: 'Přidat do důkazů', taking: 'Načítám {name}…', taken: 'v důkazech jako č. {id}', takenNoEvidence: 'převzato',
  postReport: 'Vložit zprávu do helpdesku', reportQueued: 'Interní poznámka se zprávou a balíčkem čeká ve frontě na odeslání.',
  reply: 'Odpovědět zákazníkovi…', replyTitle: 'Veřejná odpověď zákazníkovi', replyLang: 'Jazyk', replyFromCode: 'Použít zprávu k resetu',
  replyText: 'Odpověď (zákazník ji uvidí)', preview: 'Náhled', confirmSend: 'Potvrdit a odeslat', back: 'Upravit',
  previewNote: 'Přesně toto zákazník dostane jako veřejnou odpověď v {provider} #{id}.', replyQueued: 'Odpověď čeká ve frontě na odeslání.',
  outbox: 'Fronta k odeslání', outboxEmpty: 'Nic nečeká na odeslání.', kind: { note: 'Interní poznámka', reply: 'Veřejná odpověď', status: 'Změna stavu' },
  followStatus: 'Stav v helpdesku se řídí tímto tiketem (čeká na zákazníka, vyřešeno)',
  status: { pending: 'čeká', sending: 'odesílá se (ověřuji)', sent: 'odesláno', failed: 'selhalo', cancelled: 'zrušeno' },
  attempts: '{n} pokus | {n} pokusy | {n} pokusu | {n} pokusů', nextAt: 'další pokus {t}', retry: 'Zkusit hned', cancel: 'Zrušit', cancelled: 'Položka fronty zrušena.', sync: 'Odeslat hned',
  settings: {
    title: 'Helpdesk', help: 'Helpdesk, ve kterém se tikety zpracovávají. Tokeny se ukládají šifrovaně a už se nikdy nezobrazí.',
    provider: 'Helpdesk', url: 'Adresa', user: 'Uživatel (Zendesk: e-mail operátora; RT: prázdné pro autentizační token)', token: 'Token API nebo heslo',
    save: 'Ověřit a uložit', saved: '{provider} je připojen.', configured: 'Nastaveno: {list}',
  },
}
