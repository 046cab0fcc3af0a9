import { listInterfaces } from '../discovery'
import type { DeviceOps } from './device-ops'
import type { HandlerMap } from '../../infra/handler-types'

type DeviceMethod =
  | 'devices.interfaces' | 'devices.scan' | 'devices.cancelScan' | 'devices.scanResult' | 'devices.list' | 'devices.get' | 'devices.addByAddress'
  | 'devices.setCredentials' | 'devices.linkTicket' | 'devices.info' | 'devices.status' | 'devices.backup' | 'devices.backups' | 'devices.restore'
  | 'devices.reboot' | 'devices.factoryReset' | 'devices.setPassword' | 'devices.trustCertificate' | 'devices.rediscover'

// The renderer passes inventory ids; only devices.addByAddress names a host, and only
// devices.scan sends anything on the network without an id (on the interfaces it names).
export function deviceHandlers(ops: DeviceOps): HandlerMap<DeviceMethod> {
  return {
    'devices.interfaces': async () => listInterfaces(),
    'devices.scan': async (o) => ({ scanId: ops.startScan({ ifaces: o.ifaces, cidr: o.cidr, protocols: o.protocols, timeoutS: o.timeoutS }).id }),
    'devices.cancelScan': async ({ scanId }) => {
      ops.cancelScan(scanId)
      return { ok: true as const }
    },
    'devices.scanResult': async ({ scanId }) => ops.scanResult(scanId),
    'devices.list': (q) => ops.repo.list(q),
    'devices.get': ({ id }) => ops.detail(id),
    'devices.addByAddress': (o) => ops.addByAddress(o),
    'devices.setCredentials': ({ id, username, password }) => ops.setCredentials(id, username, password),
    'devices.linkTicket': ({ id, ticketId, unlink }) => ops.linkTicket(id, ticketId, unlink),
    'devices.info': ({ id }) => ops.info(id),
    'devices.status': ({ id }) => ops.status(id),
    'devices.backup': ({ id, ticketId }) => ops.backup(id, ticketId),
    'devices.backups': ({ id }) => ops.repo.backups(id),
    'devices.restore': ({ id, ...o }) => ops.restore(id, o),
    'devices.reboot': ({ id, ticketId }) => ops.reboot(id, ticketId),
    'devices.factoryReset': ({ id, ...o }) => ops.factoryReset(id, o),
    'devices.setPassword': ({ id, ...o }) => ops.setPassword(id, o),
    'devices.trustCertificate': ({ id, fingerprint }) => ops.trustCertificate(id, fingerprint),
    'devices.rediscover': async ({ id, ifaces, cidr, timeoutS }) => ({ device: await ops.rediscover(id, { ifaces, cidr, deadlineMs: timeoutS * 1000 }) }),
  }
}
