import { AppError } from '../../shared/contract/common'
import { UsageError, type Command } from './command'
import { serveCommand } from './commands/serve'

// Subcommands are loaded lazily so `support-console qr decode` does not pay for the HTTP host.
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => serveCommand,
  qr: async () => (await import('./commands/qr')).qrCommand,
  audit: async () => (await import('./commands/audit')).auditCommand,
  discover: async () => (await import('./commands/discover')).discoverCommand,
  device: async () => (await import('./commands/device')).deviceCommand,
  diagnostics: async () => (await import('./commands/diagnostics')).diagnosticsCommand,
  lab: async () => (await import('../../lab/cli')).labCommand,
}

const summaries: Record<string, string> = {
  serve: 'the console in a browser on 127.0.0.1, with a one-time token',
  qr: 'decode QR codes in customers\' photos',
  audit: 'verify the hash-chained audit trail, list entries',
  discover: 'find devices on one named interface (WS-Discovery, SSDP, mDNS, SADP, sweep)',
  device: 'info, backup, restore, reboot or factory-reset one device, audited',
  diagnostics: 'a zip of logs, versions and checks for support (no secrets, no photos)',
  lab: 'start the lab bench of simulated intercoms and NVRs',
}

/** Registered by feature modules that live outside the console proper (the lab bench). */
export function registerCommand(name: string, load: () => Promise<Command>): void {
  commands[name] = load
}

function usage(): string {
  return [
    'Usage: support-console <command> [options]',
    '',
    'Commands:',
    ...Object.keys(commands).map((n) => `  ${n.padEnd(10)}${summaries[n] ?? ''}`.trimEnd()),
    '',
    'Run "support-console <command> --help" for the options of a command.',
  ].join('\n')
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage())
    return name ? 0 : 1
  }
  const load = commands[name]
  if (!load) {
    console.error(`Unknown command "${name}".\n\n${usage()}`)
    return 2
  }
  const cmd = await load()
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.help)
    return 0
  }
  try {
    return await cmd.run(rest)
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${cmd.help}`)
      return 2
    }
    if (e instanceof AppError) {
      console.error(`Error: ${e.message}${e.hint ? `\n${e.hint}` : ''}`)
      return 1
    }
    throw e
  }
}
