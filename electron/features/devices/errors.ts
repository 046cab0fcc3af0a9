import { AppError } from '../../../shared/contract/common'
import { DeviceHttpError } from '../../infra/device-http'

/** Transport failures in words an agent can act on. */
export function fromHttpError(e: unknown, what: string): AppError {
  if (e instanceof AppError) return e
  if (!(e instanceof DeviceHttpError)) return new AppError('DEVICE', `${what}: ${(e as Error)?.message ?? String(e)}`, { cause: e, key: 'devices.failed', values: { detail: (e as Error)?.message ?? String(e) } })
  switch (e.kind) {
    case 'refused':
      return new AppError('UNREACHABLE', `${what}: the device refused the connection (web service off or wrong port).`, { cause: e, hint: 'Check the address and that the device finished booting; rescan to find its current address.', key: 'devices.refused' })
    case 'timeout':
    case 'unreachable':
    case 'cancelled':
      return new AppError('UNREACHABLE', `${what}: the device did not answer (${e.message})`, { cause: e, hint: 'It may be rebooting, on another address or on another subnet. Rescan, then try again.', key: 'devices.noAnswer', values: { detail: e.message } })
    case 'pin-mismatch':
      return new AppError('FORBIDDEN', `${what}: the device presented a different HTTPS certificate (SHA-256 ${e.fingerprint}) than the one pinned for it. Nothing was sent.`, {
        cause: e,
        key: 'devices.pinMismatch',
        values: { fingerprint: e.fingerprint ?? '' },
        hint: 'If you know why it changed (the device was reset or its certificate replaced), accept the new certificate in the device page; otherwise check you are talking to the right device.',
      })
    case 'tls':
      return new AppError('DEVICE', `${what}: the HTTPS connection failed (${e.message}).`, { cause: e, key: 'devices.tls', values: { detail: e.message } })
    default:
      return new AppError('DEVICE', `${what}: the device sent an unusable reply (${e.message}).`, { cause: e, hint: 'Try again; if it repeats, restart the device.', key: 'devices.badReply', values: { detail: e.message } })
  }
}

/** Said with every rejection on a 2N intercom's HTTP API: the most common mix-up there. */
export const TWO_N_API_ACCOUNTS =
  'A 2N intercom’s HTTP API has its own accounts (web interface → Services → HTTP API → Account), separate from the web admin login: if this is the web admin’s login (e.g. admin), that is the likely cause.'

export const credentialsRejected = (what: string, note = '') =>
  new AppError('UNAUTHORIZED', `${what}: the device rejected the user name or password.${note ? ` ${note}` : ''}`, {
    key: 'devices.rejected',
    hint: 'The console remembers this rejection and will not send the same password to this device again (neither here nor from the command line), so its retries cannot lock the account. Check the password and enter the correct one for this device.',
  })

export const lockoutSignalled = (what: string, detail: string) =>
  new AppError('LOCKOUT_RISK', `${what}: the device says logins are blocked${detail ? ` (${detail})` : ''}. The console stopped and will not try again.`, {
    key: 'devices.lockout',
    values: { detail },
    hint: 'Wait until the block expires (often 5-10 minutes) before any further login, and make sure nothing else (a VMS, an app) keeps trying a wrong password.',
  })
