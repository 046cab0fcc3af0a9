// The public entry of the workflows feature: what other features may use (issue 11). A feature imports
// another only through its entry; the layer rule (scripts/lint/layers.mjs) enforces it.
export { type Action, type ActionContext, type ActionResult } from './actions'
export { type ProcedureDefInput } from './definition'
export { type Credentials, type DeviceAddress, type DeviceOpsPort, type OpContext } from './device-port'
export { type WorkflowEngine } from './engine'
