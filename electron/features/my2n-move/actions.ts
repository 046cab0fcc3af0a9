// The named actions of the My2N move procedure. Device work goes through the DeviceOpsPort
// (bound to electron/features/devices/device-ops.ts), My2N through the configured My2N client.
import { randomInt } from 'node:crypto'
import { AppError } from '../../../shared/contract/common'
import type { My2nClient } from './my2n/client'
import type { Action, ActionContext, ActionResult } from '../workflows'
import type { Credentials, DeviceAddress, DeviceOpsPort, OpContext } from '../workflows'
import { diffBackups, parseBackup, verifyBackup } from './backup-file'
import { checkSerial } from './serial'
import { MY2N_REVEAL } from './procedure'

export interface My2nMoveDeps {
  ops: DeviceOpsPort
  my2n(): Promise<My2nClient>
  /** How long to wait for the device to come back after the reset. */
  rediscoverMs?: number
}

export const FACTORY_CREDS: Credentials = { username: 'admin', password: '2n' }
/** Failed logins this run accepts before refusing to try again (2N locks after a few: §4). */
export const MAX_FAILED_LOGINS = 2
const LOGIN_WINDOW_MS = 10 * 60_000

export function parseAddress(raw: string): DeviceAddress {
  const m = raw.match(/^\s*(?:https?:\/\/)?([a-zA-Z0-9.-]+)(?::(\d{1,5}))?\/?\s*$/)
  if (!m || (m[2] && (Number(m[2]) < 1 || Number(m[2]) > 65535))) throw new AppError('VALIDATION', `“${raw}” is not a device address.`, { field: 'inputs.host', hint: 'Type an IP address, optionally with a port: 192.168.1.50 or 192.168.1.50:8080.', key: 'my2nMove.badAddress', values: { address: raw } })
  return m[2] ? { host: m[1], port: Number(m[2]) } : { host: m[1] }
}
const fmtAddress = (a: DeviceAddress) => (a.port ? `${a.host}:${a.port}` : a.host)

/** A 16-character password from an unambiguous alphabet with every character class. */
export function strongPassword(len = 16): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '#%+=-_!?']
  const all = sets.join('')
  const chars = sets.map((s) => s[randomInt(s.length)])
  while (chars.length < len) chars.push(all[randomInt(all.length)])
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[chars[i], chars[j]] = [chars[j], chars[i]]
  }
  return chars.join('')
}

const opCtx = (ctx: ActionContext): OpContext => ({ ticketId: ctx.run.ticketId, signal: ctx.signal, progress: ctx.progress })
const serialOf = (ctx: ActionContext) => {
  const s = ctx.facts.serial
  if (typeof s !== 'string' || !s) throw new AppError('FORBIDDEN', 'The serial number of the device is not known yet.', { hint: 'Complete the “Serial number” step first.', key: 'my2nMove.serialUnknown' })
  return s
}
const address = (ctx: ActionContext): DeviceAddress | null => (typeof ctx.facts.deviceAddress === 'string' && ctx.facts.deviceAddress ? parseAddress(ctx.facts.deviceAddress) : null)

/** Refuses when this run already failed to log in often enough that one more try risks the device's lockout. */
function guardLogin(ctx: ActionContext): void {
  const fails = (ctx.facts.failedLogins as number | undefined) ?? 0
  const last = Date.parse(String(ctx.facts.lastFailedLogin ?? '')) || 0
  if (fails >= MAX_FAILED_LOGINS && Date.now() - last < LOGIN_WINDOW_MS)
    throw new AppError('LOCKOUT_RISK', `The device already rejected ${fails} logins from this console; another try could lock the account.`, {
      hint: `Check the password with the customer and wait ${Math.ceil((LOGIN_WINDOW_MS - (Date.now() - last)) / 60_000)} minutes before trying again.`,
      key: 'my2nMove.tooManyFails', values: { n: fails, min: Math.ceil((LOGIN_WINDOW_MS - (Date.now() - last)) / 60_000) },
    })
  if (fails >= MAX_FAILED_LOGINS) ctx.facts.failedLogins = 0
}
function loginFailed(ctx: ActionContext): void {
  ctx.facts.failedLogins = ((ctx.facts.failedLogins as number | undefined) ?? 0) + 1
  ctx.facts.lastFailedLogin = new Date().toISOString()
}
// Keyed (HMAC), so the run's facts hold nothing a copy of the database could brute-force.
const credHash = (ctx: ActionContext, c: Credentials) => ctx.fingerprint(['rejected-login', String(ctx.facts.serial ?? ''), c.username, c.password]).slice(0, 32)

