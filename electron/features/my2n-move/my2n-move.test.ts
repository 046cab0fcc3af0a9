import { describe, expect, it } from 'vitest'
import type { Credentials, DeviceAddress } from '../workflows/device-port'
import { FACTORY_CREDS } from './actions'
import { FakeDevice, FakeMy2n, SERIAL, ticket, toBackup, workbench } from '../workflows/testing'

describe('my2n-move procedure on the engine', () => {
  it('happy path: already added → new code → backup → reset → new password → register → restore', async () => {
    const w = workbench()
    const runId = await toBackup(w)
    let r = await w.engine.get(runId)
    expect(r.current?.stepId).toBe('backup')
    expect(r.secrets).toContain('securityCode')
    await w.engine.runAuto(runId, 'backup', { username: 'admin', devicePassword: w.device.password })
    await w.engine.settled(runId)
    r = await w.engine.get(runId)
    expect(r.current?.stepId).toBe('reset')
    expect(r.facts.backupVerified).toBe(true)
    // Typed serial confirmation is enforced.
    await expect(w.engine.runAuto(runId, 'reset', { confirm: '54-0562-0290' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(w.device.calls).not.toContain('factoryReset')
    w.device.comesBackAt = { host: '127.0.0.11', port: 8080 }
    await w.engine.runAuto(runId, 'reset', { confirm: SERIAL })
    await w.engine.settled(runId)
    r = await w.engine.get(runId)
    expect(r.current?.stepId).toBe('password')
    expect(r.facts.deviceAddress).toBe('127.0.0.11:8080')
    const reply = await w.engine.runAuto(runId, 'password', {})
    expect(reply.reveal?.value).toMatch(/^.{16}$/)
    expect(w.device.password).toBe(reply.reveal?.value)
    await w.engine.settled(runId)
    r = await w.engine.get(runId)
    expect(r.current?.stepId).toBe('register')
    expect(JSON.stringify(r)).not.toContain(w.device.password) // never in a view
    await w.engine.runAuto(runId, 'register', { site: 'new-site' })
    await w.engine.settled(runId)
    expect(w.my2n.owner[SERIAL]).toBe('new-site')
    await w.engine.completeStep(runId, 'restore-offer', {}, 'review')
    await w.engine.runAuto(runId, 'restore-review', {})
    await w.engine.settled(runId)
    r = await w.engine.get(runId)
    const review = r.timeline.find((e) => e.stepId === 'restore-review' && e.state === 'done')!
    expect(review.result.diff).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'Directory/User/Name', before: 'Novák', after: null })]))
    await w.engine.runAuto(runId, 'restore', { confirm: SERIAL })
    await w.engine.settled(runId)
    expect(w.device.config).toContain('Novák')
    await w.engine.completeStep(runId, 'close-out', { customerInformed: true })
    r = await w.engine.get(runId)
    expect(r.status).toBe('completed')
    expect(r.timeline.every((e) => e.state === 'done')).toBe(true)
    // Every step is audited; secrets never reach the audit trail.
    const audit = w.auditRows()
    for (const step of ['serial', 'bench', 'my2n-check', 'already-added', 'new-code', 'backup', 'reset', 'password', 'register', 'restore', 'close-out'])
      expect(audit.some((a) => a.action === `workflow.step.${step}`)).toBe(true)
    const all = JSON.stringify(audit)
    expect(all).not.toContain('NEW-CODE-1234')
    expect(all).not.toContain('CERT-CODE')
    expect(all).not.toContain(w.device.password)
    expect(audit.filter((a) => a.action === 'workflow.step.reset')[0].device).toBe(SERIAL)
  })

  it('serial typos get hints; the bench serial must match; "does not exist" leads back to the serial', async () => {
    const w = workbench()
    const t = await ticket(w)
    const run = await w.engine.start(t.id, 'my2n-move')
    await expect(w.engine.completeStep(run.id, 'serial', { serial: '54-O562-0293', foundAt: 'label' })).rejects.toMatchObject({ code: 'VALIDATION', hint: expect.stringMatching(/Did you mean 54-0562-0293\?.*“O”/) })
    await expect(w.engine.completeStep(run.id, 'serial', { serial: '5405620293', foundAt: 'label' })).rejects.toMatchObject({ hint: expect.stringMatching(/dashes were missing/) })
    await w.engine.completeStep(run.id, 'serial', { serial: '54-0562-0239', foundAt: 'certificate' })
    await w.engine.runAuto(run.id, 'bench', { host: '127.0.0.10:8080' })
    await w.engine.settled(run.id)
    let r = await w.engine.get(run.id)
    expect(r.current?.stepId).toBe('serial')
    expect(r.timeline.find((e) => e.stepId === 'bench')?.outcome).toBe('mismatch')
    // The device's serial wins over a retyped wrong one.
    await expect(w.engine.completeStep(run.id, 'serial', { serial: '54-0562-0239', foundAt: 'label' })).rejects.toMatchObject({ code: 'VALIDATION' })
    await w.engine.completeStep(run.id, 'serial', { serial: SERIAL, foundAt: 'bench' })
    await w.engine.runAuto(run.id, 'bench', { host: '127.0.0.10:8080' })
    await w.engine.settled(run.id)
    // My2N does not know it (simulates a typo My2N catches).
    await w.engine.runAuto(run.id, 'my2n-check', { site: 's1', certificateCode: 'X' })
    await w.engine.settled(run.id)
    r = await w.engine.get(run.id)
    expect(r.current?.stepId).toBe('serial')
    expect(r.timeline.find((e) => e.stepId === 'my2n-check')).toMatchObject({ outcome: 'not-found', tone: 'bad' })
  })

  it('refuses the reset without a verified backup, and a backup that does not parse', async () => {
    const w = workbench()
    const runId = await toBackup(w)
    w.device.config = '<html><body>Login</body></html>'
    await w.engine.runAuto(runId, 'backup', { username: 'admin', devicePassword: w.device.password })
    await w.engine.settled(runId)
    let r = await w.engine.get(runId)
    expect(r.current?.stepId).toBe('backup')
    expect(r.timeline.filter((e) => e.stepId === 'backup').map((e) => e.state)).toEqual(['failed', 'current'])
    expect(r.timeline.find((e) => e.state === 'failed')?.why).toMatch(/web page, not a configuration backup/)
    // Skip to the reset without a backup: blocked with why, device untouched.
    await w.engine.skipStep(runId, 'backup', 'customer wants to skip')
    await expect(w.engine.runAuto(runId, 'reset', { confirm: SERIAL })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    r = await w.engine.get(runId)
    expect(r.timeline.find((e) => e.stepId === 'reset')).toMatchObject({ state: 'blocked', why: expect.stringMatching(/verified backup/) })
    expect(w.device.calls).not.toContain('factoryReset')
  })

  it('manual backup upload: verified (serial matches), stored password-protected', async () => {
    const w = workbench()
    const runId = await toBackup(w)
    w.device.address = { host: '127.0.0.77', port: 1 } // no longer reachable from here
    await w.engine.runAuto(runId, 'backup', { username: 'admin', devicePassword: 'x' })
    await w.engine.settled(runId)
    expect((await w.engine.get(runId)).current?.stepId).toBe('backup-upload')
    await w.engine.attach(runId, 'backup-upload', 'backup', 'other.xml', Buffer.from(new FakeDevice('54-1111-2222').config))
    await expect(w.engine.completeStep(runId, 'backup-upload', {})).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/belongs to device 54-1111-2222/) })
    await w.engine.attach(runId, 'backup-upload', 'backup', 'cfg.xml', Buffer.from(w.device.config))
    await w.engine.completeStep(runId, 'backup-upload', { backupPassword: 'protect-me' })
    const r = await w.engine.get(runId)
    expect(r.current?.stepId).toBe('reset')
    const stored = r.timeline.flatMap((e) => e.files).find((f) => f.verified)!
    expect(stored.protected).toBe(true)
    expect(r.secrets).not.toContain('backupPassword') // transient: never stored
  })

  it('lockout risk: after two rejected logins the console refuses to try again', async () => {
    const w = workbench()
    const runId = await toBackup(w)
    for (let i = 0; i < 2; i++) {
      await w.engine.runAuto(runId, 'backup', { username: 'admin', devicePassword: `wrong-${i}` })
      await w.engine.settled(runId)
    }
    expect(w.device.rejected).toBe(2)
    await w.engine.runAuto(runId, 'backup', { username: 'admin', devicePassword: 'wrong-3' })
    await w.engine.settled(runId)
    expect(w.device.rejected).toBe(2) // not tried
    const cur = (await w.engine.get(runId)).timeline.filter((e) => e.stepId === 'backup').at(-1)!
    expect(cur).toMatchObject({ state: 'blocked', why: expect.stringMatching(/could lock the account/) })
  })

  it('a step interrupted by a crash is re-checked on restart, never re-run blindly', async () => {
    const dataDir = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'sc-wf-crash-'))
    const device = new FakeDevice()
    const my2n = new FakeMy2n()
    const w = workbench({ dataDir, device, my2n })
    const runId = await toBackup(w)
    await w.engine.runAuto(runId, 'backup', { username: 'admin', devicePassword: device.password })
    await w.engine.settled(runId)
    // The process "dies" while the reset is in flight: the step row stays 'running'.
    device.onReset = () => new Promise(() => undefined)
    void w.engine.runAuto(runId, 'reset', { confirm: SERIAL })
    await new Promise((r) => setTimeout(r, 50))
    w.db.close()
    device.onReset = null
    device.address = { host: '127.0.0.12', port: 8080 }
    device.comesBackAt = { host: '127.0.0.12', port: 8080 }
    const w2 = workbench({ dataDir, device, my2n })
    expect((await w2.engine.get(runId)).current).toMatchObject({ stepId: 'reset', running: true })
    const resets = device.calls.filter((c) => c === 'factoryReset').length
    expect(await w2.engine.resumeInterrupted()).toBe(1)
    await w2.engine.settled(runId)
    const r = await w2.engine.get(runId)
    expect(device.calls.filter((c) => c === 'factoryReset').length).toBe(resets) // not sent again
    expect(r.current?.stepId).toBe('password')
    expect(r.facts.deviceAddress).toBe('127.0.0.12:8080')
    expect(w2.auditRows().some((a) => /interrupted/.test(a.detail))).toBe(true)
  })

  it('previous owner branch produces a message template with the serial and customer', async () => {
    const w = workbench({ my2n: Object.assign(new FakeMy2n(), { codes: { [SERIAL]: 'C' }, owner: { [SERIAL]: 'old' } }) })
    const t = await ticket(w, SERIAL)
    const run = await w.engine.start(t.id, 'my2n-move')
    await w.engine.completeStep(run.id, 'serial', { serial: SERIAL, foundAt: 'label' })
    await w.engine.runAuto(run.id, 'bench', {})
    await w.engine.settled(run.id)
    await w.engine.runAuto(run.id, 'my2n-check', { site: 'new', certificateCode: 'C' })
    await w.engine.settled(run.id)
    await w.engine.completeStep(run.id, 'already-added', {}, 'previous-owner')
    const r = await w.engine.get(run.id)
    expect(r.current?.template?.body).toContain(SERIAL)
    expect(r.current?.template?.body).toContain('Nováková s.r.o.')
    w.my2n.owner = {}
    await w.engine.completeStep(run.id, 'previous-owner', {}, 'deleted')
    await w.engine.runAuto(run.id, 'my2n-check', { site: 'new', certificateCode: 'C' })
    await w.engine.settled(run.id)
    expect((await w.engine.get(run.id)).current?.stepId).toBe('close-out')
  })

  it('a paused run continues in a fresh engine on the same data (restart, a week later); abandon ends it and a new run can start', async () => {
    const dataDir = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'sc-wf-pause-'))
    const device = new FakeDevice()
    const my2n = new FakeMy2n()
    const w = workbench({ dataDir, device, my2n })
    const runId = await toBackup(w)
    await w.engine.addNote(runId, 'backup', 'customer calls back next week')
    w.db.close()
    const w2 = workbench({ dataDir, device, my2n })
    expect(await w2.engine.resumeInterrupted()).toBe(0) // nothing was in flight
    let r = await w2.engine.get(runId)
    expect(r.current?.stepId).toBe('backup')
    expect(r.secrets).toEqual(expect.arrayContaining(['certificateCode', 'securityCode']))
    expect(r.timeline.find((e) => e.stepId === 'backup')?.notes[0]?.body).toBe('customer calls back next week')
    await w2.engine.runAuto(runId, 'backup', { username: 'admin', devicePassword: device.password })
    await w2.engine.settled(runId)
    expect((await w2.engine.get(runId)).current?.stepId).toBe('reset')
    await expect(w2.engine.start(r.ticketId, 'my2n-move')).rejects.toMatchObject({ code: 'CONFLICT' })
    r = await w2.engine.abandon(runId, 'customer bought a new unit')
    expect(r.status).toBe('abandoned')
    await expect(w2.engine.runAuto(runId, 'reset', { confirm: SERIAL })).rejects.toMatchObject({ code: 'CONFLICT' })
    const again = await w2.engine.start(r.ticketId, 'my2n-move')
    expect(again.current?.stepId).toBe('serial')
    expect((await w2.engine.forTicket(r.ticketId)).map((x) => x.status)).toEqual(['active', 'abandoned'])
  })

  it('device only at the customer site: no bench, uploaded backup, the customer resets it, registration with the new code', async () => {
    const w = workbench()
    w.my2n.codes[SERIAL] = 'CERT'
    w.my2n.owner[SERIAL] = 'old'
    w.my2n.ownerCode[SERIAL] = 'CERT'
    const t = await ticket(w, SERIAL)
    const run = await w.engine.start(t.id, 'my2n-move')
    await w.engine.completeStep(run.id, 'serial', { serial: SERIAL, foundAt: 'certificate' })
    await w.engine.runAuto(run.id, 'bench', {})
    await w.engine.settled(run.id)
    await w.engine.runAuto(run.id, 'my2n-check', { site: 'new', certificateCode: 'CERT' })
    await w.engine.settled(run.id)
    await w.engine.completeStep(run.id, 'already-added', {}, 'new-code')
    w.my2n.codes[SERIAL] = 'NEW'
    await w.engine.completeStep(run.id, 'new-code', { securityCode: 'NEW', oldCodeInvalid: true })
    await w.engine.runAuto(run.id, 'backup', { username: 'admin' })
    await w.engine.settled(run.id)
    await w.engine.attach(run.id, 'backup-upload', 'backup', 'cfg.xml', Buffer.from(w.device.config))
    await w.engine.completeStep(run.id, 'backup-upload', {})
    await w.engine.runAuto(run.id, 'reset', { confirm: SERIAL })
    await w.engine.settled(run.id)
    let r = await w.engine.get(run.id)
    expect(r.timeline.find((e) => e.stepId === 'reset')).toMatchObject({ outcome: 'remote', why: expect.stringMatching(/strong one/) })
    expect(w.device.calls.filter((c) => c !== 'identify')).toEqual([]) // the console never touched the device
    await w.engine.runAuto(run.id, 'register', { site: 'new' })
    await w.engine.settled(run.id)
    expect(w.my2n.owner[SERIAL]).toBe('new')
    await w.engine.completeStep(run.id, 'restore-offer', {}, 'keep')
    await w.engine.completeStep(run.id, 'close-out', { customerInformed: true })
    r = await w.engine.get(run.id)
    expect(r.status).toBe('completed')
  })
})

