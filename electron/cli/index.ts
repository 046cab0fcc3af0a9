import { UsageError, type Command } from './command'

// Subcommands are loaded lazily (each is a chunk of the build, see scripts/build-cli.mjs) so
// `support-console --help` loads none of them and `qr decode` does not pay for the HTTP host.
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve')).serveCommand,
  qr: async () => (await import('./commands/qr')).qrCommand,
  audit: async () => (await import('./commands/audit')).auditCommand,
  discover: async () => (await import('./commands/discover')).discoverCommand,
  device: async () => (await import('./commands/device')).deviceCommand,
  helpdesk: async () => (await import('./commands/helpdesk')).helpdeskCommand,
  diagnostics: async () => (await import('./commands/diagnostics')).diagnosticsCommand,
}

const summaries: Record<string, string> = {
  serve: 'the console in a browser on 127.0.0.1, with a one-time token',
  qr: 'decode QR codes in customers\' photos',
  audit: 'verify the hash-chained audit trail, list entries',
  discover: 'find devices on one named interface (WS-Discovery, SSDP, mDNS, SADP, sweep)',
  device: 'info, backup, restore, reboot or factory-reset one device, audited',
  helpdesk: 'link tickets to Request Tracker or Zendesk, post reports back',
  diagnostics: 'a zip of logs, versions and checks for support (no secrets, no photos)',
}

/**
 * Registered by what lives outside the console proper: the lab bench (test infrastructure,
 * never shipped, so product code does not import it) is added by bin/support-console.mjs.
 */
export function registerCommand(name: string, summary: string, load: () => Promise<Command>): void {
  commands[name] = load
  summaries[name] = summary
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
    // Loaded only here: zod (under the contract) is not needed to print help or usage.
    const { AppError } = await import('../../shared/contract/common')
    if (e instanceof AppError) {
      console.error(`Error: ${e.message}${e.hint ? `\n${e.hint}` : ''}`)
      return 1
    }
    throw e
  }
}
