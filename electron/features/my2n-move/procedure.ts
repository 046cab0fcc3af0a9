// "Cannot add a device to My2N / move a device to a different My2N account" — the 2N FAQ
// (../shared/seeds/000_cda3e3531a11a0b9.txt, 2n-intercom.md §5.3) as a guided procedure.
// Pure data: the engine interprets it; actions are named, implemented in ../my2n-move/actions.ts.
import type { ProcedureDefInput } from '../workflows'
import { SERIAL_PLACES } from './serial'

const BACKUP_PASSWORD = {
  id: 'backupPassword', label: 'Protect the stored copy with a password', type: 'secret', required: false, transient: true,
  help: 'The console then keeps the backup encrypted with this password; you will need it to restore. It is not stored.',
} as const
/** Diff and restore open the copy made at the backup step: its password, not a new one. */
const STORED_BACKUP_PASSWORD = {
  id: 'backupPassword', label: 'Password of the stored backup', type: 'secret', required: false, transient: true,
  help: 'Only if you protected the backup with a password at the backup step: type that password to open it. Leave empty if you did not. It is not stored.',
} as const

/** What the agent reads above a secret shown once (ctx.reveal in ../my2n-move/actions.ts; translated with the steps). */
export const MY2N_REVEAL = {
  newPassword: 'New admin password of the device (shown once — give it to the customer through a safe channel)',
} as const

