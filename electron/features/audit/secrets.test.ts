// Plants known secrets through every path that takes one and then searches everything the
// console writes or shows for them, as text, UTF-16, hex and base64 (secret-search.ts): the
// database file, its WAL and shared memory, every other file in the data folder, everything
// printed to the console and the log files in <data>/logs (at debug level), every API reply and event (what the renderer sees) and the
// exports (PDF text and bytes, JSON bundles, the diagnostics zip). Paths, against the lab bench (two 2N intercoms,
// a 2MN NVR, the My2N and vendor simulators on 127.0.72.x): device credentials and the
// backups that use them, devices.setPassword, a password-protected NVR configuration export,
// the NVR reset (vendor API keys in Settings, a code typed in, codes issued by the lab and by
// a configured vendor API, the old and new passwords given to nvrReset.apply), the My2N key,
// a whole My2N move (certificate and new security codes, device password, a password-protected
// backup and attachment, the generated password), the bench PIN, a careless audit call. Every
// planting call must succeed. The only replies allowed to carry a secret are the one-time
// reveals (nvrReset.revealCode, the code message for the customer, a workflow reply's
// `reveal` and workflows.reveal), and each only the secret it reveals.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import sharp from 'sharp'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { installNetJail } from './testing/net-jail'
import { tempDir } from '../../../db/test/helpers'
import { createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { memoryKeyProvider } from '../../infra/secret-box'
import { startBench, type Bench } from '../../../lab/bench'
import type { ResetView } from '../../../shared/contract/nvr-reset'
import type { WorkflowReply, WorkflowRun } from '../../../shared/contract/workflows'
import { exifUtc, phonePhoto } from '../nvr-reset/testing/phone-photo'
import { encodings as allEncodings, filesUnder as allFiles, findSecrets, MIN_SECRET_LENGTH, sealedValues } from './testing/secret-search'
import { DB_FILE } from '../../../db/database'

const SECRETS = {
  devicePassword: 'Dv-Pass-7f3K9q!x',
  certificateCode: 'CERT-CODE-55XQ',
  securityCode: 'SEC-CODE-91WZ',
  backupPassword: 'BkpPw-xx41TT',
}

const filesUnder = allFiles
const encodings = (s: string): Buffer[] => allEncodings(s).map((f) => f.bytes)

const jail = installNetJail()
afterAll(() => jail.release())
const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const c of cleanup.splice(0).reverse()) await c()
})

