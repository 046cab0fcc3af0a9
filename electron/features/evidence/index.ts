// The public entry of the evidence feature: what other features may use (issue 11). A feature imports
// another only through its entry; the layer rule (scripts/lint/layers.mjs) enforces it.
export { type PersonalDataPurge } from './retention'
export { sha256, type EvidenceVault } from './vault'
