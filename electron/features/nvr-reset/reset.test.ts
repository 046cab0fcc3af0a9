// The reset service end to end against an in-process lab bench, through the dispatcher (the
// same path both transports take): photo → QR → ownership → code → NVR → verified, and the
// ways it must stop (screen left, wrong codes, expiry, bad files).
import { readFileSync } from 'node:fs'
import QRCode from 'qrcode'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../db/test/helpers'
import { startBench, type Bench } from '../../../lab/bench'
import { createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { DeviceOps } from '../devices/device-ops'
import type { ResetView } from '../../../shared/contract/nvr-reset'
import { exifUtc, phonePhoto } from './testing/phone-photo'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})
const ctx = { transport: 'test' as const }

async function setup() {
  const bench: Bench = await startBench({ intercoms: 0, nvrs: 1, portMode: 'ephemeral', discovery: false, seed: `reset-${Math.random()}` })
  cleanup.push(() => bench.stop())
  const app = new App({ dataDir: tempDir(), host: 'browser', keys: memoryKeyProvider() })
  cleanup.push(() => app.close())
  const dispatch = createDispatcher(app)
  const call = async <T = unknown>(m: string, i: unknown): Promise<T> => {
    const r = await dispatch(m, i, ctx)
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code })
    return r.value as T
  }
  const fail = async (m: string, i: unknown) => {
    const r = await dispatch(m, i, ctx)
    if (r.ok) throw new Error(`${m} succeeded`)
    return r.error
  }
  await call('system.setAgent', { name: 'Eva Agent', email: 'eva@example.com' })
  const nvr = bench.nvr(0)
  const t = await call<{ id: number }>('tickets.create', { customerName: 'Acme', deviceSerial: nvr.serial, procedure: 'nvr-password-reset' })
  await call('nvrReset.settings.set', { lab: { url: bench.vendor.url, apiKey: bench.vendor.apiKey } })
  const address = `${nvr.ip}:${nvr.info().httpPort}`
  return { bench, app, call, fail, nvr, ticketId: t.id, address }
}

async function sendPhoto(s: Awaited<ReturnType<typeof setup>>, name = 'IMG_0001.jpg', bytes?: Buffer) {
  const png = (await s.nvr.screenPng())!
  const jpg = bytes ?? (await phonePhoto(png, { captured: { local: exifUtc(Date.now() - 60_000), offset: '+00:00' } }))
  return s.call<{ view: ResetView; results: { status: string; message: string }[] }>('nvrReset.addPhotos', { ticketId: s.ticketId, files: [{ name, source: 'drop', dataBase64: jpg.toString('base64') }] })
}

async function owned(s: Awaited<ReturnType<typeof setup>>) {
  const label = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#eee' } }).jpeg().toBuffer()
  await s.call('nvrReset.recordCheck', { ticketId: s.ticketId, kind: 'label-photo', passed: true, note: 'serial on label matches', file: { name: 'label.jpg', dataBase64: label.toString('base64') } })
  await s.call('nvrReset.recordCheck', { ticketId: s.ticketId, kind: 'ownership-document', passed: true, note: 'invoice 2024-118', file: { name: 'invoice.pdf', dataBase64: Buffer.from('%PDF-1.4 invoice').toString('base64') } })
  return s.call<ResetView>('nvrReset.recordCheck', { ticketId: s.ticketId, kind: 'requester-is-owner', passed: true, note: 'Requester Jan Novak is the registered owner (distributor record)' })
}

