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
