// NVR "Option 2" password reset from the customer's QR photo (../shared/seeds/
// 003_d8070006d65c16d8.txt, nvr-reset.md). Pure data: the work happens in the reset panel on
// the ticket; every step is observed (electron/features/nvr-reset/actions.ts): it completes by
// itself when the reset's recorded state says it is done, never by a second click. Every text
// the agent reads is a plain string here (one place to translate).
import type { ProcedureDefInput } from '../workflows'

/** Version 1 (manual confirmations); kept so runs started on it still show. New runs use version 2. */
export const nvrPasswordResetV1: ProcedureDefInput = {
  id: 'nvr-password-reset',
  version: 1,
  title: 'NVR password reset from a QR photo (Option 2)',
  summary: 'QR photo, ownership checks, security code, message to the customer, code entered and new password verified.',
  ticketProcedure: 'nvr-password-reset',
  start: 'qr-photo',
  steps: [
    {
      id: 'qr-photo', title: 'QR photo from the customer', kind: 'manual', action: 'nvrReset.checkQr', skippable: false,
      instructions: `Ask the customer to open "Forgot Password" on the NVR and photograph the QR code on the Retrieve Password screen, WITHOUT leaving that screen afterwards.

Add the photo in the reset panel above (drop it on the ticket, paste it, choose the file, or drop the customer's .eml). The console decodes it, shows the device and the deadline.`,
      warning: 'The QR is valid for one day, and only while the Retrieve Password screen stays open and the NVR is not restarted.',
      outcomes: { decoded: { label: 'QR decoded', next: 'ownership' } },
    },
    {
      id: 'ownership', title: 'Ownership', kind: 'manual', action: 'nvrReset.checkOwnership', skippable: false,
      instructions: `Vendors release codes only to the owner. In the reset panel record:
- a photo of the device label (serial visible, matching {{serial}}),
- the Certificate of Ownership or a proof of purchase,
- that the requester is the registered owner.`,
      outcomes: { verified: { label: 'Ownership recorded', next: 'code' } },
    },
    {
      id: 'code', title: 'Security code', kind: 'manual', action: 'nvrReset.checkCode', skippable: false,
      instructions: 'Get the code in the reset panel: from the vendor service, the configured vendor API, or typed from the vendor’s own tool. It is case sensitive and stored encrypted.',
      outcomes: { issued: { label: 'Code obtained', next: 'send' } },
    },
    {
      id: 'send', title: 'Send the code to the customer', kind: 'decision',
      instructions: 'Write the message in the reset panel (English or Czech): it contains the code spelled out, the deadline in the customer’s time zone and the warning not to leave the Retrieve Password screen.',
      outcomes: {
        sent: { label: 'Sent to the customer', next: 'verify' },
        bench: { label: 'The NVR is on our bench: apply it here', next: 'verify' },
      },
    },
    {
      id: 'verify', title: 'New password works', kind: 'manual', action: 'nvrReset.checkVerified', skippable: false,
      instructions: 'On the bench, the reset panel enters the code once, sets the new password and checks that it logs in while the old one is refused. Otherwise the customer confirms that the new password works.',
      outcomes: {
        verified: { label: 'Verified', next: 'end' },
        'new-qr': { label: 'The QR became invalid', next: 'qr-photo', tone: 'bad', message: 'The customer left the screen or the NVR restarted: a new photo is needed.' },
      },
    },
  ],
}

/** What each observed step of version 2 says while it waits (shown on the timeline; translated with the steps). */
export const NVR_RESET_WAITING = {
  photo: 'Waiting for the customer’s photo of the QR.',
  photoUndecoded: 'Waiting for a photo whose QR decodes (or the QR text selected by hand).',
  newPhoto: 'Waiting for a photo of a new QR.',
  qrInvalid: 'The QR is no longer valid.',
  qrExpired: 'The QR has expired.',
  ownership: 'Waiting for the three ownership checks in the reset panel.',
  approval: 'Waiting for a second agent’s approval (reset panel).',
  code: 'Waiting for the security code (reset panel).',
  applied: 'Waiting for the code to be entered on the bench NVR or sent to the customer (reset panel).',
  verified: 'Waiting for the new password to be verified: on the bench, or the customer’s confirmation recorded in the reset panel.',
} as const

