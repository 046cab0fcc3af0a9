// The public entry of the audit feature: what other features may use (issue 11). A feature imports
// another only through its entry; the layer rule (scripts/lint/layers.mjs) enforces it.
export { countedAttempt, type AttemptRule } from './attempts'
export { verifyAll } from './integrity'
export { hashPin, pinMatches, type PinHash } from './pin-hash'
export { ticketState } from './ticket-state'
