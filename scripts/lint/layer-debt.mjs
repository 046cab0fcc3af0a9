// Known breaks of the layer rules (scripts/lint/layers.mjs), allowed until the code moves to
// the shape of docs/architecture.md. This list only shrinks: ESLint fails on a new break not
// listed here, and on an entry the file no longer needs ("remove it from the layer debt").
//
// - Feature code importing `App` (electron/core/app.ts): the service locator. Goes when each
//   feature is given the narrow, typed dependencies it declares (as workflows/engine.ts's
//   EngineDeps), built in the composition root.
// - The desktop shell serving app:// with the browser host's static-file and header code:
//   goes when that code moves to infrastructure (electron/infra/http-static).
export const LAYER_DEBT = {
  'electron/audit/lock.ts': ['electron/core/app.ts'],
  'electron/core/handlers/audit.ts': ['electron/core/app.ts'],
  'electron/core/handlers/connections.ts': ['electron/core/app.ts'],
  'electron/core/handlers/devices.ts': ['electron/core/app.ts'],
  'electron/core/handlers/helpdesk.ts': ['electron/core/app.ts'],
  'electron/core/handlers/system.ts': ['electron/core/app.ts'],
  'electron/core/handlers/tickets.ts': ['electron/core/app.ts'],
  'electron/core/handlers/workflows.ts': ['electron/core/app.ts'],
  'electron/devices/device-ops.ts': ['electron/core/app.ts'],
  'electron/devices/ops-core.ts': ['electron/core/app.ts'],
  'electron/devices/rejected-logins.ts': ['electron/core/app.ts'],
  'electron/helpdesk/outbox.ts': ['electron/core/app.ts'],
  'electron/helpdesk/repo.ts': ['electron/core/app.ts'],
  'electron/helpdesk/service.ts': ['electron/core/app.ts'],
  'electron/main/app-protocol.ts': ['electron/host/http-security.ts', 'electron/host/static-files.ts'],
  'electron/workflows/bind-device-ops.ts': ['electron/core/app.ts'],
  'electron/workflows/service.ts': ['electron/core/app.ts'],
}