/** Version 2: one run per ticket, driven by the reset panel (electron/features/nvr-reset/run-sync.ts). */
export const nvrPasswordReset: ProcedureDefInput = {
  id: 'nvr-password-reset',
  version: 2,
  title: 'NVR password reset from a QR photo (Option 2)',
  summary: 'QR photo, ownership checks, security code, code applied, new password verified. Each step completes from the work done in the reset panel.',
  ticketProcedure: 'nvr-password-reset',
  start: 'qr-photo',
  steps: [
    {
      id: 'qr-photo', title: 'QR photo decoded', kind: 'manual', action: 'nvrReset.photoDecoded', observed: true, skippable: false,
      instructions: `Ask the customer to open "Forgot Password" on the NVR and photograph the QR code on the Retrieve Password screen, WITHOUT leaving that screen afterwards.

Add the photo in the reset panel (drop it on the ticket, paste it, choose the file, or drop the customer's .eml). This step completes when the QR is decoded.`,
      warning: 'The QR is valid for one day, and only while the Retrieve Password screen stays open and the NVR is not restarted.',
      outcomes: { decoded: { label: 'QR decoded', next: 'ownership' } },
    },
    {
      id: 'ownership', title: 'Ownership recorded', kind: 'manual', action: 'nvrReset.ownershipRecorded', observed: true, skippable: false,
      instructions: `Vendors release codes only to the owner. In the reset panel record:
- a photo of the device label (serial visible, matching {{serial}}),
- the Certificate of Ownership or a proof of purchase,
- that the requester is the registered owner (and the second agent's approval when Settings require it).`,
      outcomes: { verified: { label: 'Ownership recorded', next: 'code' } },
    },
    {
      id: 'code', title: 'Security code released', kind: 'manual', action: 'nvrReset.codeReleased', observed: true, skippable: false,
      instructions: 'Get the code in the reset panel: from the vendor service, the configured vendor API, or typed from the vendor’s own tool. It is case sensitive and stored encrypted.',
      outcomes: {
        released: { label: 'Code released', next: 'apply' },
        'new-qr': { label: 'The QR became invalid', next: 'qr-photo', tone: 'bad', message: 'The customer left the screen, the NVR restarted or the QR expired: a new photo is needed.' },
      },
    },
    {
      id: 'apply', title: 'Code applied', kind: 'manual', action: 'nvrReset.codeApplied', observed: true, skippable: false,
      instructions: 'On the bench, enter the code on the NVR from the reset panel. Otherwise write the message to the customer in the reset panel (English or Czech): it carries the code spelled out, the deadline in the customer’s time zone and the warning not to leave the Retrieve Password screen.',
      outcomes: {
        bench: { label: 'Code entered on the NVR (bench)', next: 'verify' },
        sent: { label: 'Code sent to the customer', next: 'verify' },
        'new-qr': { label: 'The QR became invalid', next: 'qr-photo', tone: 'bad', message: 'The customer left the screen, the NVR restarted or the QR expired: a new photo is needed.' },
      },
    },
    {
      id: 'verify', title: 'New password verified', kind: 'manual', action: 'nvrReset.passwordVerified', observed: true, skippable: false,
      instructions: 'On the bench, the reset panel sets the new password and checks that it logs in while the old one is refused. Otherwise record in the reset panel that the customer confirmed the new password works.',
      outcomes: {
        verified: { label: 'New password verified', next: 'end' },
        'new-qr': { label: 'The QR became invalid', next: 'qr-photo', tone: 'bad', message: 'The customer left the screen, the NVR restarted or the QR expired: a new photo is needed.' },
      },
    },
  ],
}
