// English texts of errors from the main process: an AppError's key (errors.<key>, its hint
// errors.<key>Hint) with its values, merged into en.ts under "errors". The English message the
// main process keeps for logs and the CLI says the same; grouped by the area that throws it.
export const enErrors = {
  devices: {

  },
  workflow: {

  },
  nvrReset: {
    badUrl: '“{url}” is not an http(s) address.',
    approverHeld: 'Too many wrong PINs for {name}; approvals by {name} are held for {s} s.', approverHeldHint: 'Wait, then let the approver type the PIN themselves.',
    approverExists: '{email} is already an approver.', approverExistsHint: 'Remove it first to give it a new PIN.',
    ownSecondAgent: 'You cannot be your own second agent.', ownSecondAgentHint: 'Ask the colleague who will approve releases to enrol with their own name, e-mail and PIN.',
    notApprover: '{email} is not an approver.', notEnrolled: '{email} is not an enrolled approver.',
    noApprovers: 'No second agents are enrolled, so nobody can approve this release.', noApproversHint: 'Enrol the approving colleagues in Settings (name, e-mail and their own PIN).',
    approveSelf: 'The approval must come from a second agent, not from you.',
    wrongApproverPin: 'That is not {name}’s PIN; nothing was approved.', wrongApproverPinHint: '{n} more try before approvals by {name} are held for a minute. | {n} more tries before approvals by {name} are held for a minute.',
    wrongApproverPinHeld: 'That is not {name}’s PIN; nothing was approved.', wrongApproverPinHeldHint: 'Approvals by {name} are now held for a minute.',
    sponsorNeeded: 'A new second agent is enrolled only with an approver already enrolled vouching for them; nobody was added.', sponsorNeededHint: 'Ask an enrolled approver to choose their name and type their own PIN below the new approver’s details.',
    sponsorNotApprover: '{email} is not an enrolled approver, so cannot vouch; nobody was added.', sponsorNotApproverHint: 'Choose one of the enrolled approvers.',
    sponsorNoneLeft: '{email} is not an enrolled approver, so cannot vouch; nobody was added.', sponsorNoneLeftHint: 'Every approver was removed: enrolment stays closed in this data folder, so that nobody can enrol a second agent alone.',
    sponsorSelf: 'You cannot vouch for a second agent yourself; nobody was added.', sponsorSelfHint: 'The enrolled approver vouching must be another person than the agent at this console.',
    sponsorWrongPin: 'That is not {name}’s PIN; nobody was added.', sponsorWrongPinHint: 'Let the approver type their own PIN.',
    noSuchPhoto: 'Photo #{id} does not exist.', noSuchPhotoHint: 'Reload the ticket.', photoNotHere: 'Photo #{id} is not on this ticket.',
    photoPurged: 'The photo was removed from the evidence vault (retention or deletion); only its hash remains.', photoPurgedHint: 'Ask the customer for the photo again if it is still needed.',
    noSuchCodeHere: 'No such code on this ticket.',
    badAddress: '“{address}” is not a device address (IP or host, optionally :port).',
    deviceHttp: 'The NVR answered HTTP {status}.', notQrReply: 'The NVR’s reply is not a Retrieve Password QR.', noResetToken: 'The NVR accepted the code but sent no reset token.',
    weakPassword: 'The NVR refused the password as too weak. Use 8–64 characters with at least two of: lower case, upper case, digits, symbols.',
    resetGone: 'The NVR no longer accepts this reset (the screen was left, the device restarted, or 10 minutes passed).', resetGoneHint: 'A new QR photo and a new code are needed.',
    alreadyVerified: 'The new password is already verified on this ticket.',
    notSentYet: 'No code for the current QR has been sent to the customer yet.', notSentYetHint: 'Write the message with the code to the customer first.',
    howConfirmed: 'Write how the customer confirmed it (call, e-mail, chat…).',
    notRequestedInvalid: 'No code was requested: the QR on this ticket is no longer valid.',
    notEnteredInvalid: 'The code was not entered: the QR on this ticket is no longer valid.',
    notEnteredExpired: 'The code was not entered: the QR has expired.', notEnteredExpiredHint: 'Ask the customer for a photo of a fresh QR.',
    olderQr: 'This code was issued for an older QR; the NVR would refuse it.', olderQrHint: 'Request a code for the current QR.',
    enteredOnce: 'This code was already entered once ({status}); the console never enters a code twice.', enteredOnceHint: 'Check the code with the vendor, or request a new one.',
    entryLocked: 'Code entry on the NVR is locked until {until} UTC.', entryLockedHint: 'Wait for the lock to end; do not let the customer try codes meanwhile.',
    wrongCodeLimit: 'The NVR has refused {n} code; one more wrong code would lock code entry for 5 minutes, so the console will not enter another one. | The NVR has refused {n} codes; one more wrong code would lock code entry for 5 minutes, so the console will not enter another one.',
    wrongCodeLimitHint: 'Confirm the code with the vendor character by character (it is case sensitive). Restarting the NVR clears the counter but also the QR: then a new photo and a new code are needed.',
    passwordLength: 'The new password must be 8–64 characters long.', passwordKinds: 'The new password must mix at least two of: lower case, upper case, digits, symbols.',
  },
  resetCodes: {
    codeEmpty: 'Enter the security code.',
    codeSpaces: 'The code contains spaces; type it without them (codes are letters and digits only).',
    codeShape: 'A security code is 4–32 letters and digits. Check it against the vendor’s reply character by character.',
    badUrl: 'The service address “{url}” is not a URL.', badUrlHint: 'Fix it in Settings → Reset-code services.',
    badScheme: 'Only http and https addresses are supported for the reset-code service.',
    noAnswer: 'The reset-code service at {host} did not answer ({detail}).', noAnswerHint: 'Check the address in Settings and the network; nothing was sent to the device.',
    qrRefused: 'The vendor service refused the QR: {detail}.', qrRefusedHint: 'Ask the customer to reopen the Retrieve Password screen and send a new photo.',
    codeLimit: 'The vendor service refused: {detail}.', codeLimitHint: 'Both codes of this QR were issued. Ask the customer for a photo of a fresh QR.',
    unknownDevice: 'The vendor service does not know this device: {detail}.', unknownDeviceHint: 'Check the serial on the label photo; the device may be grey-market or registered under another region.',
    notGenuine: 'The vendor service says the QR is not genuine or was misread: {detail}.', notGenuineHint: 'Decode the photo again, or ask for a sharper photo.',
    unreadable: 'The vendor service could not read the QR: {detail}.', unreadableHint: 'Decode the photo again, or ask for a sharper photo.',
    keyRefused: 'The vendor service refused the API key.', keyRefusedHint: 'Enter the current key in Settings → Reset-code services.',
    labNoUrl: 'No address is set for the lab vendor service.', labNoUrlHint: 'Use the address the lab bench prints after “Vendor reset:”.',
    labNoKey: 'No API key is stored for the lab vendor service.', labNoKeyHint: 'Copy the X-Api-Key the lab bench prints.',
    labKeyRefused: 'The vendor service at {host} refused the API key.', labKeyRefusedHint: 'Copy the X-Api-Key the lab bench printed (it changes at every start unless the bench has a fixed --seed).',
    notVendorService: '{base} does not look like the vendor reset service: it answered HTTP {status}.', notVendorServiceHint: 'Use the address the lab bench prints after “Vendor reset:”, as it is.',
    labNotConfigured: 'The lab vendor service is not configured.', labNotConfiguredHint: 'Enter its address and API key in Settings → Reset-code services.',
    rateLimited: 'The vendor service is rate-limiting requests.', rateLimitedHint: 'Nothing was issued. Wait, then request the code once more.',
    rateLimitedFor: 'The vendor service is rate-limiting requests; try again in {s} s.', rateLimitedForHint: 'Nothing was issued. Wait, then request the code once more.',
    noCode: 'The vendor service answered HTTP {status} without a code.', noCodeHint: 'Try again later, or get the code from the vendor’s own tool and enter it by hand.',
    httpNotConfigured: 'No vendor API is configured.', httpNotConfiguredHint: 'Enter it in Settings → Reset-code services, or enter a code by hand.',
    badTemplate: 'The body template of the vendor API is not valid JSON once filled in.', badTemplateHint: 'Fix it in Settings; put {{payload}} inside a JSON string.',
    httpKeyRefused: 'The vendor API refused the key (HTTP {status}).', httpKeyRefusedHint: 'Check the API key in Settings.',
    httpFailed: 'The vendor API answered HTTP {status}: {detail}.', httpFailedHint: 'Check the reply path “{path}” in Settings, or enter the code by hand.',
    httpNoCode: 'The vendor API answered HTTP {status} without a code.', httpNoCodeHint: 'Check the reply path “{path}” in Settings, or enter the code by hand.',
  },
} as const

type Widen<T> = T extends string ? string : { -readonly [K in keyof T]: Widen<T[K]> }
/** The shape the Czech and German error texts must have. */
export type ErrorTexts = Widen<typeof enErrors>
