// The public entry of the my2n-move feature: what other features may use (issue 11). A feature imports
// another only through its entry; the layer rule (scripts/lint/layers.mjs) enforces it.
export { my2nClient } from './my2n/client'
export { my2nProvider } from './my2n/provider'
