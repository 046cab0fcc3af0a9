// `support-console lab`: start a bench of simulated devices, print what is on it, and keep
// it running until SIGINT/SIGTERM. Test infrastructure and a training tool; never shipped.
import { intOption, parse, type Command } from '../electron/cli/command'
import type { Bench } from './bench'

const help = `Usage: support-console lab [options]

Start a lab bench of simulated devices (2N IP intercoms, 2MN-8XXX NVRs), the simulated
My2N cloud, the simulated vendor reset service and a control interface. Runs until Ctrl-C.

Options:
  --intercoms N        number of 2N intercoms (default 2, max 100)
  --nvrs N             number of 2MN-8XXX NVRs (default 2, max 100)
  --seed S             seed for serials, MACs, passwords and nonces (default random)
  --host-base A.B.C.   first three octets of device addresses (default 127.0.0.)
  --first-host N       last octet of the first device (default 10)
  --ephemeral-ports    listen on free ports instead of 80/443/8000
  --no-discovery       do not answer WS-Discovery probes
  --netns              each device in its own network namespace (Linux, root; max 32 devices)
  --control-port N     port of the control interface on 127.0.0.1 (default free port)
  --json               print the bench as JSON instead of a table
  -h, --help           show this help

See lab/README.md for the devices, endpoints and scenarios.`

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
  return { seed: bench.seed, netns: bench.netns ?? null, devices: bench.devices.map((d) => d.info()), my2n: { url: bench.my2n.url, apiKey: bench.my2n.apiKey, companyId: bench.my2n.companyId, siteId: bench.my2n.siteId }, vendor: bench.vendor, control: bench.control }
}

export const labCommand: Command = {
  name: 'lab',
  summary: 'Start a bench of simulated intercoms and NVRs (test and training tool)',
  help,
  async run(argv) {
    const { values } = parse(argv, {
      intercoms: { type: 'string' }, nvrs: { type: 'string' }, seed: { type: 'string' },
      'host-base': { type: 'string' }, 'first-host': { type: 'string' }, 'control-port': { type: 'string' },
      'ephemeral-ports': { type: 'boolean' }, 'no-discovery': { type: 'boolean' }, netns: { type: 'boolean' }, json: { type: 'boolean' },
    })
    const hostBase = values['host-base']
    if (hostBase !== undefined && !/^127\.\d{1,3}\.\d{1,3}\.$/.test(hostBase)) {
      const { UsageError } = await import('../electron/cli/command')
      throw new UsageError('--host-base must look like 127.X.Y. (loopback only)')
    }
    const { startBench } = await import('./bench')
    // Options are checked first, so that their UsageErrors reach the caller (exit 2 + help).
    const options = {
      intercoms: intOption(values.intercoms, 'intercoms', 0, 100) ?? 2,
      nvrs: intOption(values.nvrs, 'nvrs', 0, 100) ?? 2,
      seed: values.seed, hostBase, firstHost: intOption(values['first-host'], 'first-host', 2, 250),
      portMode: values['ephemeral-ports'] ? ('ephemeral' as const) : ('standard' as const), netns: values.netns, discovery: !values['no-discovery'],
      controlPort: intOption(values['control-port'], 'control-port', 1, 65535),
    }
    let bench: Bench
    try {
      bench = await startBench(options)
    } catch (e) {
      // Address in use, not root for --netns, too many devices: say so without a stack trace.
      const err = e as NodeJS.ErrnoException & { address?: string; port?: number }
      const hint = err.code === 'EADDRINUSE' ? ` (${err.address}:${err.port} is taken; try --ephemeral-ports or another --host-base)` : ''
      console.error(`Error: could not start the lab bench: ${err.message}${hint}`)
      return 1
    }
    console.log(values.json ? JSON.stringify(benchJson(bench), null, 2) : renderTable(bench))
    if (!values.json) console.log('\nRunning. Press Ctrl-C to stop.')
    await new Promise<void>((resolve) => {
      const done = () => resolve()
      process.once('SIGINT', done)
      process.once('SIGTERM', done)
    })
    await bench.stop()
    return 0
  },
}