/** An intercom on which admin / 2n keeps working after a new admin password was set (a second admin account, a firmware that ignores the change…). */
class KeepsFactoryLogin extends FakeDevice {
  keepsDefault = true
  private isDefault(c: Credentials) {
    return this.keepsDefault && c.username === FACTORY_CREDS.username && c.password === FACTORY_CREDS.password
  }
  override async checkLogin(a: DeviceAddress, c: Credentials) {
    return (await super.checkLogin(a, c)) || this.isDefault(c)
  }
  override async setPassword(a: DeviceAddress, c: Credentials, p: string) {
    return super.setPassword(a, this.isDefault(c) ? { ...c, password: this.password } : c, p)
  }
}

/** Backup, reset: the run waits on "Set a new strong password" with the device in factory state. */
async function toPassword(w: ReturnType<typeof workbench>) {
  const runId = await toBackup(w)
  await w.engine.runAuto(runId, 'backup', { username: 'admin', devicePassword: w.device.password })
  await w.engine.settled(runId)
  await w.engine.runAuto(runId, 'reset', { confirm: SERIAL })
  await w.engine.settled(runId)
  expect((await w.engine.get(runId)).current?.stepId).toBe('password')
  expect(w.device.password).toBe('2n')
  return runId
}

/** My2N that registers the device and then never answers (the reply is lost, the console dies). */
class LosesReply extends FakeMy2n {
  hang = false
  override async addDevice(r: { serial: string; securityCode: string; site: string }) {
    const res = await super.addDevice(r)
    if (this.hang) return new Promise<never>(() => undefined)
    return res
  }
}

