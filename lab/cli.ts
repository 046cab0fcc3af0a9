// `support-console lab`: start a bench of simulated devices, print what is on it, and keep
// it running until SIGINT/SIGTERM. Test infrastructure and a training tool; never shipped.
import { intOption, parse, type Command } from '../electron/cli/command'
import type { Bench } from './bench'
import type { PortFallback } from './core/http-host'

const help = `Usage: support-console lab [options]

Start a lab bench of simulated devices (2N IP intercoms, 2MN-8XXX NVRs), the simulated
My2N cloud, the simulated vendor reset service and a control interface. Runs until Ctrl-C.

Options:
  --intercoms N        number of 2N intercoms (default 2, max 100)
  --nvrs N             number of 2MN-8XXX NVRs (default 2, max 100)
  --seed S             seed for serials, MACs, passwords and nonces (default random)
  --host-base A.B.C.   first three octets of device addresses (default 127.0.0.)
  --first-host N       last octet of the first device (default 10)
  --ephemeral-ports    listen on free ports instead of 80/443/8000 (without it, an endpoint
                       whose standard port cannot be bound, e.g. not root or taken, uses
                       8080/8443/18000 or a free port, and a line on stderr says so)
  --no-discovery       do not answer WS-Discovery probes
  --netns              each device in its own network namespace (Linux, root; max 32 devices)
  --control-port N     port of the control interface on 127.0.0.1 (default free port)
  --fixed-ports        the same addresses at every start: My2N on 127.0.0.1:18281, the
                       vendor service on :18282, the control interface on :18280; with
                       --seed S the keys and passwords stay the same too
  --connection-file F  where to write the bench's connection for the console (default:
                       $SUPPORT_CONSOLE_LAB_FILE, else support-console-lab-UID.json in
                       $XDG_RUNTIME_DIR or the temporary folder); Settings → "Use the running
                       lab bench" reads it. Mode 0600, removed when the bench stops
  --no-connection-file do not write it
  --json               print the bench as JSON instead of a table
  -h, --help           show this help

Ctrl-C, SIGTERM or SIGHUP stops the bench and removes everything it set up (exit 0);
during start-up it aborts the start, cleans up and exits with 128 + the signal number.

See lab/README.md for the devices, endpoints and scenarios.`

/** lab --fixed-ports: addresses that survive a restart, so nothing in Settings goes stale. */
export const FIXED_PORTS = { control: 18280, my2n: 18281, vendor: 18282 } as const

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
const SIGNAL_NUMBERS: Record<(typeof SIGNALS)[number], number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }

/** One line per reason for the endpoints that did not get their standard port. */
export function describeFallbacks(list: PortFallback[]): string[] {
  const ports = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b)
  const lines: string[] = []
  const priv = list.filter((f) => f.reason === 'privileged')
  if (priv.length > 0) {
    const wanted = ports(priv.map((f) => f.wanted))
    const got = wanted.map((w) => {
      const to = ports(priv.filter((f) => f.wanted === w).map((f) => f.port))
      return to.length === 1 ? String(to[0]) : 'free ports'
    })
    const plural = wanted.length > 1
    lines.push(`Note: port${plural ? 's' : ''} ${wanted.join(' and ')} need${plural ? '' : 's'} root (or CAP_NET_BIND_SERVICE); using ${got.join(' and ')} instead. Run as root for the standard ports, or pass --ephemeral-ports for free ones.`)
  }
  const taken = list.filter((f) => f.reason === 'taken')
  for (const w of ports(taken.map((f) => f.wanted))) {
    const of = taken.filter((f) => f.wanted === w)
    const to = ports(of.map((f) => f.port))
    const where = of.length <= 3 ? of.map((f) => f.ip).join(', ') : `${of.slice(0, 3).map((f) => f.ip).join(', ')} and ${of.length - 3} more`
    lines.push(`Note: port ${w} is taken on ${where}; using ${to.length === 1 ? to[0] : 'free ports'} instead.`)
  }
  return lines
}

export function renderTable(bench: Bench): string {
  const rows = bench.devices.map((d) => {
    const i = d.info()
    const ports = i.kind === 'nvr' ? `${i.httpPort}/${i.httpsPort}/onvif ${i.onvifPort}` : `${i.httpPort}/${i.httpsPort}`
    const creds = `${i.credentials.username} / ${i.credentials.password}${i.web ? `  (web ${i.web.username} / ${i.web.password})` : ''}`
    return [i.kind, i.model, i.serial, i.mac, i.ip, ports, creds]
  })
  const head = ['KIND', 'MODEL', 'SERIAL', 'MAC', 'IP', 'PORTS', 'CREDENTIALS']
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)))
  const line = (r: string[]) => r.map((v, c) => v.padEnd(widths[c])).join('  ').trimEnd()
  return [
    line(head), ...rows.map(line), '',
    `My2N (simulated):   ${bench.my2n.url}   x-api-key: ${bench.my2n.apiKey}   site ${bench.my2n.siteId}`,
    `Vendor reset:       ${bench.vendor.url}   X-Api-Key: ${bench.vendor.apiKey}`,
    `Control interface:  ${bench.control.url}   Authorization: Bearer ${bench.control.token}`,
    `Seed:               ${bench.seed}`,
    ...(bench.netns ? [`Lab network:        devices on ${bench.netns.subnet} (one namespace each), reached from here via ${bench.netns.rootInterface} ${bench.netns.consoleIp}`] : []),
  ].join('\n')
}