describe('secrets never leak', () => {
  it('through a whole My2N move on the workflow engine: codes, old and new device passwords, backup password', async () => {
    const { FakeDevice, workbench } = await import('../workflows/testing')
    const SERIAL = '54-0562-0293'
    const device = new FakeDevice(SERIAL)
    device.password = SECRETS.devicePassword
    const w = workbench({ device })
    w.my2n.codes[SERIAL] = SECRETS.certificateCode
    w.my2n.owner[SERIAL] = 'old-site'
    w.my2n.ownerCode[SERIAL] = SECRETS.certificateCode
    const t = await w.tickets.create({ externalRef: 'ZD-1', customerName: 'Acme', contact: '', deviceSerial: SERIAL, deviceModel: 'IP Verso', procedure: 'my2n-move', notes: '' })
    const run = await w.engine.start(t.id, 'my2n-move')
    const views: string[] = []
    const step = async (p: Promise<unknown>) => {
      views.push(JSON.stringify(await p))
      await w.engine.settled(run.id)
      views.push(JSON.stringify(await w.engine.get(run.id)))
    }
    await step(w.engine.completeStep(run.id, 'serial', { serial: SERIAL, foundAt: 'label' }))
    await step(w.engine.runAuto(run.id, 'bench', { host: '127.0.0.10:8080' }))
    await step(w.engine.runAuto(run.id, 'my2n-check', { site: 'new-site', certificateCode: SECRETS.certificateCode }))
    await step(w.engine.completeStep(run.id, 'already-added', {}, 'new-code'))
    w.my2n.codes[SERIAL] = SECRETS.securityCode
    await step(w.engine.completeStep(run.id, 'new-code', { securityCode: SECRETS.securityCode, oldCodeInvalid: true }))
    await step(w.engine.runAuto(run.id, 'backup', { username: 'admin', devicePassword: SECRETS.devicePassword, backupPassword: SECRETS.backupPassword }))
    await step(w.engine.runAuto(run.id, 'reset', { confirm: SERIAL }))
    const reveal = (await w.engine.runAuto(run.id, 'password', {})) as { reveal: { value: string } | null }
    await w.engine.settled(run.id)
    const generated = reveal.reveal?.value ?? ''
    views.push(JSON.stringify(await w.engine.get(run.id)))
    const r = await w.engine.get(run.id)
    expect(r.current?.stepId, 'the walk reached the new-password step and beyond').toBe('register')
    expect(generated).toMatch(/^.{12,}$/)
    const hits: string[] = []
    const all = { ...SECRETS, generatedPassword: generated }
    const look = (hay: Buffer, where: string) => {
      for (const [name, v] of Object.entries(all)) for (const needle of encodings(v)) if (hay.includes(needle)) hits.push(`${name} in ${where}`)
    }
    for (const f of filesUnder(w.dataDir)) look(readFileSync(f), f.replace(w.dataDir, '<data>'))
    look(Buffer.from(JSON.stringify(w.auditRows())), 'audit trail')
    look(Buffer.from(views.join('\n')), 'run views (renderer)')
    w.db.close()
    for (const f of filesUnder(w.dataDir)) look(readFileSync(f), `${f.replace(w.dataDir, '<data>')} (closed)`)
    expect(hits).toEqual([])
  })

  it('planted through every path, a secret appears nowhere but in its one-time reveal: database, WAL, data folder, logs, API replies, events, exports', async () => {
    const t0 = Date.now()
    const logs: string[] = []
    for (const k of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, k).mockImplementation((...a: unknown[]) => void logs.push(a.map((x) => (x instanceof Error ? `${x.stack}` : typeof x === 'string' ? x : JSON.stringify(x))).join(' ')))
    const bench: Bench = await startBench({ intercoms: 2, nvrs: 1, seed: 'secrets-test', hostBase: '127.0.72.', firstHost: 10, discovery: false, timing: { rebootMs: 300, applyDelayMs: 300 } })
    cleanup.push(() => bench.stop())
    const prevRediscover = process.env.SUPPORT_CONSOLE_REDISCOVER_MS
    process.env.SUPPORT_CONSOLE_REDISCOVER_MS = '20000'
    cleanup.push(() => void (prevRediscover === undefined ? delete process.env.SUPPORT_CONSOLE_REDISCOVER_MS : (process.env.SUPPORT_CONSOLE_REDISCOVER_MS = prevRediscover)))
    // The log (in the data folder, searched below) at its most talkative: every call's inputs, masked.
    const prevLevel = process.env.SUPPORT_CONSOLE_LOG_LEVEL
    process.env.SUPPORT_CONSOLE_LOG_LEVEL = 'debug'
    cleanup.push(() => void (prevLevel === undefined ? delete process.env.SUPPORT_CONSOLE_LOG_LEVEL : (process.env.SUPPORT_CONSOLE_LOG_LEVEL = prevLevel)))
    const dataDir = tempDir('sc-secrets-')
    const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider() })
    cleanup.push(() => app.close())
    const events: string[] = []
    app.bus.subscribe((name, payload) => void events.push(JSON.stringify([name, payload])))
    const dispatch = createDispatcher(app)
    const calls: { method: string; reply: Awaited<ReturnType<typeof dispatch>> }[] = []
    const call = async (method: string, input: unknown) => {
      const reply = await dispatch(method, input, { transport: 'test' })
      calls.push({ method, reply })
      return reply
    }
    /** A call that must succeed; its value. */
    const ok = async <T = Record<string, unknown>>(method: string, input: unknown): Promise<T> => {
      const r = await call(method, input)
      expect(r.ok, `${method} must succeed: ${JSON.stringify(r).slice(0, 600)}`).toBe(true)
      return (r as { value: T }).value
    }
    const secrets = new Map<string, string>()
    const plant = (name: string, value: string) => {
      expect(value.length, `${name} is long enough to search for`).toBeGreaterThanOrEqual(MIN_SECRET_LENGTH)
      secrets.set(name, value)
      return value
    }
    const paths: string[] = []

    const [i0, i1] = [bench.intercom(0), bench.intercom(1)]
    const nvr = bench.nvr(0)
    await ok('system.setAgent', { name: 'Eva', email: 'eva@example.com' })
    const tDev = (await ok<{ id: number }>('tickets.create', { customerName: 'Acme', deviceSerial: i0.serial, procedure: 'my2n-move' })).id
    const tNvr = (await ok<{ id: number }>('tickets.create', { customerName: 'Jan Novák', deviceSerial: nvr.serial, deviceModel: nvr.model, procedure: 'nvr-password-reset' })).id
    const tWf = (await ok<{ id: number }>('tickets.create', { customerName: 'Buyer s.r.o.', deviceSerial: i1.serial, deviceModel: i1.model, procedure: 'my2n-move' })).id

    // 1. Device credentials, the backups that use them, devices.setPassword (2N intercom).
    const i0api = i0.info().credentials
    plant('intercom API password (devices.setCredentials)', i0api.password)
    plant('intercom web password (devices.setPassword currentPassword)', i0.web.password)
    const dev0 = (await ok<{ device: { id: number } | null }>('devices.addByAddress', { address: i0.ip })).device!.id
    await ok('devices.setCredentials', { id: dev0, username: i0api.username, password: i0api.password })
    const b0 = await ok<{ verified: boolean }>('devices.backup', { id: dev0, ticketId: tDev })
    expect(b0.verified, 'the backup made with the stored credentials is verified').toBe(true)
    const newWeb = plant('new intercom password (devices.setPassword newPassword)', 'Web-Pass-4kQ9zT!')
    await ok('devices.setPassword', { id: dev0, ticketId: tDev, confirmSerial: i0.serial, username: 'admin', currentPassword: i0.web.password, newPassword: newWeb })
    expect(i0.web.password, 'devices.setPassword changed the device password').toBe(newWeb)
    paths.push('devices.setCredentials', 'devices.backup', 'devices.setPassword')

    // 2. The NVR: added with its login, a password-protected configuration export.
    const nvrOld = plant('NVR admin password (devices.addByAddress, setCredentials, nvrReset.apply oldPassword)', nvr.info().credentials.password)
    const devN = (await ok<{ device: { id: number } | null }>('devices.addByAddress', { address: nvr.ip, username: 'admin', password: nvrOld })).device
    expect(devN, 'the NVR is identified with its login').not.toBeNull()
    await ok('devices.setCredentials', { id: devN!.id, username: 'admin', password: nvrOld })
    await ok('devices.backup', { id: devN!.id, ticketId: tNvr })
    paths.push('devices.addByAddress(password)', 'NVR configuration export (secret key)')

    // 3. The NVR reset: vendor keys in Settings, a typed-in code, a lab code, a vendor-API code, apply.
    const labKey = plant('lab vendor API key (nvrReset.settings.set lab)', bench.vendor.apiKey)
    const httpKey = plant('vendor API key (nvrReset.settings.set http)', bench.vendorService.addApiKey())
    const settings = await ok<{ lab: { keySet: boolean }; http: { keySet: boolean } }>('nvrReset.settings.set', {
      lab: { url: bench.vendor.url, apiKey: labKey },
      http: { url: `${bench.vendor.url}/api/v1/reset-codes`, keyHeader: 'X-Api-Key', keyPrefix: '', bodyTemplate: '{"payload": "{{payload}}"}', codePath: 'securityCode', apiKey: httpKey },
    })
    expect(settings.lab.keySet && settings.http.keySet).toBe(true)
    await ok('nvrReset.settings.get', {})
    nvr.openRetrievePassword()
    const qr = await phonePhoto((await nvr.screenPng())!, { captured: { local: exifUtc(Date.now() - 60_000), offset: '+00:00' } })
    const intake = await ok<{ results: { status: string }[] }>('nvrReset.addPhotos', { ticketId: tNvr, files: [{ name: 'IMG_0001.jpg', source: 'drop', dataBase64: qr.toString('base64') }] })
    expect(intake.results[0].status).toBe('added')
    const label = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#eee' } }).jpeg().toBuffer()
    await ok('nvrReset.recordCheck', { ticketId: tNvr, kind: 'label-photo', passed: true, note: 'serial on label matches', file: { name: 'label.jpg', dataBase64: label.toString('base64') } })
    await ok('nvrReset.recordCheck', { ticketId: tNvr, kind: 'ownership-document', passed: true, note: 'invoice 2024-118', file: { name: 'invoice.pdf', dataBase64: Buffer.from('%PDF-1.4 invoice').toString('base64') } })
    await ok('nvrReset.recordCheck', { ticketId: tNvr, kind: 'requester-is-owner', passed: true, note: 'Requester is the registered owner (distributor record)' })
    const manualCode = plant('security code typed in (nvrReset.requestCode manual)', 'MnlCode7Xq42')
    await ok('nvrReset.requestCode', { ticketId: tNvr, provider: 'manual', code: manualCode })
    await ok('nvrReset.requestCode', { ticketId: tNvr, provider: 'lab' })
    const view = await ok<ResetView>('nvrReset.requestCode', { ticketId: tNvr, provider: 'http' })
    const codeOf = (provider: string) => view.codes.find((c) => c.provider === provider)!
    expect(view.codes.map((c) => [c.provider, c.status])).toEqual([['manual', 'issued'], ['lab', 'issued'], ['http', 'issued']])
    const labCode = plant('security code issued by the lab vendor service', (await ok<{ code: string }>('nvrReset.revealCode', { codeId: codeOf('lab').id })).code)
    const httpCode = plant('security code issued by the vendor API', (await ok<{ code: string }>('nvrReset.revealCode', { codeId: codeOf('http').id })).code)
    const msg = await ok<{ body: string }>('nvrReset.message', { ticketId: tNvr, kind: 'code', lang: 'en', codeId: codeOf('lab').id })
    expect(msg.body, 'the message for the customer carries the code').toContain(labCode)
    const nvrNew = plant('new NVR password (nvrReset.apply newPassword)', 'Nvr-N3w-Pass!9')
    const applied = await ok<{ outcome: string }>('nvrReset.apply', { ticketId: tNvr, codeId: codeOf('lab').id, address: `${nvr.ip}:${nvr.info().httpPort}`, username: 'admin', newPassword: nvrNew, oldPassword: nvrOld })
    expect(applied.outcome).toBe('verified')
    expect(nvr.passwordOf('admin')).toBe(nvrNew)
    await ok('nvrReset.get', { ticketId: tNvr })
    // The new password as stored credentials, used by the next backup.
    await ok('devices.setCredentials', { id: devN!.id, username: 'admin', password: nvrNew })
    await ok('devices.backup', { id: devN!.id, ticketId: tNvr })
    paths.push('nvrReset.settings.set(lab, http)', 'nvrReset.requestCode(manual, lab, http)', 'nvrReset.apply(newPassword, oldPassword)')

    // 4. My2N and a whole My2N move on the second intercom.
    const my2nKey = plant('My2N API key (workflows.setMy2n)', bench.my2n.apiKey)
    await ok('workflows.setMy2n', { kind: 'lab', url: `${bench.my2n.url}/api/v1`, apiKey: my2nKey })
    await ok('workflows.my2nStatus', {})
    i1.alreadyInMy2nAccount()
    const i1api = i1.info().credentials
    const certificateCode = plant('My2N code from the certificate (my2n-check)', i1.my2nCode)
    plant('device password typed into the backup step', i1api.password)
    const backupPassword = plant('backup password (backup, restore-review, restore)', 'BkpPw-xx41TT-9')
    const attachPassword = plant('password of a protected attachment (workflows.attach)', 'AttPw-77qRZm-2')
    let generated: string | null = null
    const runId = (await ok<WorkflowRun>('workflows.start', { ticketId: tWf, procedure: 'my2n-move' })).id
    const settle = async (): Promise<WorkflowRun> => {
      const end = Date.now() + 45_000
      for (;;) {
        const run = await ok<WorkflowRun>('workflows.get', { runId })
        if (!run.current?.running && !run.timeline.some((e) => e.running)) return run
        if (Date.now() > end) throw new Error(`run still running: ${JSON.stringify(run.current)}`)
        await new Promise((res) => setTimeout(res, 100))
      }
    }
    const stepTo = async (method: 'workflows.runAuto' | 'workflows.completeStep', stepId: string, inputs: Record<string, string | boolean>, next: string, outcome?: string) => {
      const r = await ok<WorkflowReply>(method, { runId, stepId, inputs, ...(outcome ? { outcome } : {}) })
      if (r.reveal) generated = r.reveal.value
      const run = await settle()
      expect(run.current?.stepId ?? 'completed', `${stepId}: ${JSON.stringify(run.timeline.filter((e) => e.stepId === stepId).map((e) => [e.state, e.outcome, e.why]))}`).toBe(next)
      return run
    }
    await ok('workflows.attach', { runId, stepId: 'serial', evidence: 'label-photo', name: 'label.jpg', dataBase64: label.toString('base64'), password: attachPassword })
    await stepTo('workflows.completeStep', 'serial', { serial: i1.serial, foundAt: 'label' }, 'bench')
    await stepTo('workflows.runAuto', 'bench', { host: i1.ip }, 'my2n-check')
    await stepTo('workflows.runAuto', 'my2n-check', { site: bench.my2n.siteId, certificateCode }, 'already-added')
    await stepTo('workflows.completeStep', 'already-added', {}, 'new-code', 'new-code')
    const securityCode = plant('new My2N security code (new-code, register)', i1.generateMy2nCode())
    await stepTo('workflows.completeStep', 'new-code', { securityCode, oldCodeInvalid: true }, 'backup')
    await stepTo('workflows.runAuto', 'backup', { username: i1api.username, devicePassword: i1api.password, backupPassword }, 'reset')
    await stepTo('workflows.runAuto', 'reset', { confirm: i1.serial }, 'password')
    const pw = await stepTo('workflows.runAuto', 'password', {}, 'register')
    if (pw.pendingReveal) generated = (await ok<{ value: string } | null>('workflows.reveal', { runId }))?.value ?? null
    expect(generated, 'the generated password was revealed').not.toBeNull()
    plant('generated device password (password step)', generated!)
    expect(i1.web.password, 'the revealed password is the device password').toBe(generated)
    await stepTo('workflows.runAuto', 'register', { site: bench.my2n.siteId }, 'restore-offer')
    await stepTo('workflows.completeStep', 'restore-offer', {}, 'restore-review', 'review')
    await stepTo('workflows.runAuto', 'restore-review', { backupPassword }, 'restore')
    await stepTo('workflows.runAuto', 'restore', { confirm: i1.serial, backupPassword }, 'close-out')
    await stepTo('workflows.completeStep', 'close-out', { customerInformed: true }, 'completed')
    expect(bench.my2nCloud.ownerOf(i1.serial)).toBe(bench.my2n.companyId)
    paths.push('workflows.setMy2n', 'workflows.attach(password)', 'my2n-move: certificate code, security code, device password, backup password, generated password')

    // 5. The bench PIN, and a careless audit call with secret-looking keys.
    const pin = plant('bench PIN', '73950418')
    await ok('lock.setPin', { pin, idleMinutes: 30 })
    await ok('lock.lock', {})
    await ok('lock.unlock', { pin })
    const auditPassword = plant('password passed to app.audit inputs', 'AuditPw-3mm7RR')
    await app.audit({ action: 'device.setPassword', outcome: 'ok', ticketId: tDev, inputs: { password: auditPassword, newPassword: auditPassword } })
    paths.push('lock.setPin', 'app.audit(inputs.password)')

    // 6. Everything the renderer reads, and the exports of every ticket.
    const exports: { where: string; bytes: Buffer }[] = []
    for (const ticketId of [tDev, tNvr, tWf]) {
      await ok('tickets.get', { id: ticketId })
      for (const item of (await ok<{ items: { id: number }[] }>('evidence.list', { ticketId })).items) await ok('evidence.get', { id: item.id })
      await ok('workflows.forTicket', { ticketId })
      await ok('nvrReset.get', { ticketId })
      await ok('audit.list', { ticketId, limit: 500 })
      const pdf = Buffer.from((await ok<{ dataBase64: string }>('reports.ticketPdf', { ticketId })).dataBase64, 'base64')
      const pdfFile = join(tempDir(), `t${ticketId}.pdf`)
      writeFileSync(pdfFile, pdf)
      exports.push({ where: `PDF of ticket #${ticketId}`, bytes: pdf }, { where: `PDF text of ticket #${ticketId}`, bytes: Buffer.from(execFileSync('pdftotext', [pdfFile, '-'], { encoding: 'utf8' })) })
      exports.push({ where: `JSON bundle of ticket #${ticketId}`, bytes: Buffer.from((await ok<{ dataBase64: string }>('reports.ticketBundle', { ticketId })).dataBase64, 'base64') })
    }
    // The diagnostics bundle (Settings → Export diagnostics, `support-console diagnostics`): logs, settings, checks.
    const diag = await ok<{ dataBase64: string; entries: string[] }>('system.diagnostics', {})
    expect(diag.entries).toContain('logs/support-console.log')
    exports.push({ where: 'diagnostics bundle', bytes: Buffer.from(diag.dataBase64, 'base64') })
    for (const d of await ok<{ id: number }[]>('devices.list', {})) {
      await ok('devices.get', { id: d.id })
      await ok('devices.backups', { id: d.id })
    }
    await ok('tickets.list', {})
    await ok('audit.list', { limit: 500 })
    expect(await ok('audit.verify', {})).toMatchObject({ ok: true })
    await ok('system.info', {})
    await ok('lock.status', {})

    // Encrypted at rest: every device password, code and key the console keeps is sealed, and
    // each sealed value is searched for too (also those this test did not plant by name).
    const sealed = sealedValues(app.db, (x) => app.secrets.open(x))
    const sealedSet = new Set(sealed.map((x) => x.value))
    for (const [name, v] of [['intercom API password', i0api.password], ['NVR new password', nvrNew], ['lab vendor key', labKey], ['vendor API key', httpKey], ['My2N key', my2nKey], ['typed-in code', manualCode], ['lab code', labCode], ['vendor API code', httpCode], ['certificate code', certificateCode], ['security code', securityCode], ['generated password', generated!], ['backup-step device password', i1api.password]] as const)
      expect(sealedSet.has(v), `${name} is stored sealed`).toBe(true)
    const exportKey = sealed.find((x) => x.where.startsWith('device_backups.secret_sealed'))
    expect(exportKey, 'the NVR export key is stored sealed with its backup').toBeDefined()
    plant('NVR configuration export key', exportKey!.value)
    for (const x of sealed) if (x.value.length >= MIN_SECRET_LENGTH && ![...secrets.values()].includes(x.value)) secrets.set(`sealed value of ${x.where}`, x.value)

    // The search finds a secret where there is one, in every form it looks for.
    const canary = new Map([['canary', labCode]])
    for (const f of allEncodings(labCode)) expect(findSecrets(canary, Buffer.concat([Buffer.from('x{"y":"'), f.bytes, Buffer.from('"}')]), 'canary'), f.form).toHaveLength(1)
    for (const k of [0, 1, 2]) expect(findSecrets(canary, Buffer.from(Buffer.concat([Buffer.alloc(k + 5, 0x20), Buffer.from(labCode), Buffer.from(' tail')]).toString('base64')), 'canary'), `inside base64, offset ${k}`).toHaveLength(1)

    const hits: string[] = []
    const REVEALS: Record<string, string[]> = { 'nvrReset.revealCode': [labCode, httpCode, manualCode], 'nvrReset.message': [labCode, httpCode, manualCode], 'workflows.reveal': [generated!] }
    const shownBy: string[] = [] // which reveal showed which secret: each must be where it is meant to be
    for (const { method, reply } of calls) {
      let rest: unknown = reply
      let revealed: unknown = null
      let allowed: string[] = []
      if (reply.ok && method in REVEALS) {
        ;[rest, revealed, allowed] = [null, reply.value, REVEALS[method]]
      } else if (reply.ok && (method === 'workflows.runAuto' || method === 'workflows.completeStep') && (reply.value as WorkflowReply).reveal) {
        ;[rest, revealed, allowed] = [{ ...reply, value: { ...(reply.value as WorkflowReply), reveal: null } }, (reply.value as WorkflowReply).reveal, [generated!]]
      }
      hits.push(...findSecrets(secrets, Buffer.from(JSON.stringify(rest)), `reply of ${method}`))
      if (revealed !== null) {
        const hay = Buffer.from(JSON.stringify(revealed))
        hits.push(...findSecrets(new Map([...secrets].filter(([, v]) => !allowed.includes(v))), hay, `one-time reveal of ${method}`))
        for (const [name, v] of secrets) if (allowed.includes(v) && findSecrets(new Map([[name, v]]), hay, method).length) shownBy.push(`${name} by ${method}`)
      }
    }
    hits.push(...findSecrets(secrets, Buffer.from(events.join('\n')), 'events to the renderer'))
    for (const e of exports) hits.push(...findSecrets(secrets, e.bytes, e.where))
    // While open (the WAL holds the latest pages), then closed and checkpointed.
    const files = allFiles(dataDir)
    expect(files.map((f) => f.slice(dataDir.length + 1))).toEqual(expect.arrayContaining([DB_FILE, `${DB_FILE}-wal`]))
    for (const f of files) hits.push(...findSecrets(secrets, readFileSync(f), `${f.replace(dataDir, '<data>')} (open)`))
    await app.close()
    const db = new BetterSqlite3(join(dataDir, DB_FILE), { readonly: true })
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    db.close()
    for (const f of allFiles(dataDir)) hits.push(...findSecrets(secrets, readFileSync(f), `${f.replace(dataDir, '<data>')} (closed)`))
    vi.restoreAllMocks()
    hits.push(...findSecrets(secrets, Buffer.from(logs.join('\n')), 'console output (logs)'))
    console.log(`secrets: ${secrets.size} secrets (${sealed.length} sealed values) planted through ${paths.join(', ')}; searched ${allFiles(dataDir).length} files, ${calls.length} replies, ${events.length} events, ${logs.length} log lines, ${exports.length} exports; ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    expect(hits).toEqual([])
    // The reveals are where these secrets reach the renderer, and the only place: each code once
    // on request and in the message for the customer, the generated password once (in the reply
    // of its step, or from workflows.reveal when the step outlasted the reply).
    expect(shownBy.sort()).toEqual([
      expect.stringMatching(/^generated device password \(password step\) by workflows\.(runAuto|reveal)$/),
      'security code issued by the lab vendor service by nvrReset.message',
      'security code issued by the lab vendor service by nvrReset.revealCode',
      'security code issued by the vendor API by nvrReset.revealCode',
    ])
  }, 120_000)
})