/**
 * Runs a device operation that logs in with `creds`. A credential the device rejected is
 * never sent again in this run (only its hash is kept), and after MAX_FAILED_LOGINS
 * rejections the console stops trying for a while: repeated failures lock 2N accounts.
 */
async function withLogin<T>(ctx: ActionContext, creds: Credentials, fn: () => Promise<T>): Promise<T> {
  const rejected = (ctx.facts.rejectedLogins as string[] | undefined) ?? []
  if (rejected.includes(credHash(ctx, creds)))
    throw new AppError('LOCKOUT_RISK', `The device already rejected this password for ${creds.username}; the console will not send it again, so the account cannot be locked because of it.`, { hint: 'Find out the right password (ask the customer), then run the step with it.', key: 'my2nMove.passwordRejected', values: { user: creds.username } })
  guardLogin(ctx)
  try {
    const r = await fn()
    ctx.facts.failedLogins = 0
    return r
  } catch (e) {
    if (e instanceof AppError && e.code === 'UNAUTHORIZED') {
      loginFailed(ctx)
      ctx.facts.rejectedLogins = [...rejected, credHash(ctx, creds)].slice(-20)
    }
    throw e
  }
}
function deviceCreds(ctx: ActionContext): Credentials {
  const password = ctx.secret('devicePassword')
  if (!password) throw new AppError('VALIDATION', 'Type the device password (the admin password the customer uses today).', { field: 'inputs.devicePassword', key: 'my2nMove.typePassword' })
  return { username: String(ctx.facts.deviceUser || 'admin'), password }
}

/** Stores a verified backup with the run and records it as the one the reset relies on. */
async function keepBackup(ctx: ActionContext, data: Buffer, source: string): Promise<ActionResult> {
  const serial = serialOf(ctx)
  const b = verifyBackup(data, serial)
  const f = await ctx.storeFile({ kind: 'backup', name: `backup-${serial}-${new Date().toISOString().slice(0, 10)}.xml`, data, password: ctx.secret('backupPassword') ?? undefined, verified: true, detail: `${b.product ?? '2N'} ${b.firmware ?? ''}, ${b.settings.size} settings, ${source}` })
  ctx.facts.backupVerified = true
  ctx.facts.backupFileId = f.id
  ctx.facts.backupSha256 = f.sha256
  return { outcome: 'verified', result: { file: f.name, sha256: f.sha256, settings: b.settings.size, protected: f.protected } }
}

