// Binds the workflow DeviceOpsPort to the device layer (electron/devices/device-ops.ts, issue 4).
import { AppError } from '../../shared/contract/common'
import type { App } from '../core/app'
import type { DeviceOpsPort } from './device-port'

const missing = () => {
  throw new AppError('UNREACHABLE', 'Device operations are not available in this build of the console.', { hint: 'Do this step on the device’s web interface and skip it here with a reason.' })
}

export function deviceOps(_app: App): DeviceOpsPort {
  return { identify: missing, backup: missing, factoryReset: missing, waitForDevice: missing, checkLogin: missing, setPassword: missing, restore: missing }
}
