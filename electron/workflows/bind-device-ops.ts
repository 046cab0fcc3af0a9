// Binds the workflow DeviceOpsPort to the device layer (electron/devices/device-ops.ts, issue 4):
// its `port` runs every operation through the same safety guards (verified backup in the
// ticket, typed serial, one attempt per credential, certificate pinning) and audit.
import type { App } from '../core/app'
import { deviceOps as devicesOf } from '../devices/device-ops'
import type { DeviceOpsPort } from './device-port'

export function deviceOps(app: App): DeviceOpsPort {
  return devicesOf(app).port
}