describe('NVR reset service', () => {
  it('completes the loop: phone photo → payload → ownership → lab code → NVR → new password verified, old refused', async () => {
    const s = await setup()
    s.nvr.openRetrievePassword()
    const oldPassword = s.nvr.info().credentials.password
    const jpg = await phonePhoto((await s.nvr.screenPng())!, { captured: { local: exifUtc(Date.now() - 60_000), offset: '+00:00' } })
    const r = await sendPhoto(s, 'IMG_0001.jpg', jpg)
    expect(r.results[0]).toMatchObject({ status: 'added' })
    expect(r.view.case?.format).toBe('2msim1')
    expect(r.view.case?.fields).toMatchObject({ serial: s.nvr.serial, mac: s.nvr.mac, model: s.nvr.model })
    expect(r.view.case?.serialMatchesTicket).toBe(true)
    expect(r.view.case?.validity.state).toBe('valid')
    expect(r.view.stage).toBe('ownership')
    // Same photo again: recognised, not stored twice.
    const again = await sendPhoto(s, 'IMG_0001 (1).jpg', jpg)
    expect(again.results[0].status).toBe('duplicate')
    expect(again.view.photos).toHaveLength(1)
    // Dropped twice at the same moment on a fresh ticket: one is stored, the other is named a duplicate.
    const t3 = await s.call<{ id: number }>('tickets.create', { customerName: 'Double drop', procedure: 'nvr-password-reset' })
    const both = await Promise.all([1, 2].map((n) => s.call<{ results: { status: string }[] }>('nvrReset.addPhotos', { ticketId: t3.id, files: [{ name: `again-${n}.jpg`, source: 'drop', dataBase64: jpg.toString('base64') }] })))
    expect(both.map((b) => b.results[0].status).sort()).toEqual(['added', 'duplicate'])
    // On another ticket the same photo is stored, with a warning naming the first ticket.
    const t2 = await s.call<{ id: number }>('tickets.create', { customerName: 'Someone else', procedure: 'nvr-password-reset' })
    const other = await s.call<{ results: { status: string; message: string }[] }>('nvrReset.addPhotos', { ticketId: t2.id, files: [{ name: 'x.jpg', source: 'drop', dataBase64: jpg.toString('base64') }] })
    expect(other.results[0]).toMatchObject({ status: 'added', message: expect.stringContaining(`also on tickets #${s.ticketId}, #${t3.id}`) })
    // No code before ownership is recorded.
    expect(await s.fail('nvrReset.requestCode', { ticketId: s.ticketId, provider: 'lab' })).toMatchObject({ code: 'FORBIDDEN' })
    const v = await owned(s)
    expect(v.stage).toBe('code')
    const withCode = await s.call<ResetView>('nvrReset.requestCode', { ticketId: s.ticketId, provider: 'lab' })
    const code = withCode.codes[0]
    expect(code).toMatchObject({ provider: 'lab', status: 'issued', forCurrentQr: true })
    expect(code.hint).toMatch(/^•{6}[A-Za-z0-9]{2}$/)
    // The code is sealed at rest and masked in the audit trail.
    const sealed = s.app.db.prepare('SELECT code_sealed FROM nvr_reset_codes').pluck().get() as string
    const shown = await s.call<{ code: string; spelled: string[] }>('nvrReset.revealCode', { codeId: code.id })
    expect(shown.code).toMatch(/^[A-Za-z0-9]{8}$/)
    expect(sealed).not.toContain(shown.code)
    expect(shown.spelled).toHaveLength(8)
    const trail = JSON.stringify(await s.app.auditLog.forTicket(s.ticketId))
    expect(trail).not.toContain(shown.code)
    const msg = await s.call<{ body: string }>('nvrReset.message', { ticketId: s.ticketId, kind: 'code', lang: 'cs' })
    expect(msg.body).toContain(shown.code)
    expect(msg.body).toContain('NEOPOUŠTĚJTE')
    const done = await s.call<{ outcome: string; view: ResetView }>('nvrReset.apply', { ticketId: s.ticketId, codeId: code.id, address: s.address, username: 'admin', newPassword: 'N3w-Passw0rd!', oldPassword })
    expect(done.outcome).toBe('verified')
    expect(done.view.stage).toBe('done')
    expect(s.nvr.passwordOf('admin')).toBe('N3w-Passw0rd!')
    // The old password's refusal is remembered: no later login (here: adding the NVR by address) sends it again.
    const triesLeft = s.nvr.lockout.remaining('127.0.0.1')
    await expect(new DeviceOps(s.app).addByAddress({ address: s.nvr.ip, port: s.nvr.info().httpPort, username: 'admin', password: oldPassword })).rejects.toMatchObject({ code: 'LOCKOUT_RISK' })
    expect(s.nvr.lockout.remaining('127.0.0.1')).toBe(triesLeft)
    // Every step went into the hash-chained trail, and the chain and evidence hashes verify.
    expect(await s.call('audit.verify', {})).toMatchObject({ ok: true, firstBreak: null, evidence: { problems: [] } })
    // The same code is never entered twice.
    expect(await s.fail('nvrReset.apply', { ticketId: s.ticketId, codeId: code.id, address: s.address, newPassword: 'Other-Passw0rd' })).toMatchObject({ code: 'FORBIDDEN' })
  }, 60_000)

  it('stops when the customer left the Retrieve Password screen, without spending the code', async () => {
    const s = await setup()
    s.nvr.openRetrievePassword()
    await sendPhoto(s)
    await owned(s)
    const v = await s.call<ResetView>('nvrReset.requestCode', { ticketId: s.ticketId, provider: 'lab' })
    s.nvr.leaveRetrievePasswordScreen()
    const r = await s.call<{ outcome: string; view: ResetView }>('nvrReset.apply', { ticketId: s.ticketId, codeId: v.codes[0].id, address: s.address, newPassword: 'N3w-Passw0rd!' })
    expect(r.outcome).toBe('invalidated')
    expect(r.view.case?.invalidated).toBe('left-screen')
    expect(r.view.stage).toBe('blocked')
    expect(r.view.codes[0].status).toBe('void')
    expect(await s.fail('nvrReset.requestCode', { ticketId: s.ticketId, provider: 'lab' })).toMatchObject({ code: 'FORBIDDEN' })
  }, 60_000)

  it('enters each wrong code once and refuses before the NVR would lock', async () => {
    const s = await setup()
    s.nvr.openRetrievePassword()
    await sendPhoto(s)
    await owned(s)
    const wrong = ['Abcd1234', 'abcd1234', 'ABCD1234', 'AbCd1234']
    for (const [i, w] of wrong.entries()) {
      const v = await s.call<ResetView>('nvrReset.requestCode', { ticketId: s.ticketId, provider: 'manual', code: w })
      const r = await s.call<{ outcome: string; message: string; view: ResetView }>('nvrReset.apply', { ticketId: s.ticketId, codeId: v.codes[i].id, address: s.address, newPassword: 'N3w-Passw0rd!' })
      expect(r.outcome).toBe('wrong-code')
      expect(r.view.case?.wrongCodes).toBe(i + 1)
    }
    const v = await s.call<ResetView>('nvrReset.requestCode', { ticketId: s.ticketId, provider: 'lab' })
    const err = await s.fail('nvrReset.apply', { ticketId: s.ticketId, codeId: v.codes.at(-1)!.id, address: s.address, newPassword: 'N3w-Passw0rd!' })
    expect(err.code).toBe('FORBIDDEN')
    expect(err.message).toMatch(/one more wrong code would lock/)
    // The NVR itself is not locked: four wrong codes were sent, never a fifth.
    expect(s.nvr.retrieve.submit('still-not-right')).toMatchObject({ ok: false, reason: 'wrong', remaining: 0 })
  }, 60_000)

  it('refuses the code release for an expired QR', async () => {
    const s = await setup()
    // The NVR clock is 25 h behind real time: its QR is already a day old for the vendor.
    await s.nvr.clockSkew(-25 * 3600)
    s.nvr.openRetrievePassword()
    const r = await sendPhoto(s)
    expect(r.view.case?.validity.state).toBe('expired')
    expect(r.view.case?.validity.warnings.map((w) => w.code)).toContain('issued-long-ago')
    expect(r.view.stage).toBe('blocked')
    await owned(s)
    expect((await s.fail('nvrReset.requestCode', { ticketId: s.ticketId, provider: 'lab' })).message).toMatch(/expired/)
  }, 60_000)

  it('refuses damaged and oversized files with clear messages, and keeps photos without a code', async () => {
    const s = await setup()
    const good = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#88a' } }).jpeg().toBuffer()
    const files = [
      { name: 'notes.txt', source: 'picker', dataBase64: Buffer.from('hello, this is not a photo').toString('base64') },
      { name: 'cut.jpg', source: 'picker', dataBase64: good.subarray(0, Math.floor(good.length / 2)).toString('base64') },
      { name: 'wall.jpg', source: 'picker', dataBase64: good.toString('base64') },
    ]
    const r = await s.call<{ results: { name: string; status: string; message: string }[]; view: ResetView }>('nvrReset.addPhotos', { ticketId: s.ticketId, files })
    expect(r.results.map((x) => x.status)).toEqual(['refused', 'refused', 'added'])
    expect(r.results[0].message).toMatch(/not a photo/)
    expect(r.results[1].message).toMatch(/incomplete|damaged/)
    expect(r.view.photos[0].decodeStatus).toBe('none')
    const retake = await s.call<{ body: string }>('nvrReset.message', { ticketId: s.ticketId, kind: 'retake', lang: 'en' })
    expect(retake.body).toMatch(/Do not leave the "Retrieve Password" screen/)
  }, 60_000)
  it('the crop/rotate assist decodes a region and maps the corners back onto the photo', async () => {
    const s = await setup()
    s.nvr.openRetrievePassword()
    const r = await sendPhoto(s)
    const p = r.view.photos[0]
    const auto = p.codes[0].position
    const xs = auto.map((q) => q[0])
    const ys = auto.map((q) => q[1])
    const rect = { x: Math.floor(Math.min(...xs) - 40), y: Math.floor(Math.min(...ys) - 40), w: Math.ceil(Math.max(...xs) - Math.min(...xs) + 80), h: Math.ceil(Math.max(...ys) - Math.min(...ys) + 80) }
    const d = await s.call<{ found: boolean; view: ResetView }>('nvrReset.decodeRegion', { photoId: p.id, rect, rotate: 90 })
    expect(d.found).toBe(true)
    const viaAssist = d.view.photos[0].codes.find((c) => c.region)!
    expect(viaAssist.region).toMatchObject({ rotate: 90 })
    // Same four corners (in some order) as the automatic decode, within a few pixels.
    for (const q of auto) expect(Math.min(...viaAssist.position.map((v) => Math.hypot(v[0] - q[0], v[1] - q[1])))).toBeLessThan(6)
    const empty = await s.call<{ found: boolean }>('nvrReset.decodeRegion', { photoId: p.id, rect: { x: 0, y: 0, w: 60, h: 60 }, rotate: 0 })
    expect(empty.found).toBe(false)
  }, 60_000)

  it('shows an unknown QR format raw, and with second-agent approval required releases a manual code only after approval', async () => {
    const s = await setup()
    await s.call('nvrReset.settings.set', { requireSecondAgent: true })
    const qr = await QRCode.toBuffer('HIKQR:ABCDEF0123456789', { scale: 8 })
    const r = await s.call<{ view: ResetView }>('nvrReset.addPhotos', { ticketId: s.ticketId, files: [{ name: 'qr.png', source: 'paste', dataBase64: qr.toString('base64') }] })
    expect(r.view.case).toMatchObject({ format: 'raw', fields: null, payload: 'HIKQR:ABCDEF0123456789' })
    expect(r.view.case?.validity.state).toBe('unknown')
    await owned(s)
    expect((await s.fail('nvrReset.requestCode', { ticketId: s.ticketId, provider: 'manual', code: 'Xy12Ab34' })).message).toMatch(/second agent must approve/)
    // A typed name is no approval: nobody is enrolled yet, so nobody can approve.
    expect((await s.fail('nvrReset.approve', { ticketId: s.ticketId, approver: 'petr@example.com', pin: '482100' })).message).toMatch(/No second agents are enrolled/)
    const me = (await s.app.agent())!
    expect((await s.fail('nvrReset.approvers.add', { name: me.name, email: me.email, pin: '111111' })).message).toMatch(/your own second agent/)
    const enrolled = await s.call<Array<{ name: string; email: string }>>('nvrReset.approvers.add', { name: 'Petr Second', email: 'petr@example.com', pin: '482100' })
    expect(enrolled).toEqual([expect.objectContaining({ name: 'Petr Second', email: 'petr@example.com' })])
    expect(JSON.stringify(enrolled)).not.toContain('482100')
    const wrong = await s.fail('nvrReset.approve', { ticketId: s.ticketId, approver: 'petr@example.com', pin: '0000' })
    expect(wrong).toMatchObject({ code: 'FORBIDDEN', field: 'pin' })
    expect(wrong.message).toMatch(/not Petr Second’s PIN; nothing was approved/)
    expect((await s.call<ResetView>('nvrReset.get', { ticketId: s.ticketId })).case?.approvedBy).toBeNull()
    // Five wrong PINs in a row hold that approver back, even with the right PIN.
    for (let i = 0; i < 4; i++) await s.fail('nvrReset.approve', { ticketId: s.ticketId, approver: 'petr@example.com', pin: `000${i}` })
    expect((await s.fail('nvrReset.approve', { ticketId: s.ticketId, approver: 'petr@example.com', pin: '482100' })).message).toMatch(/Too many wrong PINs for Petr Second/)
    const held = await s.app.auditLog.forTicket(s.ticketId)
    expect(held.filter((e) => e.action === 'nvrReset.approve' && e.outcome === 'refused')).toHaveLength(5)
    expect((await s.call<ResetView>('nvrReset.get', { ticketId: s.ticketId })).stage).toBe('approval')
    // Once the minute is over the right PIN is accepted again (and clears the count).
    const { checkApprover } = await import('./approvers')
    expect(await checkApprover(s.app, s.ticketId, 'PETR@example.com', '482100', Date.now() + 61_000)).toBe('Petr Second <petr@example.com>')
    const v = await s.call<ResetView>('nvrReset.approve', { ticketId: s.ticketId, approver: 'petr@example.com', pin: '482100', note: 'checked the certificate with me' })
    expect(v.case?.approvedBy).toBe('Petr Second <petr@example.com>')
    const withCode = await s.call<ResetView>('nvrReset.requestCode', { ticketId: s.ticketId, provider: 'manual', code: 'Xy12Ab34' })
    expect(withCode.codes[0]).toMatchObject({ provider: 'manual', hint: '••••••34' })
    const trail = await s.app.auditLog.forTicket(s.ticketId)
    expect(trail.map((e) => e.action)).toEqual(expect.arrayContaining(['nvrReset.approve', 'nvrReset.ownershipCheck', 'nvrReset.code.issued']))
    // Check results are readable in the trail (not mistaken for secrets).
    const raw: unknown = trail.find((e) => e.action === 'nvrReset.ownershipCheck')?.inputs
    expect(typeof raw === 'string' ? JSON.parse(raw) : raw).toMatchObject({ result: 'passed' })
  }, 60_000)

  it('corrects the deadline for the NVR clock the customer reads out', async () => {
    const s = await setup()
    s.nvr.openRetrievePassword()
    const r = await sendPhoto(s)
    const before = Date.parse(r.view.case!.validity.expiresAt!)
    const v = await s.call<ResetView>('nvrReset.update', { ticketId: s.ticketId, deviceTime: new Date(Date.now() + 3 * 3600_000).toISOString(), customerTz: 'America/New_York' })
    expect(before - Date.parse(v.case!.validity.expiresAt!)).toBeGreaterThan(3 * 3600_000 - 5000)
    expect(v.case?.validity.warnings.map((w) => w.code)).toContain('device-clock')
    expect(v.case?.customerTz).toBe('America/New_York')
    expect((await s.fail('nvrReset.update', { ticketId: s.ticketId, customerTz: 'Mars/Olympus' })).code).toBe('VALIDATION')
  }, 60_000)
  it('when the customer already locked code entry on the NVR, the console records the lock and sends nothing until it ends', async () => {
    const s = await setup()
    s.nvr.openRetrievePassword()
    await sendPhoto(s)
    await owned(s)
    // The customer typed five wrong codes on the NVR's own screen.
    for (let i = 0; i < 5; i++) s.nvr.retrieve.submit(`wrong${i}AA`)
    const v = await s.call<ResetView>('nvrReset.requestCode', { ticketId: s.ticketId, provider: 'lab' })
    const r = await s.call<{ outcome: string; message: string; view: ResetView }>('nvrReset.apply', { ticketId: s.ticketId, codeId: v.codes[0].id, address: s.address, newPassword: 'N3w-Passw0rd!' })
    expect(r.outcome).toBe('locked')
    expect(r.message).toMatch(/locked code entry for 5 min/)
    expect(Date.parse(r.view.case!.lockedUntil!)).toBeGreaterThan(Date.now() + 4 * 60_000)
    // The code was not looked at: it stays ready, and the console waits for the lock to end.
    expect(r.view.codes[0].status).toBe('issued')
    const err = await s.fail('nvrReset.apply', { ticketId: s.ticketId, codeId: v.codes[0].id, address: s.address, newPassword: 'N3w-Passw0rd!' })
    expect(err.message).toMatch(/locked until/)
    // Five minutes later (bench clock and console record both moved on) the same code works.
    await s.bench.advance(5 * 60_000 + 1000)
    s.app.db.prepare('UPDATE nvr_reset_cases SET locked_until = ?').run(new Date(Date.now() - 1000).toISOString())
    const ok = await s.call<{ outcome: string }>('nvrReset.apply', { ticketId: s.ticketId, codeId: v.codes[0].id, address: s.address, newPassword: 'N3w-Passw0rd!' })
    expect(ok.outcome).toBe('verified')
  }, 60_000)
  it('takes an iPhone HEIC photo: decoded, EXIF capture time with its zone kept, shown as an upright JPEG', async () => {
    const s = await setup()
    const heic = readFileSync(new URL('./photos/fixtures/qr-240.heic', import.meta.url))
    const r = await s.call<{ results: { status: string }[]; view: ResetView }>('nvrReset.addPhotos', { ticketId: s.ticketId, files: [{ name: 'IMG_0042.HEIC', source: 'picker', dataBase64: heic.toString('base64') }] })
    expect(r.results[0].status).toBe('added')
    expect(r.view.photos[0]).toMatchObject({ mime: 'image/heic', width: 240, height: 240, capturedAt: '2026-11-21T14:05:09+01:00', capturedHasZone: true, decodeStatus: 'found' })
    expect(r.view.case?.payload).toBe('HEIC fixture: NVR2M|SN=2M0123456789')
    const img = await s.call<{ dataUrl: string; width: number }>('nvrReset.photoImage', { photoId: r.view.photos[0].id })
    expect(img.dataUrl.startsWith('data:image/jpeg;base64,')).toBe(true)
    expect(img.width).toBe(240)
  }, 60_000)
})
