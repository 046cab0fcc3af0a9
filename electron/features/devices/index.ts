// The public entry of the devices feature: what other features may use (issue 11). A feature imports
// another only through its entry; the layer rule (scripts/lint/layers.mjs) enforces it.
export { type DeviceOps } from './device-ops'
export { type LoginGuard } from './driver'
export { IsapiClient } from './nvr'
export { AlreadyRejectedError, type LoginTarget, type RejectedLogins } from './rejected-logins'
export { type Endpoint } from './twon'
