import { AppError } from '../../../shared/contract/common'
import type { ConnectionTest, LabConnection } from '../../../shared/contract/connections'
import type { DeviceOps } from '../devices'
import { defaultLabConnectionPath, parseLabConnection, readRunningLab } from './file'
import { my2nClient } from '../my2n-move'
import { my2nProvider } from '../my2n-move'
import { testLabVendor, type LabVendorConfig } from '../nvr-reset'
import type { CommonRepos, Recording, Secrets } from '../../infra/ports'
import type { HandlerMap } from '../../infra/handler-types'

/** A failed test as data: the message says what is wrong, the hint what to do. */
const failed = (e: unknown): ConnectionTest => {
  if (e instanceof AppError) return { ok: false, message: e.message, ...(e.hint ? { hint: e.hint } : {}) }
  return { ok: false, message: (e as Error).message }
}

/** My2N's settings (sealed key), audit; the bench devices go into the inventory through DeviceOps. */
export type ConnectionDeps = Recording & Secrets & Pick<CommonRepos, 'settings'>
export interface ConnectionServices {
  devices: DeviceOps
  /** The lab vendor service of the reset-code settings (electron/features/nvr-reset/settings.ts): read with its key opened, and stored. */
  labVendor: { get(): Promise<LabVendorConfig>; set(lab: { url: string; apiKey?: string }): Promise<unknown> }
}

export function connectionHandlers(deps: ConnectionDeps, s: ConnectionServices): HandlerMap<'connections.useLab' | 'connections.testMy2n' | 'connections.testVendor'> {
  const my2n = my2nProvider({ settings: deps.settings, seal: (p) => deps.secrets.seal(p), open: (x) => deps.secrets.open(x) })
  const ops = s.devices

  async function testMy2n(): Promise<ConnectionTest> {
    try {
      const c = await my2n.client()
      const acc = await c.account()
      return { ok: true, message: `${c.label} answered: account “${acc.company}”, ${acc.sites.length === 1 ? '1 site' : `${acc.sites.length} sites`}.`, sites: acc.sites }
    } catch (e) {
      return failed(e)
    }
  }
  async function testVendor(): Promise<ConnectionTest> {
    try {
      const cfg = await s.labVendor.get()
      if (!cfg.url && !cfg.apiKey) return { ok: false, message: 'No lab vendor service is configured.', hint: 'Use the running lab bench, or enter the address and key under Reset-code services.' }
      return { ok: true, ...(await testLabVendor(cfg)) }
    } catch (e) {
      return failed(e)
    }
  }

  /** Stores each bench device in the inventory with its API account (sealed), as the agent would by hand. */
  async function storeDevices(c: LabConnection) {
    const out = []
    for (const d of c.devices) {
      const id = await ops.repo.recordSeen({ serial: d.serial, mac: d.mac, kind: d.kind, model: d.model, vendor: d.kind === 'intercom' ? '2N' : '', ip: d.ip, httpPort: d.httpPort, httpsPort: d.httpsPort })
      if (id === null) continue
      try {
        await ops.setCredentials(id, d.username, d.password)
        out.push({ serial: d.serial, kind: d.kind, ip: d.ip, stored: true })
      } catch (e) {
        out.push({ serial: d.serial, kind: d.kind, ip: d.ip, stored: false, problem: (e as Error).message })
      }
    }
    return out
  }

  return {
    'connections.useLab': async ({ file }) => {
      const source = file === undefined ? defaultLabConnectionPath() : 'the imported file'
      const c = file === undefined ? readRunningLab(source) : parseLabConnection(file, 'The imported file')
      // Check the services first: a file of a bench that has stopped must not replace a working setup.
      const m = await my2nClient({ kind: 'lab', url: c.my2n.url, apiKey: c.my2n.apiKey }).account().then(() => null, (e: unknown) => e)
      if (m) throw new AppError('UNREACHABLE', `The lab bench of ${source} does not answer: ${(m as Error).message}`, { hint: 'Start the lab bench again (its keys and ports change unless it runs with --seed and --fixed-ports), then try again. Nothing was changed.', key: 'labConnection.noAnswer', values: { source, detail: (m as Error).message } })
      await my2n.set({ kind: 'lab', url: c.my2n.url, apiKey: c.my2n.apiKey })
      await s.labVendor.set({ url: c.vendor.url, apiKey: c.vendor.apiKey })
      const devices = await storeDevices(c)
      await deps.audit({ action: 'lab.connect', outcome: 'ok', inputs: { source, my2nUrl: c.my2n.url, vendorUrl: c.vendor.url, devices: devices.filter((d) => d.stored).map((d) => d.serial) } })
      return { source, my2n: await testMy2n(), vendor: await testVendor(), devices }
    },
    'connections.testMy2n': testMy2n,
    'connections.testVendor': testVendor,
  }
}
