// The public entry of the nvr-reset feature: what other features may use (issue 11). A feature imports
// another only through its entry; the layer rule (scripts/lint/layers.mjs) enforces it.
export { testLabVendor, type LabVendorConfig } from './reset-codes/providers'
export { RESET_PROCEDURE } from './run-sync'
