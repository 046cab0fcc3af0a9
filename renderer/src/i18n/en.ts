// Every English string of the UI, in one place, ready for translation.
import { fill, type Params } from './compile'
import { enHelpdesk } from './en-helpdesk'
export const en = {
  app: { name: 'Support Console' },
  nav: { main: 'Main', tickets: 'Tickets', devices: 'Devices', audit: 'Audit trail', settings: 'Settings' },
  common: {
    save: 'Save', cancel: 'Cancel', create: 'Create', edit: 'Edit', close: 'Close', loading: 'Loading…',
    justNow: 'just now', retry: 'Retry', none: '—', shortcuts: 'Keyboard shortcuts', dismiss: 'Dismiss',
    fileUnreadable: 'The file could not be read.',
    fileEmpty: 'The file is empty (0 bytes); the photo did not arrive. Ask the customer to send it again.',
    copyFailed: 'The text could not be copied; select it and press Ctrl+C.',
    unreachable: 'The console host is not running or not reachable.', unreachableHint: 'Start it again with npm start and reload this page.',
  },
  theme: { light: 'Light theme', dark: 'Dark theme', toggle: 'Switch theme (T)' },
  status: { open: 'Open', waiting: 'Waiting on customer', resolved: 'Resolved', closed: 'Closed', active: 'Active', all: 'All' },
  procedure: { 'nvr-password-reset': 'NVR password reset (QR photo)', 'my2n-move': 'Move 2N intercom to another My2N account', other: 'Other' },
  tickets: {
    title: 'Tickets', statusFilter: 'Status filter',
    new: 'New ticket',
    searchPlaceholder: 'Search tickets: customer, helpdesk ID, serial, notes…  ( / )',
    empty: 'No tickets yet. Press N to create the first one.',
    noMatch: 'No ticket matches “{q}”.',
    count: '{n} ticket | {n} tickets',
    countAbout: 'about {n} ticket | about {n} tickets',
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
    evidence: 'Evidence',
    audit: 'Audit trail', auditEmpty: 'No entries yet.',
    notFound: 'This ticket does not exist.',
  },
  devices: {
    title: 'Devices',
    scan: 'Find devices', ifaces: 'Network interfaces', ifacesHelp: 'Probes go out on the chosen interfaces only.',
    cidr: 'Also sweep network (optional)', cidrHint: 'e.g. 192.168.1.0/24, at most a /20', timeout: 'Time limit (s)',
    start: 'Scan', cancel: 'Stop', scanning: 'Scanning… {done}/{total} · {found} found · {s} s', finished: '{found} found in {s} s', cancelled: 'Stopped: {found} found in {s} s',
    noIface: 'Choose at least one interface.',
    results: 'Found in this scan', resultsEmpty: 'Nothing found yet.', why: 'Why some devices may be missing', whyEmpty: 'No notes.',
    inventory: 'Inventory', inventoryHelp: 'Every device ever seen on this console, usable offline.', inventoryEmpty: 'No devices yet: scan a network or add one by address.',
    search: 'Search serial, MAC, model, address…',
    columns: { kind: 'Kind', serial: 'Serial', model: 'Model', ip: 'Address', firmware: 'Firmware', via: 'Found by', seen: 'Last seen', tickets: 'Tickets' },
    needsLogin: 'needs login', otherSubnet: 'other subnet', open: 'Open', addWithLogin: 'Add with login',
    kind: { intercom: '2N intercom', nvr: 'NVR', camera: 'ONVIF device', unknown: 'Unknown' },
    add: 'Add by address', address: 'IPv4 address', port: 'Port (optional)', iface: 'Interface', anyIface: 'by routing',
    user: 'User name', password: 'Password', addButton: 'Probe and add', added: 'Added {serial}.', notAdded: 'Nothing was added.',
    back: 'All devices', identity: 'Identity', mac: 'MAC', vendor: 'Vendor', name: 'Name', firstSeen: 'First seen', lastSeen: 'Last seen',
    pin: 'HTTPS certificate', noPin: 'not pinned yet', addresses: 'Address history', firmwareHistory: 'Firmware history', firmwareNone: 'No firmware version read yet (Read identity, with a login if the device needs one).',
    backups: 'Configuration backups', backupsEmpty: 'No backups yet.', verified: 'verified', notVerified: 'NOT verified',
    verifiedOpaque: 'opaque, checked only as a non-error export of {size} bytes from serial {serial} read live', opaqueShort: 'opaque (not parsed)',
    opaqueHelp: 'NVR exports are encrypted by the device and cannot be opened by the console: "opaque" means the device sent a non-error export of that size while it reported that serial, nothing more. Restore, factory reset and set password still require such a backup.',
    audit: 'History', auditEmpty: 'No actions yet.',
    credentials: 'Login', credentialsSet: 'Stored (encrypted) for {user}.', credentialsNone: 'No login stored.', saveCredentials: 'Save login',
    tickets: 'Tickets', link: 'Link to ticket', unlink: 'Unlink', chooseTicket: 'Choose a ticket…', noTickets: 'Not linked to a ticket.',
    ops: 'Operations', opTicket: 'Ticket for this work', opTicketNeeded: 'Choose the ticket first: backups and destructive operations belong to a ticket.',
    info: 'Read identity', status: 'Status', backup: 'Back up configuration', restore: 'Restore…', reboot: 'Restart', factoryReset: 'Factory reset…', setPassword: 'Set password…',
    destructiveHelp: 'Restore, factory reset and set password need a verified backup of this device taken in the chosen ticket and the serial typed to confirm.',
    confirmTitle: 'Confirm: {op}', confirmText: 'Type the serial number of this device ({serial}) to confirm.', confirmLabel: 'Serial number', confirmButton: 'Run {op}',
    keepNetwork: 'Keep network settings (otherwise the device may come back on another address)',
    backupToRestore: 'Backup to restore', currentPassword: 'Current password', newPassword: 'New password', username: 'User',
    trust: 'Accept the new certificate', trustHelp: 'The device presented another HTTPS certificate. Accept it only if you know why it changed.',
    running: 'Running…', ticketShort: 'ticket',
    diagKind: {
      'other-subnet': 'other subnet', 'needs-credentials': 'needs login', 'onvif-disabled': 'ONVIF off', 'no-answer': 'no answer', 'port-closed': 'port closed',
      blocked: 'blocked', garbage: 'bad reply', timeout: 'timed out', reset: 'connection reset', interface: 'interface', error: 'error',
    },
    rediscover: 'Find it again', foundAt: 'Found again at {ip}.', notFoundAgain: 'Not found before the time limit: check it is powered and on this network, then scan.',
  },
  settings: {
    title: 'Settings',
    agent: 'Agent identity', agentHelp: 'Stamped on every audit entry. Set it once on this machine.',
    name: 'Your name', email: 'Your e-mail', saved: 'Saved.',
    about: 'About this console', dataDir: 'Data folder', database: 'Database', version: 'Version', host: 'Running as', schema: 'Schema version',
    hostElectron: 'Desktop app', hostBrowser: 'Browser mode (loopback host)',
    secrets: 'Stored secrets', secretsElectron: 'Device passwords, codes and API keys are encrypted with the operating system’s key store; never shown again, never logged.',
    secretsBrowser: 'Device passwords, codes and API keys are encrypted with a key file in the data folder that only your user account can read; never shown again, never logged.',
    discovery: {
      title: 'Device discovery', help: 'Scans send probes only on the interfaces ticked here (also on the Devices screen). The choice is remembered on this PC.',
      noIfaces: 'This PC has no network interface with an IPv4 address.', chosen: 'Scans use: {list}.', none: 'No interface chosen: scans ask for one first.',
      saved: 'Discovery choice saved on this PC.', open: 'Open Devices',
    },
    language: {
      title: 'Language', label: 'Language of the console',
      help: 'It follows the operating system until you choose one here; the choice is kept on this PC. Messages to customers have their own language, chosen on each ticket.',
      auto: 'As the operating system ({lang})', saved: 'Language: {lang}.',
    },
    diagnostics: {
      title: 'Diagnostics',
      help: 'When the console misbehaves, export one zip for the people who support it: recent logs, versions, settings without secrets, database and audit checks, the last discovery notes and disk space. No photos, passwords, codes or tokens.',
      export: 'Export diagnostics', exporting: 'Collecting…', exported: 'Saved {name} ({kb} KB).',
    },
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
    total: '{n} entry matches | {n} entries match', more: 'Show older entries', empty: 'No entries match these filters.',
    entry: 'Entry {n}', hash: 'Hash', prev: 'Follows',
    by: 'by {agent}', masked: '•••••• (secret, not stored)',
    verify: 'Verify the trail', verifying: 'Verifying…',
    verifyOk: 'The trail is intact: {n} entries checked in {s} s, every evidence file matches its SHA-256.',
    verifyOkHead: 'Latest entry {seq}, hash {hash}',
    verifyBroken: 'The trail was changed outside the console.',
    verifyEvidence: '{n} evidence problem: | {n} evidence problems:',
    verifyBreakAt: 'At entry {seq}: {kind}.',
    breakKinds: {
      altered: 'an entry was altered', deleted: 'entries were deleted', reordered: 'entries were reordered', inserted: 'an entry was inserted',
      relinked: 'the chain was rewritten', truncated: 'the newest entries were cut off the trail', rewritten: 'the trail was rewritten or replaced',
    },
    verifyRecords: '{n} record exists without the audit entry that created it: | {n} records exist without the audit entry that created them:',
    verifyHeadFile: 'Head kept outside the database: {message}',
    verifyOkRecords: '{n} tickets, evidence items, workflow steps, backups and codes each have the entry that created them.',
    verifyHint: 'Keep this data folder as it is and tell your team lead: do not keep working in it.',
    exportPdf: 'Export PDF report', exportBundle: 'Export JSON bundle', exported: 'Saved {name}.',
    ticketMore: 'Open in the audit view',
    stepDone: 'Step: {step}',
    actions: {
      ticket: { create: 'Ticket opened', update: 'Ticket details edited', status: 'Ticket status changed' },
      evidence: { add: 'Evidence added', purge: 'Evidence purged (retention)', delete: 'Evidence deleted on purpose' },
      settings: { agent: 'Agent identity set', retention: 'Retention period changed' },
      lock: { setPin: 'Bench PIN set', changePin: 'Bench PIN changed', clearPin: 'Bench PIN removed', unlock: 'Console unlocked' },
      report: { export: 'Report exported' },
      audit: { verify: 'Audit trail verified' },
      devices: {
        scan: 'Network scanned', addByAddress: 'Device added by address', checkLogin: 'Login checked', setCredentials: 'Device login stored', trustCertificate: 'New device certificate accepted',
        info: 'Identity read', status: 'Status read', backup: 'Configuration backed up', restore: 'Configuration restored', reboot: 'Device restarted',
        factoryReset: 'Factory reset', setPassword: 'Device password set', rediscovered: 'Device found again',
      },
      my2n: { configure: 'My2N account configured' },
      nvrReset: {
        photo: 'QR photo received', photoPurge: 'QR photo purged', decodeRegion: 'QR decoded from a selection', payload: 'QR chosen', update: 'Reset details updated',
        invalidate: 'QR reported invalid', ownershipCheck: 'Ownership check recorded', approve: 'Release approved', approver: { add: 'Approver enrolled', remove: 'Approver removed' },
        code: { request: 'Code requested', issued: 'Code issued', shown: 'Code shown' }, message: 'Customer message written', apply: 'Code entered on the NVR', verify: 'Reset verified', settings: 'Reset-code services changed',
      },
      workflow: { start: 'Procedure started', complete: 'Procedure completed', abandon: 'Procedure abandoned', attach: 'File attached to a step', note: 'Note added to a step', reveal: 'Generated password shown again' },
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
    retentionDays: 'Days to keep', retentionSaved: 'Retention set to {n} day. | Retention set to {n} days.', purgeNow: 'Purge expired now', purgedN: '{n} item purged. | {n} items purged.',
  },
  lock: {
    title: 'Console locked', text: 'This bench PC is shared. Enter the PIN to continue.', pin: 'PIN', unlock: 'Unlock',
    settings: 'Bench PIN lock', help: 'Optional. Locks the console after it is idle and on demand; the PIN is stored only as a hash.',
    newPin: 'New PIN (6–12 digits)', currentPin: 'Current PIN', idle: 'Lock after idle minutes', set: 'Set PIN', clear: 'Remove PIN', lockNow: 'Lock now',
    isSet: 'A PIN is set; the console locks after {n} idle minute. | A PIN is set; the console locks after {n} idle minutes.', notSet: 'No PIN is set.',
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
    otherAttachment: 'Other attachment', otherHelp: 'Any file that belongs to this step (a screenshot the customer sent, a photo from the site); kept with the ticket’s evidence.',
    run: 'Run', runDestructive: 'Run…', running: 'Working…', skip: 'Skip…', copy: 'Copy', copied: 'Copied',
    note: 'Note for this step', notePlaceholder: 'Note for this step (Ctrl+Enter to add)', addNote: 'Add note',
    confirmTitle: 'Confirm: {step}', confirmRun: 'Yes, do it',
    skipTitle: 'Skip: {step}', skipWhy: 'Why is this step skipped? (written to the audit trail)',
    revealTitle: 'Write this down now', revealOnce: 'It is shown once and kept only encrypted. If this showing is lost, it can be shown again with a reason (recorded in the audit trail). Give it to the customer through a safe channel (not in the ticket, not in clear e-mail).', revealDone: 'I have passed it on safely',
    revealAgain: 'Show the generated password again…', revealAgainTitle: 'Show it again', revealAgainWhy: 'Why is it needed again? (recorded in the audit trail)', revealAgainShow: 'Show',
    diff: { setting: 'Setting', saved: 'Saved backup', now: 'Device now' },
    completed: 'Procedure completed. Every step is in the audit trail.',
    my2n: {
      title: 'My2N', help: 'The account the 2N move workflow uses to add devices to a customer’s site. The key is stored encrypted and never shown again.',
      provider: 'Service', url: 'API address', key: 'API key', kind: { partner: 'My2N Partner API', lab: 'Lab simulator (127.x)' },
      configured: 'In use: {kind} at {url}.', notConfigured: 'Not configured: the My2N steps of the move workflow stop and point here until it is.', fromEnv: '(set by the environment; it overrides this form)',
    },
    earlier: { title: 'Earlier runs on this ticket ({n})', run: 'Run #{id} · {title}', started: 'started {t}', ended: 'ended {t}', lastStep: 'Last step: {step} — {outcome}', stoppedAt: 'Stopped at: {step}' },
    abandon: 'Abandon…', abandonTitle: 'Abandon this run', abandonWhy: 'Why is the procedure stopped? (written to the audit trail)', startAgain: 'Start again',
  },
  nvrReset: {
    title: 'NVR password reset (QR photo)',
    stage: { photo: 'Waiting for the QR photo', payload: 'Choose the QR', ownership: 'Verify ownership', approval: 'Second-agent approval', code: 'Get the security code', apply: 'Send the code / apply it', done: 'Reset verified', blocked: 'Stopped' },
    intake: {
      drop: 'Drop the customer’s photo or .eml anywhere on this ticket, paste it (Ctrl+V), or', pick: 'choose files…',
      accepts: 'JPEG, PNG, WebP, HEIC, or an e-mail (.eml) with the photos attached.', dropHere: 'Drop to add to this ticket',
      working: 'Checking and decoding {n} file… | Checking and decoding {n} files…', added: 'Added', duplicate: 'Already here', refused: 'Refused',
    },
    photos: 'Photos', noPhotos: 'No photo yet.',
    photo: {
      received: 'received {t}', captured: 'taken {t}', noCapture: 'no capture time', size: '{w} × {h} px, {kb} KB',
      found: 'QR found in {ms} ms ({s})', none: 'No QR code found', pending: 'Decoding…', failed: 'Decoding failed',
      use: 'Use this code', inUse: 'in use', raw: 'Unknown format: shown as received',
      kind: { reset: 'reset code', unknown: 'unknown format', other: 'not a reset code' },
    },
    assist: {
      title: 'Find the code by hand', help: 'Drag a rectangle around the QR code on the photo (or focus the photo: Enter selects the middle, arrows move, Shift+arrows resize), turn it if needed, then decode that part.',
      rotate: 'Turn 90°', rotation: 'turned {deg}°', decode: 'Decode selection', whole: 'Select the middle', clear: 'Clear selection',
      none: 'No code in the selection either. Send the customer the photo tips.', found: 'Code found in the selection.', selection: 'Selection: {w} × {h} px at {x}, {y}',
    },
    retake: 'Message: how to take a better photo',
    qrText: 'The customer sent the QR’s text instead of a photo? Paste it here',
    payload: 'QR content', format: 'Format', serial: 'Serial', mac: 'MAC', model: 'Model', nonce: 'Nonce', issued: 'Issued (NVR clock)',
    serialMismatch: 'The serial in the QR differs from the ticket’s serial ({serial}).', serialMatch: 'matches the ticket',
    problems: 'Problems with this QR',
    rawHelp: 'No parser knows this format. Copy the text into the vendor’s tool, then enter the code it gives by hand.',
    validity: 'Validity', expires: 'Code deadline', remaining: '{d} left', expired: 'Expired {d} ago', unknownValidity: 'The QR gives no issue time: ask the vendor how long it is valid.',
    state: { valid: 'Valid', expiring: 'Expiring soon', expired: 'Expired', invalidated: 'No longer valid', unknown: 'Unknown' },
    deadlineFor: 'Deadline for the customer', tz: 'Customer’s time zone', deviceTime: 'NVR clock shows now (optional)', deviceTimeHelp: 'Ask the customer to read the NVR clock (taken as their time zone above); the console corrects the deadline for a wrong clock.', setDeviceTime: 'Save NVR time',
    warnings: 'Clock and photo checks',
    invalidators: 'What makes the code useless',
    markInvalid: 'Customer reports…', invalid: { 'left-screen': 'Left the Retrieve Password screen', reboot: 'The NVR restarted', 'new-qr': 'A new QR is shown', 'code-limit': 'Both codes used' },
    ownership: 'Ownership checks', ownershipHelp: 'Vendors release codes only to the owner. Record each check with its evidence; all three must pass.',
    check: { 'label-photo': 'Photo of the device label (serial visible)', 'ownership-document': 'Certificate of Ownership or proof of purchase', 'requester-is-owner': 'Requester is the registered owner' },
    checkNote: 'Note (what was compared)', checkFile: 'Evidence file', pass: 'Record as passed', failCheck: 'Record as failed', passed: 'passed', failed: 'failed', notDone: 'not recorded',
    approval: 'Second-agent approval', approvalHelp: 'Settings require a second agent to approve each code release: the approver chooses their name and types their own PIN.', approver: 'Approving agent', approverPin: 'Approver’s PIN', chooseApprover: 'Choose the approver', noApprovers: 'Nobody is enrolled to approve. Enrol second agents in Settings → Second agents for code releases.', approve: 'Approve release', approvedBy: 'Approved by {who}',
    approvers: {
      title: 'Second agents for code releases', help: 'Colleagues who may approve an NVR code release when Settings require it. Each types their own PIN here; only a hash is kept.',
      none: 'Nobody is enrolled yet.', name: 'Name', email: 'E-mail', pin: 'Their PIN (6–12 digits)', add: 'Enrol approver', added: '{who} can now approve code releases.',
      sponsor: 'Vouched for by (an enrolled approver)', sponsorPin: 'That approver’s PIN', sponsorHelp: 'A new approver is enrolled only with an approver already enrolled typing their own PIN, so that nobody can make up a second agent alone.',
      addedBy: 'enrolled by {who}', remove: 'Remove {who}', removeShort: 'Remove',
    },
    code: 'Security code', provider: { lab: 'Lab vendor service', http: 'Vendor API', manual: 'Typed from the vendor’s tool' },
    request: 'Get code', codeWaiting: 'A code can be requested once the QR is valid and ownership (and approval, when required) is recorded.', manualCode: 'Code from the vendor (case sensitive)', notConfigured: 'not configured in Settings',
    spell: { upper: 'capital {c}', lower: 'lower-case {c}', digit: 'digit {c}', symbol: 'symbol {c}', digits: 'zero one two three four five six seven eight nine' },
    codes: 'Codes', codeStatus: { issued: 'ready', accepted: 'accepted by the NVR', rejected: 'refused by the NVR', void: 'void' },
    reveal: 'Show code', copy: 'Copy', copied: 'Code copied.', spelled: 'Spelled', caseNote: 'Case sensitive: read it letter by letter.',
    message: 'Message to the customer', lang: { en: 'English', cs: 'Czech', de: 'German' }, makeMessage: 'Write message', copyMessage: 'Copy message', messageCopied: 'Message copied.',
    apply: 'Apply on the bench NVR', applyHelp: 'Lab bench only: the console enters the code once, sets the new password and checks that the new password logs in and the old one no longer does.',
    address: 'NVR address (IP:port)', username: 'User', newPassword: 'New password', oldPassword: 'Old password (to prove it no longer works; optional)', run: 'Enter code and set password',
    applying: 'Working on the NVR…', wrongCodes: 'Wrong codes counted by the NVR: {n} of 5 (the console stops at 4)', atLimit: 'The console will not enter another code: one more wrong code would lock code entry on the NVR for 5 minutes. Confirm the code with the vendor character by character; restarting the NVR clears the counter but also the QR (then a new photo and a new code are needed).', lockedUntil: 'Code entry locked until {t}',
    verified: 'Reset verified {t}', verifyDetail: 'Check: {d}',
    settings: {
      title: 'Reset-code services', help: 'Where security codes for NVR resets come from. API keys are stored encrypted and never shown again.',
      labUrl: 'Lab vendor service address', labKey: 'Lab vendor API key', keySet: 'a key is stored (leave empty to keep it)', keyNone: 'no key stored',
      httpUrl: 'Vendor API address', httpKeyHeader: 'Key header', httpKeyPrefix: 'Key prefix', httpBody: 'Body template ({{payload}} = QR text)', httpPath: 'Code in reply (dotted path)', httpKey: 'Vendor API key',
      validity: 'Validity of a 2M QR (hours)', tolerance: 'Clock tolerance (minutes)', defaultTz: 'Default customer time zone', secondAgent: 'Require a second agent’s approval before a code is released', save: 'Save reset settings',
    },
  },
  helpdesk: enHelpdesk,
  errors: {
    generic: 'Something went wrong.', field: 'Check the field “{field}”.',
    // Errors from the main process (AppError key + values); the English message there stays for logs.
    devices: {
      refused: 'The device refused the connection (web service off or wrong port).', refusedHint: 'Check the address and that the device finished booting; rescan to find its current address.',
      noAnswer: 'The device did not answer ({detail}).', noAnswerHint: 'It may be rebooting, on another address or on another subnet. Rescan, then try again.',
      pinMismatch: 'The device presented a different HTTPS certificate (SHA-256 {fingerprint}) than the one pinned for it. Nothing was sent.',
      pinMismatchHint: 'If you know why it changed (the device was reset or its certificate replaced), accept the new certificate in the device page; otherwise check you are talking to the right device.',
      tls: 'The HTTPS connection failed ({detail}).',
      badReply: 'The device sent an unusable reply ({detail}).', badReplyHint: 'Try again; if it repeats, restart the device.',
      rejected: 'The device rejected the user name or password.',
      rejectedHint: 'The console remembers this rejection and will not send the same password to this device again (neither here nor from the command line), so its retries cannot lock the account. Check the password and enter the correct one for this device.',
      lockout: 'The device says logins are blocked ({detail}). The console stopped and will not try again.',
      lockoutHint: 'Wait until the block expires (often 5-10 minutes) before any further login, and make sure nothing else (a VMS, an app) keeps trying a wrong password.',
      storedRejected: 'The stored password for {user} was rejected by the device on {at}; the console will not send it again.', storedRejectedHint: 'Enter the correct credentials for this device (Set credentials).',
      currentPasswordNeeded: 'The current admin password is needed to log in to the 2N web interface (after a factory reset it is 2n).',
      serialDiffers: 'The device at {ip} reports serial {live}, not {expected}. No backup taken.',
      backupOtherDevice: 'Backup #{id} was taken from {from}, not from this device ({serial}). Nothing was done.',
      backupNotVerified: 'Backup #{id} is not verified or its content no longer matches its SHA-256. Nothing was done.',
    },
    workflow: {
      running: '“{step}” is running; wait for it to finish.', runningHint: 'Its progress is shown on the step.',
      confirmMismatch: 'To run “{step}”, type exactly: {expected}.',
      notSkippable: '“{step}” cannot be skipped in this procedure.', notSkippableHint: 'Complete it, or abandon the run with a reason.',
      ended: 'Run #{id} has already ended.', endedHint: 'Start a new run from the ticket if more work is needed.',
      stepRunning: 'A step of this run is still running; wait for it to finish.',
      notCurrent: '“{step}” is not the current step.', notCurrentHint: 'Reload the ticket; another window may have moved the run on.',
      attachFirst: 'Attach first: {what}.',
    },
    nvrReset: {
      badZone: '“{zone}” is not a time zone (use names like Europe/Prague or America/New_York).',
      noQr: 'There is no QR on this ticket yet.', noQrPhoto: 'There is no QR on this ticket yet: add the customer’s photo first.',
      attachLabel: 'Attach the photo of the device label to pass this check.', attachOwnership: 'Attach the Certificate of Ownership or the proof of purchase to pass this check.',
      ownerNote: 'Write how the requester was matched to the registered owner (name, company, purchase record…).',
      ownershipFirst: 'Complete the ownership checks before asking for approval.',
      qrExpired: 'No code was requested: the QR has expired.', qrExpiredHint: 'Ask the customer to reopen the Retrieve Password screen and send a new photo.',
      ownershipMissing: 'No code was released: ownership is not verified yet.',
      ownershipMissingHint: 'Record the label photo, the Certificate of Ownership or proof of purchase, and that the requester is the registered owner.',
      approvalNeeded: 'No code was released: a second agent must approve this reset first (Settings require it).',
      twoCodes: 'Two codes were already issued for this QR; the NVR accepts no more.', twoCodesHint: 'Ask the customer to reopen the Retrieve Password screen and send a new photo.',
      noSuchCode: 'Code #{id} does not exist.', noCodeToSend: 'There is no code for the current QR to send yet.',
    },
  },
} as const

// The English texts are the source of truth: every locale has this shape (the type below
// makes a missing or extra key a type error) and `t` accepts only keys that exist here.
type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : T[K] extends readonly unknown[] ? never : Leaves<T[K], `${P}${K}.`>
}[keyof T & string]
type Widen<T> = T extends string ? string : T extends readonly (infer U)[] ? Widen<U>[] : { -readonly [K in keyof T]: Widen<T[K]> }

/** Every translatable key, dotted ("tickets.count"): a misspelled key fails the type check. */
export type MessageKey = Leaves<typeof en>
/** The shape every locale file must have. */
export type Messages = Widen<typeof en>

type Translator = (key: string, params?: Params) => string
let translator: Translator | null = null
/** Set by ./index.ts once vue-i18n is installed; before that (unit tests) English is used. */
export function setTranslator(fn: Translator | null) {
  translator = fn
}

export function lookup(messages: unknown, key: string): unknown {
  let v: unknown = messages
  for (const part of key.split('.')) v = (v as Record<string, unknown> | undefined)?.[part]
  return v
}

/** Looks up a dotted key ("tickets.count") in the agent's language and fills {placeholders}; `n` picks the plural form. */
export function t(key: MessageKey, params: Params = {}): string {
  if (translator) return translator(key, params)
  const v = lookup(en, key)
  return typeof v === 'string' ? fill(v, 'en', params) : key
}

export const isKey = (key: string): key is MessageKey => typeof lookup(en, key) === 'string'

/** For keys built from data at run time (an audit action, an outcome): unknown keys come back as they are. */
export const tAny = (key: string, params?: Params): string => (isKey(key) ? t(key, params) : key)
