// Every English string of the UI, in one place, ready for translation.
export const en = {
  app: { name: 'Support Console' },
  nav: { tickets: 'Tickets', devices: 'Devices', audit: 'Audit trail', settings: 'Settings' },
  common: {
    save: 'Save', cancel: 'Cancel', create: 'Create', edit: 'Edit', close: 'Close', loading: 'Loading…',
    retry: 'Retry', none: '—', shortcuts: 'Keyboard shortcuts',
  },
  theme: { light: 'Light theme', dark: 'Dark theme', toggle: 'Switch theme (T)' },
  status: { open: 'Open', waiting: 'Waiting on customer', resolved: 'Resolved', closed: 'Closed', active: 'Active', all: 'All' },
  procedure: { 'nvr-password-reset': 'NVR password reset (QR photo)', 'my2n-move': 'Move 2N intercom to another My2N account', other: 'Other' },
  tickets: {
    title: 'Tickets',
    new: 'New ticket',
    searchPlaceholder: 'Search tickets: customer, helpdesk ID, serial, notes…  ( / )',
    empty: 'No tickets yet. Press N to create the first one.',
    noMatch: 'No ticket matches “{q}”.',
    count: '{n} tickets',
    countAbout: 'about {n} tickets',
    countOne: '1 ticket',
    columns: { id: '#', ref: 'Helpdesk ID', customer: 'Customer', device: 'Device', procedure: 'Procedure', status: 'Status', updated: 'Updated' },
  },
  ticketForm: {
    externalRef: 'Helpdesk ticket ID', externalRefHint: 'e.g. ZD-48213',
    customerName: 'Customer name', contact: 'Contact (e-mail or phone)',
    deviceSerial: 'Device serial number', deviceModel: 'Device model', procedure: 'Procedure', notes: 'Notes',
  },
  ticket: {
    back: 'All tickets', created: 'Created {t}', updated: 'updated {t}',
    statusLabel: 'Status', setStatus: 'Set status',
    details: 'Details', notes: 'Notes', noNotes: 'No notes.',
    workflow: 'Guided workflow',
    workflowSoon: 'The guided procedure for this ticket will run here: each step, its evidence and its outcome.',
    evidence: 'Evidence', evidenceSoon: 'QR photos, label photos, certificates of ownership and configuration backups will be attached here.',
    audit: 'Audit trail', auditEmpty: 'No entries yet.',
    notFound: 'This ticket does not exist.',
  },
  devices: {
    title: 'Devices',
    soon: 'Device discovery and the device inventory come here: scan a chosen network interface (ONVIF, SSDP, mDNS, SADP and an HTTP sweep), see every intercom and NVR found with why others were not, and open a device to back up, reset or link it to a ticket.',
  },
  settings: {
    title: 'Settings',
    agent: 'Agent identity', agentHelp: 'Stamped on every audit entry. Set it once on this machine.',
    name: 'Your name', email: 'Your e-mail', saved: 'Saved.',
    about: 'About this console', dataDir: 'Data folder', database: 'Database', version: 'Version', host: 'Running as', schema: 'Schema version',
    hostElectron: 'Desktop app', hostBrowser: 'Browser mode (loopback host)',
    soon: 'Coming here: vendor services (reset-code providers, My2N), retention of photos and personal data, an optional PIN lock for shared bench PCs.',
  },
  agentBanner: { text: 'Who is working on this console? Your name is written into the audit trail of every action.', action: 'Set your name' },
  shortcuts: {
    title: 'Keyboard shortcuts',
    list: [
      ['N', 'New ticket'], ['/', 'Search tickets'], ['G then T', 'Go to tickets'], ['G then D', 'Go to devices'],
      ['G then S', 'Go to settings'], ['T', 'Switch light / dark theme'], ['Esc', 'Close a dialog'], ['?', 'Show this list'],
    ] as [string, string][],
  },
  audit: {
    title: 'Audit trail',
    intro: 'Every action taken in this console, in order, with who did it and what came of it. Entries are hash-chained: nobody can change or remove one without “Verify the trail” noticing.',
    filters: { ticket: 'Ticket #', device: 'Device', agent: 'Agent', action: 'Action', outcome: 'Outcome', from: 'From', to: 'To', any: 'Any', clear: 'Clear filters' },
    columns: { time: 'When', action: 'What happened', outcome: 'Result', ticket: 'Ticket', device: 'Device', agent: 'Agent', inputs: 'Details' },
    outcomes: { ok: 'Done', failed: 'Failed', refused: 'Refused', info: 'Note' },
    total: '{n} entries match', more: 'Show older entries', empty: 'No entries match these filters.',
    entry: 'Entry {n}', hash: 'Hash', prev: 'Follows',
    verify: 'Verify the trail', verifying: 'Verifying…',
    verifyOk: 'The trail is intact: {n} entries checked in {s} s, every evidence file matches its SHA-256.',
    verifyOkHead: 'Latest entry {seq}, hash {hash}',
    verifyBroken: 'The trail was changed outside the console.',
    verifyEvidence: '{n} evidence problem(s):',
    verifyHint: 'Keep this data folder as it is and tell your team lead: do not keep working in it.',
    exportPdf: 'Export PDF report', exportBundle: 'Export JSON bundle', exported: 'Saved {name}.',
    ticketMore: 'Open in the audit view',
    actions: {
      ticket: { create: 'Ticket opened', update: 'Ticket details edited', status: 'Ticket status changed' },
      evidence: { add: 'Evidence added', purge: 'Evidence purged (retention)', delete: 'Evidence deleted on purpose' },
      settings: { agent: 'Agent identity set', retention: 'Retention period changed' },
      lock: { setPin: 'Bench PIN set', changePin: 'Bench PIN changed', clearPin: 'Bench PIN removed', unlock: 'Console unlocked' },
      report: { export: 'Report exported' },
      audit: { verify: 'Audit trail verified' },
    },
  },
  evidence: {
    drop: 'Drop files here or', pick: 'choose files', kind: 'Type of evidence', adding: 'Adding {name}…',
    empty: 'No evidence yet.', added: 'Added {name}.', tooBig: '{name} is larger than {mb} MB and was not added.',
    view: 'View', download: 'Download', delete: 'Delete', deleteReason: 'Why is it deleted? (kept in the audit trail)',
    purged: 'Content purged {t}; hash kept', deleted: 'Deleted {t}; hash kept', byRef: 'Stored with the backups',
    kinds: { 'qr-photo': 'QR photo', 'label-photo': 'Label photo', 'ownership-certificate': 'Certificate of ownership', 'customer-statement': 'Customer statement', 'config-backup': 'Config backup', 'vendor-reply': 'Vendor reply', other: 'Other' },
    retention: 'Retention of personal data',
    retentionHelp: 'Photos, certificates, statements and vendor replies are purged this many days after they were added (0 = keep). The hashes stay in the audit trail. Config backups are kept until deleted on purpose.',
    retentionDays: 'Days to keep', retentionSaved: 'Retention set to {n} days.', purgeNow: 'Purge expired now', purgedN: '{n} item(s) purged.',
  },
  lock: {
    title: 'Console locked', text: 'This bench PC is shared. Enter the PIN to continue.', pin: 'PIN', unlock: 'Unlock',
    settings: 'Bench PIN lock', help: 'Optional. Locks the console after it is idle and on demand; the PIN is stored only as a hash.',
    newPin: 'New PIN (4–12 digits)', currentPin: 'Current PIN', idle: 'Lock after idle minutes', set: 'Set PIN', clear: 'Remove PIN', lockNow: 'Lock now',
    isSet: 'A PIN is set; the console locks after {n} idle minutes.', notSet: 'No PIN is set.',
  },
  workflow: {
    none: 'No guided procedure has been started on this ticket.', noneForProcedure: 'No guided procedure matches this ticket’s procedure. Change the procedure in Edit to start one.',
    start: 'Start', timeline: 'Steps of the procedure', details: 'Details', by: 'By {agent}',
    runStatus: { active: 'In progress', completed: 'Completed', abandoned: 'Abandoned' },
    state: { pending: 'Pending', current: 'Current step', done: 'Done', blocked: 'Blocked', skipped: 'Skipped', failed: 'Failed' },
    fact: { serial: 'Serial', deviceAddress: 'Device address', deviceModel: 'Model', firmware: 'Firmware', site: 'My2N site' },
    secret: { certificateCode: 'Certificate code', securityCode: 'New security code', devicePassword: 'Device password', newPassword: 'New password' },
    stored: 'stored encrypted (••••)', storedPlaceholder: '•••••••• (stored — type to replace)',
    optional: 'optional', choose: 'Choose…', attached: 'attached', verified: 'verified', protected: 'password-protected',
    run: 'Run', runDestructive: 'Run…', running: 'Working…', skip: 'Skip…', copy: 'Copy', copied: 'Copied',
    note: 'Note for this step', notePlaceholder: 'Note for this step (Ctrl+Enter to add)', addNote: 'Add note',
    confirmTitle: 'Confirm: {step}', confirmRun: 'Yes, do it',
    skipTitle: 'Skip: {step}', skipWhy: 'Why is this step skipped? (written to the audit trail)',
    revealTitle: 'Write this down now', revealOnce: 'It is shown only once and is not stored in readable form. Give it to the customer through a safe channel (not in the ticket, not in clear e-mail).', revealDone: 'I have passed it on safely',
    diff: { setting: 'Setting', saved: 'Saved backup', now: 'Device now' },
    completed: 'Procedure completed. Every step is in the audit trail.',
  },
  errors: { generic: 'Something went wrong.', field: 'Check the field “{field}”.' },
} as const

type Params = Record<string, string | number>

/** Looks up a dotted key ("tickets.count") and fills {placeholders}. */
export function t(key: string, params: Params = {}): string {
  let v: unknown = en
  for (const part of key.split('.')) v = (v as Record<string, unknown> | undefined)?.[part]
  if (typeof v !== 'string') return key
  return v.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`))
}