describe('my2n-move: registration in the new site is safe to repeat', () => {
  it('a registration My2N carried out but whose reply was lost is recognised on restart and on a retry', async () => {
    const dataDir = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'sc-wf-reg-'))
    const device = new FakeDevice()
    const my2n = new LosesReply()
    const w = workbench({ dataDir, device, my2n })
    const runId = await toPassword(w)
    await w.engine.runAuto(runId, 'password', {})
    await w.engine.settled(runId)
    expect((await w.engine.get(runId)).current?.stepId).toBe('register')
    my2n.hang = true
    const adds = my2n.calls.length
    void w.engine.runAuto(runId, 'register', { site: 'new-site' })
    await new Promise((r) => setTimeout(r, 50))
    expect(my2n.owner[SERIAL]).toBe('new-site') // My2N did it…
    w.db.close() // …and the console died before hearing so.
    my2n.hang = false
    const w2 = workbench({ dataDir, device, my2n })
    expect(await w2.engine.resumeInterrupted()).toBe(1)
    await w2.engine.settled(runId)
    let r = await w2.engine.get(runId)
    expect(r.timeline.filter((e) => e.stepId === 'register').at(-1)).toMatchObject({ state: 'done', outcome: 'added' })
    expect(r.current?.stepId).toBe('restore-offer')
    expect(my2n.calls.length).toBe(adds + 1) // asked whether it is there, not added again

    // A plain retry of the add (say the agent went back) gets "already added" from My2N, and the
    // console sees it is this very site: added, not the "another account" branch.
    const w3 = workbench({ device, my2n })
    const run3 = await toPassword(w3)
    await w3.engine.runAuto(run3, 'password', {})
    await w3.engine.settled(run3)
    my2n.owner[SERIAL] = 'new-site' // an earlier attempt got through
    await w3.engine.runAuto(run3, 'register', { site: 'new-site' })
    await w3.engine.settled(run3)
    r = await w3.engine.get(run3)
    expect(r.timeline.filter((e) => e.stepId === 'register').at(-1)).toMatchObject({ state: 'done', outcome: 'added', result: { my2n: expect.stringMatching(/already in site new-site/) } })
    expect(r.current?.stepId).toBe('restore-offer')
  })
})

