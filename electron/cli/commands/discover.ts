import { AppError } from '../../../shared/contract/common'
import type { Protocol } from '../../../shared/contract/devices'
import { defaultDataDir } from '../../infra/data-dir'
import { DEFAULT_PORTS, type PortSpec } from '../../features/discovery/fingerprint'
import { listInterfaces, resolveInterfaces } from '../../features/discovery/net'
import { startScan, type ScanEvent } from '../../features/discovery/scan'
import { intOption, parse, UsageError, type Command } from '../command'

const PROTOCOLS: Protocol[] = ['wsd', 'ssdp', 'mdns', 'sadp', 'http-2n', 'isapi', 'onvif']

export const discoverCommand: Command = {
  name: 'discover',
  summary: 'Find 2N intercoms, NVRs and cameras on a chosen network interface',
  help: `Usage: support-console discover --iface IFACE [--iface IFACE2] [--cidr CIDR] [--json] [--timeout S]

Sends WS-Discovery (ONVIF), SSDP, mDNS and SADP probes on the chosen interface(s) only,
and with --cidr also sweeps that network over HTTP (2N /api/system/info, ISAPI, ONVIF).
Devices print as they are found (stdout); progress and "why not found" notes go to stderr.
No credentials are ever sent while discovering.

Options:
  --iface IFACE      Interface name (or its IPv4 address); repeat for several. Required:
                     nothing is sent on an interface you did not name.
  --cidr CIDR        Also sweep this network, e.g. 192.168.1.0/24 (at most a /20; only the
                     addresses on the chosen interface's own subnet are swept).
  --timeout S        Total time limit in seconds (default 8).
  --protocols LIST   Comma-separated subset of ${PROTOCOLS.join(',')}.
  --ports LIST       Sweep ports, e.g. 80,443s,8000 ("s" = HTTPS). Default ${DEFAULT_PORTS.map((p) => `${p.port}${p.tls ? 's' : ''}`).join(',')}.
  --save             Record identified devices in the inventory (see --data-dir).
  --data-dir DIR     Database folder for --save (default: $SUPPORT_CONSOLE_DATA_DIR or
                     ${defaultDataDir({})})
  --json             Print one JSON document {devices, diagnostics} at the end instead.
  -h, --help         This help.

Exit status: 0 devices found, 3 nothing found, 2 usage error, 1 other error.
Interfaces here: ${listInterfaces().map((i) => `${i.name} (${i.cidr})`).join(', ') || 'none with IPv4'}`,
  async run(argv) {
    const { values } = parse(argv, {
      iface: { type: 'string', multiple: true },
      cidr: { type: 'string' },
      timeout: { type: 'string' },
      protocols: { type: 'string' },
      ports: { type: 'string' },
      save: { type: 'boolean' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean' },
    })
    if (!values.iface?.length) throw new UsageError('--iface is required: name the network interface to scan (nothing is sent on others).')
    const timeout = intOption(values.timeout, 'timeout', 1, 300) ?? 8
    const protocols = values.protocols ? (values.protocols.split(',').map((p) => p.trim()) as Protocol[]) : undefined
    for (const p of protocols ?? []) if (!PROTOCOLS.includes(p)) throw new UsageError(`Unknown protocol "${p}". Use: ${PROTOCOLS.join(', ')}`)
    const ports: PortSpec[] | undefined = values.ports?.split(',').map((x) => {
      const m = x.trim().match(/^(\d{1,5})(s?)$/)
      if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new UsageError(`--ports: "${x}" is not a port such as 80 or 443s.`)
      return { port: Number(m[1]), tls: m[2] === 's' }
    })
    const ifaces = resolveInterfaces(values.iface)
    let identify: ((d: import('../../../shared/contract/discovery').FoundDevice) => number | null) | undefined
    let close = async () => {}
    if (values.save) {
      const { openConsoleApp } = await import('../../core/open-console')
      const { DeviceOps } = await import('../../features/devices/device-ops')
      const app = openConsoleApp({ dataDir: values['data-dir'] ?? defaultDataDir(), host: 'browser' }, 'discover --save')
      identify = new DeviceOps(app).identifyFound
      close = () => app.close()
    }
    const scan = startScan({ ifaces, cidr: values.cidr, protocols, timeoutMs: timeout * 1000, ports, identify })
    const onSig = () => scan.cancel()
    process.once('SIGINT', onSig)
    const printed = new Set<string>()
    const line = (d: import('../../../shared/contract/discovery').FoundDevice) =>
      [d.ip.padEnd(15), (d.kind).padEnd(8), (d.serial || (d.needsCredentials ? '(needs login)' : '?')).padEnd(22), (d.model || d.vendor || '').padEnd(20), d.firmware.padEnd(18), d.protocols.join(',')].join('  ')
    try {
      let lastProgress = 0
      for await (const e of scan as AsyncIterable<ScanEvent>) {
        if (e.type === 'progress') {
          if (Date.now() - lastProgress > 250 || e.done === e.total) {
            lastProgress = Date.now()
            process.stderr.write(`\r${e.phase.padEnd(8)} ${e.done}/${e.total}  found ${e.found}  ${(e.elapsedMs / 1000).toFixed(1)} s   `)
          }
        } else if (e.type === 'diagnostic') {
          process.stderr.write(`\n  note: ${e.diagnostic.message}\n`)
        } else if (e.type === 'device' && !values.json) {
          // Print a device once it is identified (serial) or at the end if it never is.
          if (e.device.serial && !printed.has(e.device.serial)) {
            printed.add(e.device.serial)
            process.stdout.write(`${line(e.device)}\n`)
          }
        }
      }
      const s = await scan.done
      process.stderr.write('\n')
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ scanId: s.scanId, elapsedMs: s.elapsedMs, cancelled: s.cancelled, devices: s.devices, diagnostics: s.diagnosticList }, null, 2)}\n`)
      } else {
        for (const d of s.devices) if (!d.serial) process.stdout.write(`${line(d)}\n`)
        process.stderr.write(`${s.devices.length} device${s.devices.length === 1 ? '' : 's'} in ${(s.elapsedMs / 1000).toFixed(1)} s${s.cancelled ? ' (cancelled)' : ''}.\n`)
      }
      return s.devices.length > 0 ? 0 : 3
    } catch (e) {
      if (e instanceof AppError) throw e
      throw new AppError('INTERNAL', (e as Error).message, { key: 'cli.failed', values: { detail: (e as Error).message } })
    } finally {
      process.off('SIGINT', onSig)
      await close()
    }
  },
}