export function my2nMoveActions(deps: My2nMoveDeps): Record<string, Action> {
  const my2nAdd = (codeFrom: 'certificateCode' | 'securityCode'): Action => ({
    async run(ctx) {
      const serial = serialOf(ctx)
      const code = ctx.secret(codeFrom)
      if (!code) throw new AppError('VALIDATION', codeFrom === 'securityCode' ? 'No new security code is recorded for this run.' : 'Type the security code from the Certificate of Ownership.', { field: `inputs.${codeFrom}`, key: codeFrom === 'securityCode' ? 'my2nMove.noNewCode' : 'my2nMove.typeCertificateCode' })
      const client = await deps.my2n()
      ctx.progress(`Asking ${client.label}…`)
      const site = String(ctx.facts.site ?? '')
      let r = await client.addDevice({ serial, securityCode: code, site }, ctx.signal)
      // "Already added" may mean added to this very site by an earlier try whose reply was lost
      // (a crash, a timeout): that is done, not the "another account" branch.
      if (r.result === 'already-added' && site && (await client.inSite({ serial, site }, ctx.signal)) === true) {
        r = { result: 'added', message: `The device is already in site ${site} (an earlier attempt added it).` }
      }
      await ctx.audit('my2n.addDevice', r.result === 'added' ? 'ok' : 'failed', { serial, site: ctx.facts.site, provider: client.kind }, r.message)
      if (r.result === 'added') ctx.facts.registered = true
      return { outcome: r.result, result: { my2n: r.message } }
    },
    // Interrupted while asking My2N: the device may or may not have been added. Ask, don't guess.
    async recheck(ctx) {
      const site = String(ctx.facts.site ?? '')
      if (!site) return null
      const client = await deps.my2n()
      if ((await client.inSite({ serial: serialOf(ctx), site }, ctx.signal)) !== true) return null
      ctx.facts.registered = true
      return { outcome: 'added', result: { my2n: `The device is in site ${site}.` } }
    },
  })

  return {
    'my2n.checkSerial': {
      async run(ctx) {
        const c = checkSerial(String(ctx.inputs.serial ?? ''))
        if (!c.valid) {
          const hint = [c.normalized ? `Did you mean ${c.normalized}?` : '', ...c.hints].filter(Boolean).join(' ')
          throw new AppError('VALIDATION', `“${String(ctx.inputs.serial)}” is not a 2N serial number (NN-NNNN-NNNN).`, { field: 'inputs.serial', hint, key: 'my2nMove.badSerial', values: { serial: String(ctx.inputs.serial) } })
        }
        if (ctx.facts.deviceSerial && ctx.facts.deviceSerial !== c.normalized)
          throw new AppError('VALIDATION', `The device on the bench reports ${String(ctx.facts.deviceSerial)}, not ${c.normalized}.`, { field: 'inputs.serial', hint: 'Use the serial the device reports, or check that the right device is connected.', key: 'my2nMove.benchSerial', values: { live: String(ctx.facts.deviceSerial), typed: c.normalized ?? '' } })
        ctx.facts.serial = c.normalized
        return { outcome: 'ok', result: { serial: c.normalized } }
      },
    },

    'device.identify': {
      async run(ctx) {
        const raw = String(ctx.inputs.host ?? '').trim()
        if (!raw) {
          ctx.facts.onBench = false
          return { outcome: 'remote' }
        }
        const at = parseAddress(raw)
        ctx.progress(`Reading the identity of ${fmtAddress(at)}…`)
        const id = await deps.ops.identify(at, opCtx(ctx))
        ctx.facts.deviceAddress = fmtAddress(at)
        ctx.facts.deviceSerial = id.serial
        ctx.facts.deviceModel = id.model
        ctx.facts.firmware = id.firmware
        ctx.facts.onBench = true
        const result = { reported: id.serial, model: id.model, firmware: id.firmware, typed: ctx.facts.serial }
        return { outcome: id.serial === ctx.facts.serial ? 'match' : 'mismatch', result }
      },
    },

    'my2n.add': my2nAdd('certificateCode'),
    'my2n.register': my2nAdd('securityCode'),

    'my2n.recordCode': {
      async run(ctx) {
        if (!ctx.secret('securityCode')) throw new AppError('VALIDATION', 'Type the new security code.', { field: 'inputs.securityCode', key: 'my2nMove.typeNewCode' })
        ctx.facts.codeRegeneratedAt = new Date().toISOString()
        await ctx.audit('my2n.securityCode', 'info', { serial: ctx.facts.serial }, 'new My2N security code recorded; the previous code is no longer valid')
        return { outcome: 'ok', result: { note: 'The previous security code is no longer valid.' } }
      },
    },

    'device.backup': {
      async run(ctx) {
        const at = address(ctx)
        if (!at) return { outcome: 'manual', result: { why: 'device not on the bench' } }
        const creds = deviceCreds(ctx)
        ctx.progress('Downloading the configuration…')
        let data: Buffer
        try {
          data = await withLogin(ctx, creds, () => deps.ops.backup(at, creds, opCtx(ctx)))
        } catch (e) {
          if (e instanceof AppError && e.code === 'UNREACHABLE') return { outcome: 'manual', result: { why: e.message } }
          throw e
        }
        ctx.progress('Checking the backup…')
        return keepBackup(ctx, data, `downloaded from ${fmtAddress(at)}`)
      },
    },

    'backup.verifyUpload': {
      async run(ctx) {
        const files = (await ctx.files()).filter((f) => f.kind === 'backup')
        const f = files[files.length - 1]
        if (!f) throw new AppError('VALIDATION', 'Attach the backup file first.', { field: 'evidence.backup', key: 'my2nMove.attachBackup' })
        const data = await ctx.readFile(f.id, ctx.secret('backupPassword') ?? undefined)
        verifyBackup(data, serialOf(ctx)) // throws BAD_INPUT with the reason
        const r = await keepBackup(ctx, data, `uploaded as ${f.name}`)
        return { ...r, outcome: 'ok' }
      },
    },

    'device.factoryReset': {
      destructive: true,
      async run(ctx) {
        const at = address(ctx)
        if (!at) return { outcome: 'remote' }
        const serial = serialOf(ctx)
        const creds = deviceCreds(ctx)
        ctx.progress('Starting the factory reset (network settings and certificates)…', 0, 4)
        // Intent first: if the console dies during the call, the restart knows to ask the device.
        ctx.facts.resetRequestedAt = new Date().toISOString()
        await ctx.persist()
        await withLogin(ctx, creds, () => deps.ops.factoryReset(at, creds, { confirmSerial: serial, backupSha256: String(ctx.facts.backupSha256 ?? '') }, opCtx(ctx)))
        return rediscover(ctx, at, serial)
      },
      // Interrupted: ask the device. Factory login works → the reset happened; otherwise it did
      // not, and the agent decides whether to run it again (typed serial needed again).
      async recheck(ctx) {
        const at = address(ctx)
        if (!at) return null
        if (!ctx.facts.resetRequestedAt) return { blocked: 'The console stopped before the reset was sent. Run the step again to reset the device.' }
        return rediscover(ctx, at, serialOf(ctx))
      },
    },

    'device.relocate': {
      async run(ctx) {
        const at = parseAddress(String(ctx.inputs.host ?? ''))
        const id = await deps.ops.identify(at, opCtx(ctx))
        if (id.serial !== serialOf(ctx)) throw new AppError('VALIDATION', `The device at ${fmtAddress(at)} is ${id.serial}, not ${String(ctx.facts.serial)}.`, { field: 'inputs.host', hint: 'Find the device with the right serial number.', key: 'my2nMove.otherDevice', values: { address: fmtAddress(at), live: id.serial, expected: String(ctx.facts.serial) } })
        if (!(await deps.ops.checkLogin(at, FACTORY_CREDS, opCtx(ctx)))) throw new AppError('VALIDATION', 'This device does not accept admin / 2n: it is not in factory state.', { field: 'inputs.host', hint: 'Check that the reset has finished, or reset the device again.', key: 'my2nMove.notFactory' })
        ctx.facts.deviceAddress = fmtAddress(at)
        return { outcome: 'ok', result: { address: fmtAddress(at) } }
      },
    },

    'device.newPassword': {
      async run(ctx) {
        const at = address(ctx)
        if (!at) throw new AppError('FORBIDDEN', 'The device address is not known.', { hint: 'Complete “Find the device again” first.', key: 'my2nMove.addressUnknown' })
        // Sealed BEFORE the device changes: a crash right after the change cannot lose it.
        const pending = ctx.secret('newPassword') && ctx.facts.passwordPending ? ctx.secret('newPassword')! : null
        // A retry after "admin / 2n still works": if the default login has since gone, the
        // password set last time is what the device has now. Check it before anything else, or
        // the run would try admin / 2n (now rejected) and never show the password it set. Only
        // when the device took it: a password it never accepted would just be one more failure.
        // The same after a try the console did not see end (it stopped while the change was
        // on its way): the device may have taken the password or not (verifyPassword asks).
        if (pending && (ctx.facts.passwordOnDevice || ctx.facts.passwordInFlight)) {
          const again = await verifyPassword(ctx, at, pending, false)
          if (again && !('blocked' in again)) return again
        }
        const password = pending ?? strongPassword()
        await ctx.setSecret('newPassword', password)
        ctx.facts.passwordPending = true
        ctx.facts.passwordInFlight = true
        await ctx.persist()
        ctx.progress('Setting the new password…', 1, 3)
        const typed = ctx.secret('currentPassword')
        const current = typed ? { username: 'admin', password: typed } : FACTORY_CREDS
        try {
          await withLogin(ctx, current, () => deps.ops.setPassword(at, current, password, opCtx(ctx)))
        } finally {
          // An answer, good or bad, ends the doubt; only a console that stops leaves it in flight.
          ctx.facts.passwordInFlight = false
        }
        ctx.facts.passwordOnDevice = true
        await ctx.persist()
        return (await verifyPassword(ctx, at, password, true))!
      },
      async recheck(ctx) {
        const at = address(ctx)
        const password = ctx.secret('newPassword')
        if (!at || !password) return null
        return verifyPassword(ctx, at, password, false)
      },
    },

    'backup.diff': {
      async run(ctx) {
        const at = address(ctx)
        const saved = await backupBytes(ctx)
        if (!at) throw new AppError('FORBIDDEN', 'The device is not reachable from this console.', { hint: 'Restore from the web interface instead, or skip with a reason.', key: 'my2nMove.unreachable' })
        const password = ctx.secret('newPassword')
        if (!password) throw new AppError('FORBIDDEN', 'The console does not know the device password.', { hint: 'Run “Set a new strong password” first.', key: 'my2nMove.passwordUnknown' })
        ctx.progress('Downloading the current configuration…')
        const now = await withLogin(ctx, { username: 'admin', password }, () => deps.ops.backup(at, { username: 'admin', password }, opCtx(ctx)))
        const d = diffBackups(parseBackup(saved), parseBackup(now))
        return { outcome: 'ready', result: { changes: d.lines.length + d.more, diff: d.lines, more: d.more } }
      },
    },

    'device.restore': {
      destructive: true,
      async run(ctx) {
        const at = address(ctx)
        const password = ctx.secret('newPassword')
        if (!at || !password) throw new AppError('FORBIDDEN', 'The device address or its new password is not known.', { hint: 'Run the earlier steps first.', key: 'my2nMove.addressOrPasswordUnknown' })
        const saved = await backupBytes(ctx)
        verifyBackup(saved, serialOf(ctx))
        ctx.progress('Uploading the saved configuration…')
        await withLogin(ctx, { username: 'admin', password }, () => deps.ops.restore(at, { username: 'admin', password }, saved, opCtx(ctx)))
        return { outcome: 'restored' }
      },
    },
  }

  async function rediscover(ctx: ActionContext, previous: DeviceAddress, serial: string): Promise<ActionResult> {
    ctx.progress('Waiting for the device to restart and finding it again…', 2, 4)
    const found = await deps.ops.waitForDevice(serial, { previous, timeoutMs: deps.rediscoverMs ?? 180_000 }, opCtx(ctx))
    if (!found) return { outcome: 'lost', result: { why: `Device ${serial} did not answer within ${Math.round((deps.rediscoverMs ?? 180_000) / 1000)} s.` } }
    ctx.facts.deviceAddress = fmtAddress(found)
    ctx.progress('Logging in with admin / 2n…', 3, 4)
    if (!(await deps.ops.checkLogin(found, FACTORY_CREDS, opCtx(ctx))))
      return { blocked: `Device ${serial} answers at ${fmtAddress(found)} but does not accept admin / 2n: the reset was not carried out. Check the device, then run the step again (typed confirmation) or skip it with a reason.` }
    ctx.facts.resetDone = true
    const moved = fmtAddress(found) !== fmtAddress(previous)
    return { outcome: 'reset', result: { address: fmtAddress(found), moved } }
  }

  /** `fresh`: just set by this run (a mismatch is a failure); otherwise re-checking after an interruption. */
  async function verifyPassword(ctx: ActionContext, at: DeviceAddress, password: string, fresh: boolean): Promise<ActionResult | null> {
    ctx.progress('Checking the new password and that admin / 2n is refused…', 2, 3)
    // admin / 2n already rejected in this run: known not to work, and never sent again.
    let factoryRefused = ((ctx.facts.rejectedLogins as string[] | undefined) ?? []).includes(credHash(ctx, FACTORY_CREDS))
    if (!fresh && ctx.facts.passwordInFlight && !ctx.facts.passwordOnDevice && !factoryRefused) {
      // Cut short: while admin / 2n works the device never took the new password, and asking
      // it with that password would only record a rejection of the one the run is to set.
      if (await deps.ops.checkLogin(at, FACTORY_CREDS, opCtx(ctx))) return null
      factoryRefused = true
    }
    const works = await deps.ops.checkLogin(at, { username: 'admin', password }, opCtx(ctx))
    if (!works) return fresh ? { failed: 'The device did not accept the new password after setting it.' } : null
    const oldWorks = factoryRefused ? false : await deps.ops.checkLogin(at, FACTORY_CREDS, opCtx(ctx))
    if (oldWorks) return { blocked: 'The default admin / 2n still works on the device. Set the password again.' }
    if (!ctx.facts.passwordOnDevice) {
      // The device has the password but the console stopped before it saw the change end:
      // the API account made with it (a second request) may be missing, and every later step
      // (restore, diff) uses that account. Completing the change creates it where none exists.
      const creds = { username: 'admin', password }
      await withLogin(ctx, creds, () => deps.ops.setPassword(at, creds, password, opCtx(ctx)))
      ctx.facts.passwordOnDevice = true
    }
    ctx.facts.passwordInFlight = false
    await ctx.persist()
    ctx.facts.passwordPending = false
    ctx.facts.passwordSet = true
    ctx.facts.deviceUser = 'admin'
    ctx.reveal(MY2N_REVEAL.newPassword, 'newPassword')
    return { outcome: 'set', result: { newPasswordWorks: true, defaultRefused: true } }
  }

  async function backupBytes(ctx: ActionContext): Promise<Buffer> {
    const id = Number(ctx.facts.backupFileId)
    if (!id) throw new AppError('FORBIDDEN', 'No verified backup is stored for this run.', { key: 'my2nMove.noVerifiedBackup' })
    return ctx.readFile(id, ctx.secret('backupPassword') ?? undefined)
  }
}