export function benchJson(bench: Bench) {
  return { seed: bench.seed, netns: bench.netns ?? null, devices: bench.devices.map((d) => d.info()), my2n: { url: bench.my2n.url, apiKey: bench.my2n.apiKey, companyId: bench.my2n.companyId, siteId: bench.my2n.siteId }, vendor: bench.vendor, control: bench.control, portFallbacks: bench.portFallbacks }
}

export const labCommand: Command = {
  name: 'lab',
  summary: 'Start a bench of simulated intercoms and NVRs (test and training tool)',
  help,
  async run(argv) {
    const { values } = parse(argv, {
      intercoms: { type: 'string' }, nvrs: { type: 'string' }, seed: { type: 'string' },
      'host-base': { type: 'string' }, 'first-host': { type: 'string' }, 'control-port': { type: 'string' },
      'fixed-ports': { type: 'boolean' }, 'connection-file': { type: 'string' }, 'no-connection-file': { type: 'boolean' },
      'ephemeral-ports': { type: 'boolean' }, 'no-discovery': { type: 'boolean' }, netns: { type: 'boolean' }, json: { type: 'boolean' },
    })
    const hostBase = values['host-base']
    if (hostBase !== undefined && !/^127\.\d{1,3}\.\d{1,3}\.$/.test(hostBase)) {
      const { UsageError } = await import('../electron/cli/command')
      throw new UsageError('--host-base must look like 127.X.Y. (loopback only)')
    }
    // Options are checked first, so that their UsageErrors reach the caller (exit 2 + help).
    const options = {
      intercoms: intOption(values.intercoms, 'intercoms', 0, 100) ?? 2,
      nvrs: intOption(values.nvrs, 'nvrs', 0, 100) ?? 2,
      seed: values.seed, hostBase, firstHost: intOption(values['first-host'], 'first-host', 2, 250),
      portMode: values['ephemeral-ports'] ? ('ephemeral' as const) : ('standard' as const), netns: values.netns, discovery: !values['no-discovery'],
      controlPort: intOption(values['control-port'], 'control-port', 1, 65535) ?? (values['fixed-ports'] ? FIXED_PORTS.control : undefined),
      ...(values['fixed-ports'] ? { my2nPort: FIXED_PORTS.my2n, vendorPort: FIXED_PORTS.vendor } : {}),
    }
    // Signal handlers go in before anything is set up: a --netns start takes seconds, and a
    // Ctrl-C then must abort it and remove the namespaces, not kill the process where it stands.
    // They stay installed until the bench is stopped, so a second Ctrl-C cannot cut the cleanup.
    const abort = new AbortController()
    let got: (typeof SIGNALS)[number] | null = null
    let wake = () => {}
    const onSignal = (sig: (typeof SIGNALS)[number]) => {
      got ??= sig
      abort.abort(new Error(`interrupted by ${sig}`))
      wake()
    }
    for (const sig of SIGNALS) process.on(sig, onSignal)
    try {
      const { startBench } = await import('./bench')
      let bench: Bench
      try {
        bench = await startBench({ ...options, signal: abort.signal })
      } catch (e) {
        if (got) {
          console.error(`Interrupted by ${got} during start-up: the lab bench was not started, and what it had set up has been removed.`)
          return 128 + SIGNAL_NUMBERS[got]
        }
        // Address in use, not root for --netns, too many devices: say so without a stack trace.
        const err = e as NodeJS.ErrnoException & { address?: string; port?: number }
        const hint = err.code === 'EADDRINUSE' ? ` (${err.address}:${err.port} is taken; try --ephemeral-ports or another --host-base)` : ''
        console.error(`Error: could not start the lab bench: ${err.message}${hint}`)
        return 1
      }
      for (const line of describeFallbacks(bench.portFallbacks)) console.error(line)
      let removeFile = () => {}
      let filePath = ''
      if (!values['no-connection-file']) {
        const [{ defaultLabConnectionPath }, { labConnection, writeConnectionFile }] = await Promise.all([import('../electron/features/connections/file'), import('./connection-file')])
        filePath = values['connection-file'] ?? defaultLabConnectionPath()
        try {
          removeFile = writeConnectionFile(filePath, labConnection(bench))
        } catch (e) {
          console.error(`Note: could not write the connection file ${filePath} (${(e as Error).message}); connect the console by hand.`)
          filePath = ''
        }
      }
      console.log(values.json ? JSON.stringify({ ...benchJson(bench), connectionFile: filePath || null }, null, 2) : renderTable(bench))
      if (!values.json && filePath) console.log(`Connection file:    ${filePath}   (console: Settings → Use the running lab bench)`)
      if (!values.json) console.log('\nRunning. Press Ctrl-C to stop.')
      await new Promise<void>((resolve) => {
        wake = resolve
        if (got) resolve()
      })
      removeFile()
      await bench.stop()
      return 0
    } finally {
      for (const sig of SIGNALS) process.off(sig, onSignal)
    }
  },
}
