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
  'electron/main/app-protocol.ts': ['electron/infra/http-security.ts', 'electron/infra/static-files.ts'],
}
