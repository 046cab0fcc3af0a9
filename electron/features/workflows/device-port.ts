// What the workflow steps need from the device layer (electron/features/devices/device-ops.ts, issue 4).
// The engine and the procedures are written against this port; the composition root binds the
// real module, tests use a fake. Kept small on purpose: one method per thing a step does.
export interface DeviceAddress {
  /** IPv4 address or host name. */
  host: string
  /** HTTP(S) port when not the default (the lab bench uses high ports on 127.x). */
  port?: number
}

export interface Credentials { username: string; password: string }

export interface DeviceIdentity { serial: string; model: string; firmware: string; mac: string }

export interface OpContext {
  ticketId: number
  signal?: AbortSignal
  progress?: (label: string, done?: number, total?: number | null) => void
}

export interface DeviceOpsPort {
  /** Identification without login (2N: /api/system/info). UNREACHABLE when nothing answers. */
  identify(at: DeviceAddress, ctx: OpContext): Promise<DeviceIdentity>
  /** Downloads the configuration; the bytes are the file as the device sent it. */
  backup(at: DeviceAddress, creds: Credentials, ctx: OpContext): Promise<Buffer>
  /** Factory reset including network settings and certificates. The device layer re-checks the backup and the typed serial. */
  factoryReset(at: DeviceAddress, creds: Credentials, o: { confirmSerial: string; backupSha256: string }, ctx: OpContext): Promise<void>
  /** Finds the device by serial after a reboot or reset (its address may change). null when it does not come back in time. */
  waitForDevice(serial: string, o: { previous: DeviceAddress; timeoutMs: number }, ctx: OpContext): Promise<DeviceAddress | null>
  /** One login attempt. The device layer refuses (LOCKOUT_RISK) when another try could lock the account. */
  checkLogin(at: DeviceAddress, creds: Credentials, ctx: OpContext): Promise<boolean>
  setPassword(at: DeviceAddress, current: Credentials, newPassword: string, ctx: OpContext): Promise<void>
  restore(at: DeviceAddress, creds: Credentials, config: Buffer, ctx: OpContext): Promise<void>
}