export const my2nMove: ProcedureDefInput = {
  id: 'my2n-move',
  version: 1,
  title: 'Move a 2N intercom to another My2N account',
  summary: 'Serial check, My2N check, new security code, backup, factory reset, new password, registration in the new site, optional restore.',
  ticketProcedure: 'my2n-move',
  start: 'serial',
  steps: [
    {
      id: 'serial', title: 'Serial number', kind: 'manual', action: 'my2n.checkSerial', skippable: false,
      instructions: `Ask the customer for the device's serial number (format NN-NNNN-NNNN, e.g. 54-0562-0293). It is found:
- on the label on the back of most units,
- in the web interface of the device (System > Info),
- on the CERTIFICATE OF OWNERSHIP included in the box.

Letters O and I are often typed instead of the digits 0 and 1; the console points such slips out.`,
      inputs: [
        { id: 'serial', label: 'Serial number', type: 'serial', prefill: 'serial|ticket.deviceSerial', placeholder: 'NN-NNNN-NNNN' },
        { id: 'foundAt', label: 'Where the customer read it', type: 'choice', options: SERIAL_PLACES, fact: 'serialFoundAt', prefill: 'serialFoundAt' },
      ],
      evidence: [{ id: 'label-photo', label: 'Photo of the label or certificate', required: false, accept: 'image/*,application/pdf', vault: 'label-photo' }],
      outcomes: { ok: { label: 'Serial recorded', next: 'bench' } },
    },
    {
      id: 'bench', title: 'Compare with the device', kind: 'auto', action: 'device.identify',
      instructions: `If the intercom is on the bench or reachable from this computer, enter its address: the console reads the serial the device reports (no login needed) and compares it with {{serial}}.

Leave the address empty when the device is only at the customer's site; the steps that need it will then guide the customer instead.`,
      inputs: [{ id: 'host', label: 'Device address (IP or IP:port)', type: 'address', required: false, prefill: 'deviceAddress', placeholder: '192.168.1.50' }],
      outcomes: {
        match: { label: 'Device reports the same serial', next: 'my2n-check' },
        remote: { label: 'Device not on the bench', next: 'my2n-check', tone: 'warn' },
        mismatch: { label: 'Device reports another serial', next: 'serial', tone: 'bad', message: 'The serial typed does not match the device. Correct it (the device is right unless it is the wrong unit).' },
      },
    },
    {
      id: 'my2n-check', title: 'Try adding it to My2N', kind: 'auto', action: 'my2n.add',
      instructions: `The console asks My2N to add device {{serial}} to the customer's new site with the security code from the Certificate of Ownership. My2N answers one of:
- added: nothing else is needed,
- "The serial number does not exist": the serial has a typo,
- "The device is already added": it is still in another My2N account,
- wrong security code: the code was regenerated since the certificate was printed.`,
      inputs: [
        { id: 'site', label: 'New My2N site (ID or name)', type: 'text', fact: 'site', prefill: 'site' },
        { id: 'certificateCode', label: 'Security code from the Certificate of Ownership', type: 'secret', required: false },
      ],
      outcomes: {
        added: { label: 'Added to the new site', next: 'close-out' },
        'not-found': { label: 'The serial number does not exist', next: 'serial', tone: 'bad', message: 'My2N does not know this serial: check it for typos with the customer (label, web interface, certificate).' },
        'already-added': { label: 'The device is already added', next: 'already-added', tone: 'warn' },
        'wrong-code': { label: 'Security code not valid', next: 'new-code', tone: 'warn' },
      },
    },
    {
      id: 'already-added', title: 'Device is in another My2N account', kind: 'decision',
      instructions: `The device must first be deleted from the old My2N account. Two ways:
- the previous owner (or the old account's administrator) deletes it, then the console tries again;
- nobody can reach the old account: generate a new My2N security code on the device, reset it and add it with the new code.`,
      outcomes: {
        'previous-owner': { label: 'Ask the previous owner to delete it', next: 'previous-owner' },
        'new-code': { label: 'Generate a new security code', next: 'new-code' },
      },
    },
    {
      id: 'previous-owner', title: 'Previous owner deletes the device', kind: 'manual',
      instructions: 'Send the message below to the customer so they can forward it to the previous owner. When the previous owner confirms the deletion, try My2N again.',
      template: {
        title: 'Message for the previous owner',
        body: `Hello,

the 2N intercom with serial number {{serial}} has a new owner ({{ticket.customerName}}). It is still registered in your My2N account, which prevents the new owner from adding it.

Please sign in to My2N (https://my2n.com), open the site that contains this device and delete the device from it. Nothing else changes in your account.

Thank you.`,
      },
      outcomes: {
        deleted: { label: 'Previous owner deleted it — try again', next: 'my2n-check' },
        'no-answer': { label: 'No answer — use a new security code', next: 'new-code', tone: 'warn' },
      },
    },
    {
      id: 'new-code', title: 'Generate a new My2N security code', kind: 'manual', action: 'my2n.recordCode',
      instructions: `On the device's web interface (log in as admin):
- Old web interface: System > Auto Provisioning > Generate New.
- New web interface: Integration > Autoprovisioning > My2N > generate a new security code.

Type the new code below. It is stored encrypted and only shown masked.`,
      warning: 'The old My2N security code is no longer valid once a new one is generated (including the one printed on the Certificate of Ownership).',
      inputs: [
        { id: 'securityCode', label: 'New My2N security code', type: 'secret' },
        { id: 'oldCodeInvalid', label: 'I told the customer the old code (and the certificate) is no longer valid', type: 'checkbox' },
      ],
      outcomes: { ok: { label: 'New code recorded', next: 'backup' } },
    },
    {
      id: 'backup', title: 'Back up the configuration', kind: 'auto', action: 'device.backup',
      instructions: `The console downloads the configuration over the 2N HTTP API from {{deviceAddress}}, checks that it parses and names serial {{serial}}, and stores it with the ticket.

When the device is not reachable from here, the next step lets you attach the file the customer downloads (Maintenance > Backup configuration > Download).`,
      inputs: [
        { id: 'username', label: 'Device user', type: 'text', prefill: 'deviceUser', placeholder: 'admin', fact: 'deviceUser' },
        { id: 'devicePassword', label: 'Device password', type: 'secret', required: false },
        BACKUP_PASSWORD,
      ],
      outcomes: {
        verified: { label: 'Backup stored and verified', next: 'reset' },
        manual: { label: 'Device not reachable — attach the file', next: 'backup-upload', tone: 'warn' },
      },
    },
    {
      id: 'backup-upload', title: 'Attach the downloaded backup', kind: 'manual', action: 'backup.verifyUpload',
      instructions: `Ask the customer to download the configuration: old web interface Maintenance > Backup configuration (optionally set a password for the configuration) > Download; new web interface System > Maintenance > Backup. Attach the file here: the console checks that it parses and belongs to {{serial}}.`,
      evidence: [{ id: 'backup', label: 'Configuration backup file', accept: '.xml,.cfg,application/xml,text/xml', vault: 'config-backup' }],
      inputs: [BACKUP_PASSWORD],
      outcomes: { ok: { label: 'Backup verified', next: 'reset' } },
    },
    {
      id: 'reset', title: 'Factory reset (with network settings and certificates)', kind: 'auto', action: 'device.factoryReset', destructive: true,
      requires: [{ fact: 'backupVerified', message: 'A verified backup of this device is required before a factory reset.' }],
      confirm: { fact: 'serial', prompt: 'Type the serial number of the device to confirm the factory reset.' },
      instructions: `The console resets the device to factory defaults including "Network Settings and Certificates", waits for it to restart, finds it again (its address may change) and logs in with the default admin / 2n.

If the device is not on the bench, the customer does it instead: old web interface Maintenance > Reset Configuration + Network Settings and Certificates > Yes; new web interface System > Maintenance > Reset to default > reset everything.`,
      warning: 'Everything on the device is erased, including its network settings: it may come back at another address.',
      outcomes: {
        reset: { label: 'Reset done, device found again with admin / 2n', next: 'password' },
        lost: { label: 'Device did not come back where expected', next: 'find-device', tone: 'warn' },
        remote: { label: 'Customer reset the device', next: 'register', tone: 'warn', message: 'The customer sets a new password at the first login; remind them to choose a strong one.' },
      },
    },
    {
      id: 'find-device', title: 'Find the device again', kind: 'manual', action: 'device.relocate',
      instructions: 'After a reset with network settings the device usually takes an address from DHCP (or its default). Find it (discovery, the DHCP server\'s lease list, 2N Network Scanner) and enter the address; the console checks that it is {{serial}} in factory state.',
      inputs: [{ id: 'host', label: 'New device address', type: 'address', placeholder: '192.168.1.51' }],
      outcomes: { ok: { label: 'Device found', next: 'password' } },
    },
    {
      id: 'password', title: 'Set a new strong password', kind: 'auto', action: 'device.newPassword',
      inputs: [{ id: 'currentPassword', label: 'Current admin password — only if admin / 2n no longer works', type: 'secret', required: false, transient: true, help: 'Someone at the site may have set a password after the reset. Leave empty to use admin / 2n.' }],
      instructions: 'The console generates a strong password, sets it on the device (at {{deviceAddress}}), then checks that the new password works and that admin / 2n no longer does. The password is shown once: give it to the customer through a safe channel (not in the ticket, not by e-mail in clear).',
      outcomes: { set: { label: 'New password set and verified', next: 'register' } },
    },
    {
      id: 'register', title: 'Register in the new My2N site', kind: 'auto', action: 'my2n.register',
      instructions: 'The console adds device {{serial}} to site {{site}} with the new security code.',
      warning: 'My2N auto-provisioning may overwrite restored settings (directory, switches, buttons, SIP 2). Switch the device to manual provisioning before local changes, or restore after checking what My2N pushed.',
      inputs: [{ id: 'site', label: 'New My2N site (ID or name)', type: 'text', fact: 'site', prefill: 'site' }],
      outcomes: {
        added: { label: 'Registered in the new site', next: 'restore-offer' },
        'already-added': { label: 'Still in another account', next: 'already-added', tone: 'bad' },
        'wrong-code': { label: 'Security code not valid', next: 'new-code', tone: 'bad' },
        'not-found': { label: 'Serial number does not exist', next: 'serial', tone: 'bad' },
      },
    },
    {
      id: 'restore-offer', title: 'Restore the saved configuration?', kind: 'decision',
      instructions: 'The device now runs with factory settings. If the customer wants the old configuration back, first review what would change.',
      outcomes: {
        review: { label: 'Review the differences', next: 'restore-review' },
        keep: { label: 'Keep factory settings', next: 'close-out' },
      },
    },
    {
      id: 'restore-review', title: 'Differences: saved backup vs device now', kind: 'auto', action: 'backup.diff',
      instructions: 'The console downloads the current configuration and lists every setting that differs from the saved backup.',
      inputs: [STORED_BACKUP_PASSWORD],
      outcomes: { ready: { label: 'Differences listed', next: 'restore' } },
    },
    {
      id: 'restore', title: 'Restore the saved configuration', kind: 'auto', action: 'device.restore', destructive: true,
      confirm: { fact: 'serial', prompt: 'Type the serial number to upload the saved configuration to the device.' },
      instructions: 'The console uploads the saved backup; the device applies it after about 15 seconds. Do not reset or power it off meanwhile. The new password stays in force.',
      warning: 'Restored settings may be overwritten by My2N auto-provisioning. The backup also holds the old network settings: with a static address the device moves back to it.',
      inputs: [STORED_BACKUP_PASSWORD],
      outcomes: { restored: { label: 'Configuration restored', next: 'close-out' } },
    },
    {
      id: 'close-out', title: 'Close out with the customer', kind: 'manual',
      instructions: `Tell the customer:
- the device is now in their My2N site {{site}};
- the new admin password (if the console set one) was given through a safe channel — ask them to store it;
- My2N auto-provisioning may overwrite local settings: switch to manual mode before local changes.`,
      inputs: [{ id: 'customerInformed', label: 'Customer informed', type: 'checkbox' }],
      outcomes: { ok: { label: 'Done', next: 'end' } },
    },
  ],
}