describe('my2n-move: the new password and the factory login', () => {
  it('admin / 2n still works after the new password was set: the step is blocked with why, nothing is reported as verified', async () => {
    const device = new KeepsFactoryLogin()
    const w = workbench({ device })
    const runId = await toPassword(w)
    const reply = await w.engine.runAuto(runId, 'password', {})
    await w.engine.settled(runId)
    const set = device.password
    expect(set).not.toBe('2n') // the device took the new password…
    expect(await device.checkLogin(device.address, FACTORY_CREDS)).toBe(true) // …and still lets admin / 2n in
    let r = await w.engine.get(runId)
    expect(r.current).toMatchObject({ stepId: 'password', running: false })
    expect(r.timeline.filter((e) => e.stepId === 'password').at(-1)).toMatchObject({ state: 'blocked', tone: 'warn', why: 'The default admin / 2n still works on the device. Set the password again.' })
    expect(r.facts.passwordSet).toBeUndefined()
    expect(reply.reveal).toBeNull() // not handed out as a verified password
    expect(r.pendingReveal).toBeNull()
    expect(r.revealAgain).toBeNull()
    await expect(w.engine.revealAgain(runId, 'asked for it')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(r.timeline.some((e) => e.stepId === 'register' && e.row !== null)).toBe(false)
    expect(w.auditRows().filter((a) => a.action === 'workflow.step.password').at(-1)).toMatchObject({ outcome: 'refused', detail: expect.stringMatching(/admin \/ 2n still works/) })
    // Trying again while the factory login still works: blocked again, with the password already on the device (no second random one).
    await w.engine.runAuto(runId, 'password', {})
    await w.engine.settled(runId)
    r = await w.engine.get(runId)
    expect(r.current?.stepId).toBe('password')
    expect(r.timeline.filter((e) => e.stepId === 'password').at(-1)).toMatchObject({ state: 'blocked', why: expect.stringMatching(/admin \/ 2n still works/) })
    expect(device.password).toBe(set)
    expect(device.calls.filter((c) => c === 'setPassword')).toHaveLength(2)
    expect(JSON.stringify(w.auditRows())).not.toContain(set)
    // The second account is removed on the device: admin / 2n is gone. The next try checks the
    // password already set, finds it works, and shows it once, without sending admin / 2n again.
    device.keepsDefault = false
    const calls = device.calls.length
    const done = await w.engine.runAuto(runId, 'password', {})
    await w.engine.settled(runId)
    r = await w.engine.get(runId)
    expect(r.current?.stepId).toBe('register')
    const shown = done.reveal?.value ?? (await w.engine.takeReveal(runId))?.value
    expect(shown).toBe(set)
    expect(device.calls.slice(calls)).toEqual(['checkLogin:other', 'checkLogin:default'])
  })

  it('the console stops while the password is being set, after the device took it: the re-check completes the change (API account) before the step is done', async () => {
    const dataDir = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'sc-wf-pw-'))
    const device = new FakeDevice()
    const w = workbench({ dataDir, device })
    const runId = await toPassword(w)
    // The device changes its password, then the process "dies" before the reply is seen.
    const setPassword = device.setPassword.bind(device)
    device.setPassword = async (a, c, p) => {
      await setPassword(a, c, p)
      return new Promise(() => undefined)
    }
    void w.engine.runAuto(runId, 'password', {})
    await new Promise((r) => setTimeout(r, 50))
    w.db.close()
    device.setPassword = setPassword
    const set = device.password
    expect(set).not.toBe('2n')
    const w2 = workbench({ dataDir, device })
    const before = device.calls.length
    expect(await w2.engine.resumeInterrupted()).toBe(1)
    await w2.engine.settled(runId)
    const r = await w2.engine.get(runId)
    expect(r.current?.stepId).toBe('register')
    // admin / 2n first (refused: the device took the new one), then the new password, then the change completed.
    expect(device.calls.slice(before)).toEqual(['checkLogin:default', 'checkLogin:other', 'setPassword'])
    expect(device.password).toBe(set)
    expect((await w2.engine.takeReveal(runId))?.value).toBe(set)
  })

  it('the console stops before the device took the new password: the re-check finds admin / 2n and never sends the new one as a login; Run sets it', async () => {
    const dataDir = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'sc-wf-pw-'))
    const device = new FakeDevice()
    const w = workbench({ dataDir, device })
    const runId = await toPassword(w)
    const setPassword = device.setPassword.bind(device)
    device.setPassword = () => new Promise(() => undefined)
    void w.engine.runAuto(runId, 'password', {})
    await new Promise((r) => setTimeout(r, 50))
    w.db.close()
    device.setPassword = setPassword
    expect(device.password).toBe('2n')
    const w2 = workbench({ dataDir, device })
    const before = device.calls.length
    expect(await w2.engine.resumeInterrupted()).toBe(1)
    await w2.engine.settled(runId)
    expect((await w2.engine.get(runId)).current?.stepId).toBe('password')
    expect(device.calls.slice(before)).toEqual(['checkLogin:default'])
    const done = await w2.engine.runAuto(runId, 'password', {})
    await w2.engine.settled(runId)
    expect((await w2.engine.get(runId)).current?.stepId).toBe('register')
    expect(device.calls.slice(before).indexOf('checkLogin:other')).toBeGreaterThan(device.calls.slice(before).indexOf('setPassword'))
    expect(device.rejected).toBe(0)
    expect(done.reveal?.value ?? (await w2.engine.takeReveal(runId))?.value).toBe(device.password)
  })

  it('admin / 2n rejected at the password step: pressing Run again sends no login at all (not the new password either)', async () => {
    const w = workbench()
    const runId = await toPassword(w)
    w.device.password = 'Someone-Else-1' // set at the site meanwhile
    await w.engine.runAuto(runId, 'password', {})
    await w.engine.settled(runId)
    expect(w.device.rejected).toBe(1)
    const calls = w.device.calls.length
    await w.engine.runAuto(runId, 'password', {})
    await w.engine.settled(runId)
    expect(w.device.rejected).toBe(1)
    expect(w.device.calls.slice(calls).filter((c) => c.startsWith('checkLogin') || c === 'setPassword')).toEqual([])
    expect((await w.engine.get(runId)).timeline.filter((e) => e.stepId === 'password').at(-1)?.why).toMatch(/will not send it again/)
  })

  it('after a good password step the device refuses admin / 2n, accepts the password shown once, and the console checked both', async () => {
    const w = workbench()
    const runId = await toPassword(w)
    const before = w.device.calls.length
    const reply = await w.engine.runAuto(runId, 'password', {})
    await w.engine.settled(runId)
    const r = await w.engine.get(runId)
    expect(r.current?.stepId).toBe('register')
    expect(r.timeline.find((e) => e.stepId === 'password')).toMatchObject({ state: 'done', outcome: 'set', result: { newPasswordWorks: true, defaultRefused: true } })
    // The console itself tried the factory login after setting the password, and it was refused.
    expect(w.device.calls.slice(before)).toEqual(['setPassword', 'checkLogin:other', 'checkLogin:default'])
    const at = w.device.address
    expect(await w.device.checkLogin(at, FACTORY_CREDS)).toBe(false)
    expect(await w.device.checkLogin(at, { username: 'admin', password: reply.reveal!.value })).toBe(true)
    // Shown again only with a reason, audited with it; the password itself never in the trail.
    const again = await w.engine.revealAgain(runId, 'the customer called back for it')
    expect(again).toEqual({ label: reply.reveal!.label, value: reply.reveal!.value })
    expect((await w.engine.get(runId)).revealAgain).toBe(reply.reveal!.label)
    expect(w.auditRows().filter((a) => a.action === 'workflow.reveal').map((a) => a.detail)).toEqual(['shown once to the agent', 'shown again: the customer called back for it'])
    expect(JSON.stringify(w.auditRows())).not.toContain(reply.reveal!.value)
    await expect(w.device.backup(at, FACTORY_CREDS)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
  })
})
