// Plain-English phrases for audit actions, for reports read by people who never saw the
// console. The renderer has its own copy in its i18n file; unknown actions fall back to
// a readable form of their name.
const PHRASES: Record<string, string> = {
  'ticket.create': 'Ticket opened',
  'ticket.update': 'Ticket details edited',
  'ticket.status': 'Ticket status changed',
  'evidence.add': 'Evidence added',
  'evidence.purge': 'Evidence content purged (retention)',
  'evidence.delete': 'Evidence deleted on purpose',
  'settings.agent': 'Agent identity set',
  'settings.retention': 'Retention period changed',
  'lock.setPin': 'Bench PIN set',
  'lock.changePin': 'Bench PIN changed',
  'lock.clearPin': 'Bench PIN removed',
  'lock.unlock': 'Console unlocked',
  'report.export': 'Report exported',
}

export function actionPhrase(action: string): string {
  return PHRASES[action] ?? humanise(action)
}

export function humanise(action: string): string {
  const s = action.replace(/[._-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().trim()
  return s ? s[0].toUpperCase() + s.slice(1) : action
}
