// Czech for the procedures' long texts (instructions, warnings, field help, typed
// confirmations, message templates, outcome messages) and for the sentences a step shows
// while it waits or is blocked. Same format as the English in electron/workflows/procedures:
// blank lines separate paragraphs, "- " starts a list item, {{fact}} is filled in by the
// renderer from the values the main process sends with the step (CurrentStep.vars).
import type { ProcedureGuides } from './procedure-guide-types'

const BACKUP_HELP = 'Konzole pak zálohu uloží zašifrovanou tímto heslem; budete ho potřebovat k obnovení. Heslo se neukládá.'
const STORED_BACKUP_HELP = 'Jen pokud jste zálohu v kroku zálohování chránili heslem: zadejte to heslo, aby šla otevřít. Jinak nechte prázdné. Heslo se neukládá.'
const NEW_QR = 'Zákazník opustil obrazovku, NVR se restartoval nebo QR kód vypršel: je potřeba nová fotka.'

export const guidesCs: ProcedureGuides = {
  'my2n-move': {
    steps: {
      serial: {
        instructions: `Zeptejte se zákazníka na sériové číslo zařízení (formát NN-NNNN-NNNN, např. 54-0562-0293). Najde ho:
- na štítku na zadní straně většiny jednotek,
- ve webovém rozhraní zařízení (System > Info),
- na POTVRZENÍ O VLASTNICTVÍ (Certificate of Ownership), které je v krabici.

Místo číslic 0 a 1 se často píší písmena O a I; konzole na takové překlepy upozorní.`,
      },
      bench: {
        instructions: `Pokud je interkom v laboratoři nebo dostupný z tohoto počítače, zadejte jeho adresu: konzole přečte sériové číslo, které zařízení hlásí (bez přihlášení), a porovná ho s {{serial}}.

Adresu nechte prázdnou, když je zařízení jen u zákazníka; kroky, které ho potřebují, pak povedou zákazníka.`,
        messages: { mismatch: 'Zadané sériové číslo neodpovídá zařízení. Opravte ho (pravdu má zařízení, pokud nejde o jinou jednotku).' },
      },
      'my2n-check': {
        instructions: `Konzole požádá My2N o přidání zařízení {{serial}} do nové lokality zákazníka s bezpečnostním kódem z potvrzení o vlastnictví. My2N odpoví jedním z:
- přidáno: nic dalšího není potřeba,
- „The serial number does not exist“: v sériovém čísle je překlep,
- „The device is already added“: zařízení je stále v jiném účtu My2N,
- chybný bezpečnostní kód: kód byl od vytištění potvrzení vygenerován znovu.`,
        messages: { 'not-found': 'My2N toto sériové číslo nezná: zkontrolujte se zákazníkem překlepy (štítek, webové rozhraní, potvrzení).' },
      },
      'already-added': {
        instructions: `Zařízení je nejdřív potřeba smazat ze starého účtu My2N. Dvě cesty:
- předchozí vlastník (nebo správce starého účtu) ho smaže, konzole to pak zkusí znovu;
- ke starému účtu se nikdo nedostane: vygenerujte na zařízení nový bezpečnostní kód My2N, zařízení resetujte a přidejte s novým kódem.`,
      },
      'previous-owner': {
        instructions: 'Pošlete zákazníkovi zprávu níže, aby ji přeposlal předchozímu vlastníkovi. Až předchozí vlastník smazání potvrdí, zkuste My2N znovu.',
        template: {
          title: 'Zpráva pro předchozího vlastníka',
          body: `Dobrý den,

interkom 2N se sériovým číslem {{serial}} má nového vlastníka ({{ticket.customerName}}). Je stále registrován ve Vašem účtu My2N, a proto ho nový vlastník nemůže přidat.

Přihlaste se prosím do My2N (https://my2n.com), otevřete lokalitu, ve které zařízení je, a zařízení z ní smažte. Nic jiného se ve Vašem účtu nezmění.

Děkujeme.`,
        },
      },
      'new-code': {
        instructions: `Ve webovém rozhraní zařízení (přihlaste se jako admin):
- Staré webové rozhraní: System > Auto Provisioning > Generate New.
- Nové webové rozhraní: Integration > Autoprovisioning > My2N > vygenerovat nový bezpečnostní kód.

Nový kód zadejte níže. Uloží se zašifrovaný a zobrazuje se jen maskovaný.`,
        warning: 'Po vygenerování nového kódu přestává starý bezpečnostní kód My2N platit (i ten vytištěný na potvrzení o vlastnictví).',
      },
      backup: {
        instructions: `Konzole stáhne konfiguraci přes HTTP API 2N z {{deviceAddress}}, zkontroluje, že se dá přečíst a uvádí sériové číslo {{serial}}, a uloží ji k tiketu.

Když zařízení odsud není dostupné, další krok umožní přiložit soubor, který stáhne zákazník (Maintenance > Backup configuration > Download).`,
        help: { backupPassword: BACKUP_HELP },
      },
      'backup-upload': {
        instructions: 'Požádejte zákazníka o stažení konfigurace: staré webové rozhraní Maintenance > Backup configuration (případně nastavit heslo konfigurace) > Download; nové webové rozhraní System > Maintenance > Backup. Soubor přiložte sem: konzole zkontroluje, že se dá přečíst a patří k {{serial}}.',
        help: { backupPassword: BACKUP_HELP },
      },
      reset: {
        instructions: `Konzole vrátí zařízení do továrního nastavení včetně „Network Settings and Certificates“, počká na restart, znovu ho najde (adresa se může změnit) a přihlásí se výchozím admin / 2n.

Pokud zařízení není v laboratoři, udělá to zákazník: staré webové rozhraní Maintenance > Reset Configuration + Network Settings and Certificates > Yes; nové webové rozhraní System > Maintenance > Reset to default > resetovat vše.`,
        warning: 'Ze zařízení se smaže vše včetně nastavení sítě: může se vrátit na jiné adrese.',
        confirm: 'Pro potvrzení továrního resetu napište sériové číslo zařízení.',
        messages: { remote: 'Zákazník nastaví nové heslo při prvním přihlášení; připomeňte mu, ať zvolí silné.' },
      },
      'find-device': {
        instructions: 'Po resetu včetně nastavení sítě zařízení obvykle dostane adresu z DHCP (nebo výchozí). Najděte ho (vyhledávání, seznam zápůjček DHCP serveru, 2N Network Scanner) a zadejte adresu; konzole ověří, že jde o {{serial}} v továrním stavu.',
      },
      password: {
        instructions: 'Konzole vygeneruje silné heslo, nastaví ho na zařízení (na {{deviceAddress}}) a ověří, že nové heslo funguje a admin / 2n už ne. Heslo se zobrazí jen jednou: předejte ho zákazníkovi bezpečnou cestou (ne v tiketu, ne nešifrovaným e-mailem).',
        help: { currentPassword: 'Po resetu mohl někdo na místě nastavit heslo. Nechte prázdné pro admin / 2n.' },
      },
      register: {
        instructions: 'Konzole přidá zařízení {{serial}} do lokality {{site}} s novým bezpečnostním kódem.',
        warning: 'Automatické zřizování My2N může přepsat obnovená nastavení (adresář, spínače, tlačítka, SIP 2). Před místními změnami přepněte zařízení na ruční zřizování, nebo obnovujte až po kontrole toho, co My2N nahrál.',
      },
      'restore-offer': {
        instructions: 'Zařízení teď běží s továrním nastavením. Pokud zákazník chce zpět starou konfiguraci, nejdřív si prohlédněte, co by se změnilo.',
      },
      'restore-review': {
        instructions: 'Konzole stáhne aktuální konfiguraci a vypíše každé nastavení, které se liší od uložené zálohy.',
        help: { backupPassword: STORED_BACKUP_HELP },
      },
      restore: {
        instructions: 'Konzole nahraje uloženou zálohu; zařízení ji použije asi po 15 sekundách. Mezitím ho neresetujte ani nevypínejte. Nové heslo zůstává v platnosti.',
        warning: 'Obnovená nastavení může přepsat automatické zřizování My2N. Záloha obsahuje i staré nastavení sítě: se statickou adresou se zařízení na ni vrátí.',
        confirm: 'Pro nahrání uložené konfigurace do zařízení napište sériové číslo.',
        help: { backupPassword: STORED_BACKUP_HELP },
      },
      'close-out': {
        instructions: `Řekněte zákazníkovi:
- zařízení je teď v jeho lokalitě My2N {{site}};
- nové heslo admina (pokud ho konzole nastavila) dostal bezpečnou cestou — ať si ho uloží;
- automatické zřizování My2N může přepsat místní nastavení: před místními změnami přepnout na ruční režim.`,
      },
    },
    sentences: {
      'A verified backup of this device is required before a factory reset.': 'Před továrním resetem je potřeba ověřená záloha tohoto zařízení.',
      'New admin password of the device (shown once — give it to the customer through a safe channel)': 'Nové heslo admina zařízení (zobrazí se jednou — předejte ho zákazníkovi bezpečnou cestou)',
    },
  },
  'nvr-password-reset': {
    steps: {
      'qr-photo': {
        instructions: `Požádejte zákazníka, ať na NVR otevře „Forgot Password“ a vyfotí QR kód na obrazovce Retrieve Password, a tu obrazovku pak NEOPOUŠTÍ.

Fotku přidejte v panelu resetu (přetáhněte ji na tiket, vložte, vyberte soubor nebo přetáhněte zákazníkův .eml). Krok se dokončí, jakmile je QR kód dekódován.`,
        warning: 'QR kód platí jeden den, a jen dokud zůstane otevřená obrazovka Retrieve Password a NVR se nerestartuje.',
      },
      ownership: {
        instructions: `Výrobci vydávají kódy jen vlastníkovi. V panelu resetu zaznamenejte:
- fotku štítku zařízení (viditelné sériové číslo, shodné s {{serial}}),
- potvrzení o vlastnictví nebo doklad o koupi,
- že žadatel je registrovaný vlastník (a schválení druhým agentem, pokud to Nastavení vyžaduje).`,
      },
      code: {
        instructions: 'Kód získejte v panelu resetu: ze služby výrobce, z nastaveného API výrobce, nebo opsaný z nástroje výrobce. Rozlišuje velká a malá písmena a ukládá se zašifrovaný.',
        messages: { 'new-qr': NEW_QR },
      },
      apply: {
        instructions: 'V laboratoři zadejte kód do NVR z panelu resetu. Jinak v panelu resetu napište zákazníkovi zprávu (anglicky nebo česky): obsahuje kód vyhláskovaný, termín v časovém pásmu zákazníka a varování, ať neopouští obrazovku Retrieve Password.',
        messages: { 'new-qr': NEW_QR },
      },
      verify: {
        instructions: 'V laboratoři panel resetu nastaví nové heslo a ověří, že s ním jde přihlásit a staré je odmítnuto. Jinak v panelu resetu zaznamenejte, že zákazník potvrdil, že nové heslo funguje.',
        messages: { 'new-qr': NEW_QR },
      },
    },
    sentences: {
      'Waiting for the customer’s photo of the QR.': 'Čeká se na zákazníkovu fotku QR kódu.',
      'Waiting for a photo whose QR decodes (or the QR text selected by hand).': 'Čeká se na fotku, jejíž QR kód jde dekódovat (nebo na ručně vybraný text QR).',
      'Waiting for a photo of a new QR.': 'Čeká se na fotku nového QR kódu.',
      'The QR is no longer valid.': 'QR kód už neplatí.',
      'The QR has expired.': 'Platnost QR kódu vypršela.',
      'Waiting for the three ownership checks in the reset panel.': 'Čeká se na tři kontroly vlastnictví v panelu resetu.',
      'Waiting for a second agent’s approval (reset panel).': 'Čeká se na schválení druhým agentem (panel resetu).',
      'Waiting for the security code (reset panel).': 'Čeká se na bezpečnostní kód (panel resetu).',
      'Waiting for the code to be entered on the bench NVR or sent to the customer (reset panel).': 'Čeká se, až bude kód zadán do NVR v laboratoři nebo poslán zákazníkovi (panel resetu).',
      'Waiting for the new password to be verified: on the bench, or the customer’s confirmation recorded in the reset panel.': 'Čeká se na ověření nového hesla: v laboratoři, nebo zákazníkovým potvrzením zaznamenaným v panelu resetu.',
    },
  },
}
