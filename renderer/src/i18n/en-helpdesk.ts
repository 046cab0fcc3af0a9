// English strings of the helpdesk link (issue 14), merged into en.ts under "helpdesk".
export const enHelpdesk = {
  title: 'Helpdesk',
  provider: { rt: 'Request Tracker', zendesk: 'Zendesk' },
  notLinked: 'Not linked to a helpdesk ticket.',
  link: 'Link helpdesk ticket…', import: 'Import from helpdesk…', importTitle: 'Link or import a helpdesk ticket',
  refLabel: 'Helpdesk ticket address or number', refHint: 'Paste the ticket’s address from the helpdesk (or its number). Its requester and attachments come with it.',
  importing: 'Fetching the ticket from the helpdesk…', imported: 'Linked to {provider} #{id}.', noProviders: 'No helpdesk is configured yet: add one in Settings → Helpdesk.',
  open: 'Open in {provider}', requester: 'Requester', subject: 'Subject',
  attachments: 'Attachments in the helpdesk', noAttachments: 'The helpdesk ticket has no attachments.',
  toIntake: 'Send to Option 2 intake', toEvidence: 'Add to evidence', taking: 'Fetching {name}…', taken: 'in evidence #{id}', takenNoEvidence: 'taken',
  postReport: 'Post report to helpdesk', reportQueued: 'The internal note with the report and bundle is queued.',
  reply: 'Reply to customer…', replyTitle: 'Public reply to the customer', replyLang: 'Language', replyFromCode: 'Use the reset message',
  replyText: 'Reply (the customer will see this)', preview: 'Preview', confirmSend: 'Confirm and send', back: 'Edit',
  previewNote: 'This is exactly what the customer will receive, as a public reply on {provider} #{id}.', replyQueued: 'The reply is queued.',
  outbox: 'Outbox', outboxEmpty: 'Nothing waiting.', kind: { note: 'Internal note', reply: 'Public reply' },
  status: { pending: 'pending', sending: 'sending (checking)', sent: 'sent', failed: 'failed', cancelled: 'cancelled' },
  attempts: '{n} attempt(s)', nextAt: 'next try {t}', retry: 'Retry now', cancel: 'Cancel', cancelled: 'Outbox item cancelled.', sync: 'Send now',
  settings: {
    title: 'Helpdesk', help: 'The helpdesk tickets are worked in. Tokens are stored encrypted and never shown again.',
    provider: 'Helpdesk', url: 'Address', user: 'User (Zendesk: agent e-mail; RT: empty for an auth token)', token: 'API token or password',
    save: 'Check and save', saved: '{provider} is connected.', configured: 'Configured: {list}',
  },
} as const
