import { createInterface } from 'node:readline'
import { AppError } from '../../../shared/contract/common'
import { defaultDataDir } from '../../infra/data-dir'
import { intOption, parse, UsageError, type Command } from '../command'

const OPS = ['info', 'status', 'backup', 'restore', 'reboot', 'factory-reset'] as const
type Op = (typeof OPS)[number]

async function readStdinLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false })
  for await (const l of rl) {
    rl.close()
    return l
  }
  return ''
}

export const deviceCommand: Command = {
  name: 'device',
  summary: 'Info, backup, restore, reboot or factory-reset one device by address',
  help: `Usage: support-console device ${OPS.join('|')} ADDRESS [options]

Talks to one device (2N intercom or NVR) at ADDRESS, with the same safety rules as the
console: restore and factory-reset need a verified backup of that device taken in the
same ticket and --confirm-serial with the device's serial; every action is audited;
a password the device rejected is never sent again, in this run or any later one on the
same data folder (no lockout from retries).
Progress goes to stderr, the result to stdout.

Options:
  --port N              HTTP port when not 80.
  --iface IFACE         Interface name (or its IPv4 address) the device is connected to;
                        ADDRESS must be on its network (nothing goes out through the
                        default route). Default: the interface whose network has ADDRESS,
                        else through the router.
  --user U              Device user name (API account for 2N, admin for NVRs).
  --password-env VAR    Read the password from environment variable VAR.
  --password-stdin      Read the password from the first line of standard input.
                        (Passwords are never accepted on the command line itself.)
  --ticket N            Ticket the action belongs to (backup, restore, factory-reset).
  --confirm-serial S    The device's serial, typed to confirm restore / factory-reset.
  --backup-id N         restore: the backup to upload (default: newest verified one
                        of this device in --ticket).
  --keep-network        factory-reset: keep the network settings (default: reset them too).
  --data-dir DIR        Database folder (default: $SUPPORT_CONSOLE_DATA_DIR or
                        ${defaultDataDir({})})
  --json                Print the result as JSON.
  -h, --help            This help.`,
  async run(argv) {
    if (argv.some((a) => a === '--password' || a.startsWith('--password='))) {
      throw new UsageError('Passwords are never taken on the command line (they end up in shell history and process lists): use --password-env VAR or --password-stdin.')
    }
    const { values, positionals } = parse(
      argv,
      {
        port: { type: 'string' },
        iface: { type: 'string' },
        user: { type: 'string' },
        'password-env': { type: 'string' },
        'password-stdin': { type: 'boolean' },
        ticket: { type: 'string' },
        'confirm-serial': { type: 'string' },
        'backup-id': { type: 'string' },
        'keep-network': { type: 'boolean' },
        'data-dir': { type: 'string' },
        json: { type: 'boolean' },
      },
      true,
    )
    const [op, address] = positionals as [Op | undefined, string | undefined]
    if (!op || !OPS.includes(op)) throw new UsageError(`Name the operation: ${OPS.join(', ')}.`)
    if (!address) throw new UsageError('Give the device address, e.g. 192.168.1.64.')
    const port = intOption(values.port, 'port', 1, 65535)
    const ticketId = intOption(values.ticket, 'ticket', 1, 2 ** 31)
    const backupId = intOption(values['backup-id'], 'backup-id', 1, 2 ** 31)
    let password: string | undefined
    if (values['password-env'] && values['password-stdin']) throw new UsageError('Use either --password-env or --password-stdin.')
    if (values['password-env']) {
      password = process.env[values['password-env']]
      if (password === undefined) throw new UsageError(`Environment variable ${values['password-env']} is not set.`)
    } else if (values['password-stdin']) password = await readStdinLine()
    if (password !== undefined && !values.user) throw new UsageError('--user is needed with a password.')
    if ((op === 'backup' || op === 'restore' || op === 'factory-reset') && !ticketId) throw new UsageError(`${op} needs --ticket N: backups and destructive actions belong to a ticket.`)
    if ((op === 'restore' || op === 'factory-reset') && !values['confirm-serial']) throw new UsageError(`${op} needs --confirm-serial with the device's serial number.`)

    const { openConsoleApp } = await import('../../core/open-console')
    const { DeviceOps } = await import('../../features/devices/device-ops')
    const app = openConsoleApp({ dataDir: values['data-dir'] ?? defaultDataDir(), host: 'browser' }, 'device command')
    const off = app.bus.subscribe((name, p) => {
      if (name === 'devices.op') process.stderr.write(`${(p as { stage: string }).stage}\n`)
    })
    const out = (v: unknown, text: string) => process.stdout.write(values.json ? `${JSON.stringify(v, null, 2)}\n` : `${text}\n`)
    try {
      const ops = new DeviceOps(app)
      if (values.iface) ops.viaIface = values.iface
      process.stderr.write(`Probing ${address}${values.iface ? ` on ${values.iface}` : ''}…\n`)
      const r = await ops.addByAddress({ address, port, iface: values.iface, username: values.user, password })
      for (const d of r.diagnostics) process.stderr.write(`  note: ${d.message}\n`)
      if (!r.device) throw new AppError('UNREACHABLE', `No device could be identified at ${address}.`, { key: 'cli.notIdentified', values: { address } })
      const id = r.device.id
      switch (op) {
        case 'info': {
          const d = await ops.info(id).catch((e) => (r.device && e instanceof AppError && e.code === 'UNAUTHORIZED' ? r.device : Promise.reject(e)))
          out(d, `${d.kind} ${d.vendor} ${d.model}\nserial   ${d.serial}\nMAC      ${d.mac}\nfirmware ${d.firmware}\naddress  ${d.ip}${d.pinnedFingerprint ? `\nHTTPS    ${d.pinnedFingerprint}` : ''}`)
          return 0
        }
        case 'status': {
          const s = await ops.status(id)
          out(s, `${s.message} Device clock ${s.deviceTime}.`)
          return 0
        }
        case 'backup': {
          const b = await ops.backup(id, ticketId!)
          out(b, `Backup #${b.id} of ${b.serial} (${b.firmware}): ${b.size} bytes, SHA-256 ${b.sha256}\n${b.verified ? 'Verified' : 'NOT verified'}: ${b.verifyDetail}`)
          return b.verified ? 0 : 1
        }
        case 'restore': {
          const chosen = backupId ?? (await ops.repo.verifiedBackup(id, ticketId!))?.id
          if (!chosen) throw new AppError('FORBIDDEN', `No verified backup of this device in ticket #${ticketId}.`, { hint: 'Run "device backup" with the same --ticket first.', key: 'cli.noVerifiedBackup', values: { ticket: ticketId ?? '' } })
          const res = await ops.restore(id, { ticketId: ticketId!, backupId: chosen, confirmSerial: values['confirm-serial']! })
          out(res, res.message)
          return 0
        }
        case 'reboot': {
          const res = await ops.reboot(id, ticketId)
          out(res, res.message)
          return 0
        }
        case 'factory-reset': {
          const res = await ops.factoryReset(id, { ticketId: ticketId!, confirmSerial: values['confirm-serial']!, network: !values['keep-network'] })
          out(res, res.message)
          return 0
        }
      }
      return 2
    } finally {
      off()
      await app.close()
    }
  },
}
