// Plants known secrets through every path that takes one (device passwords, My2N API key,
// security codes and device passwords typed into workflow steps, backup passwords, the
// bench PIN, secret-looking audit inputs) and then searches everything the console
// writes or shows for them: the database file, its WAL and shared memory, every other
// file in the data folder, everything printed to the console (logs), every API reply
// (what the renderer sees), and the exports (PDF text and bytes, JSON bundles).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { methodNames } from '../../shared/contract/index'
import { installNetJail } from './testing/net-jail'
import { tempDir } from '../../db/test/helpers'
import { DevicesRepo } from '../../db/repos/devices'
import { createDispatcher } from '../core/api'
import { App } from '../core/app'
import { memoryKeyProvider } from '../core/secret-box'

const SECRETS = {
  devicePassword: 'Dv-Pass-7f3K9q!x',
  my2nApiKey: 'My2N-KEY-Zq81uXa0',
  certificateCode: 'CERT-CODE-55XQ',
  securityCode: 'SEC-CODE-91WZ',
  stepDevicePassword: 'StepPw-0aa9LM',
  backupPassword: 'BkpPw-xx41TT',
  auditPassword: 'AuditPw-3mm7RR',
  pin: '73950418',
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? filesUnder(p) : [p]
  })
}
function encodings(s: string): Buffer[] {
  return [Buffer.from(s, 'utf8'), Buffer.from(s, 'utf16le'), Buffer.from(Buffer.from(s).toString('base64').replace(/=+$/, ''))]
}
function find(hay: Buffer, where: string): string[] {
  const hits: string[] = []
  for (const [name, s] of Object.entries(SECRETS)) for (const needle of encodings(s)) if (hay.includes(needle)) hits.push(`${name} in ${where}`)
  return hits
}

const jail = installNetJail()
afterAll(() => jail.release())

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

  it('are absent from the database, WAL, data folder, logs, API replies and exports', async () => {
    const logs: string[] = []
    for (const k of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, k).mockImplementation((...a: unknown[]) => void logs.push(a.map(String).join(' ')))
    const dataDir = tempDir('sc-secrets-')
    const app = new App({ dataDir, host: 'browser', keys: memoryKeyProvider() })
    const dispatch = createDispatcher(app)
    const replies: string[] = []
    const planted: string[] = []
    const call = async (m: string, input: unknown) => {
      const r = await dispatch(m, input, { transport: 'test' })
      replies.push(JSON.stringify(r))
      return r
    }
    const has = (m: string) => methodNames.includes(m as never)

    await call('system.setAgent', { name: 'Eva', email: 'eva@example.com' })
    const t = await call('tickets.create', { customerName: 'Acme', deviceSerial: '54-1234-5678', procedure: 'my2n-move' })
    const ticketId = (t as { value: { id: number } }).value.id

    // Device credentials (issue 4), when the build has them.
    if (has('devices.setCredentials')) {
      const id = new DevicesRepo(app.db).recordSeenSync({ serial: '54-1234-5678', ip: '127.0.0.1', kind: 'intercom', vendor: '2N', protocols: ['http-2n'] } as never)
      const r = await call('devices.setCredentials', { id, username: 'admin', password: SECRETS.devicePassword })
      if (r.ok) planted.push('devices.setCredentials')
      await call('devices.get', { id })
      await call('devices.list', {})
    }
    // My2N API key and workflow step secrets (issue 5), when present.
    if (has('workflows.setMy2n')) {
      if ((await call('workflows.setMy2n', { kind: 'lab', url: 'http://127.0.0.1:9', apiKey: SECRETS.my2nApiKey })).ok) planted.push('workflows.setMy2n')
      await call('workflows.my2nStatus', {})
    }
    if (has('workflows.start')) {
      const procs = await call('workflows.procedures', {})
      const proc = procs.ok ? (procs.value as { id: string }[])[0]?.id : undefined
      const run = proc ? await call('workflows.start', { ticketId, procedure: proc }) : null
      if (run?.ok) {
        const v = run.value as { id: number; current: { stepId: string } | null }
        const stepId = v.current?.stepId ?? 'serial'
        const inputs = { serial: '54-1234-5678', certificateCode: SECRETS.certificateCode, securityCode: SECRETS.securityCode, devicePassword: SECRETS.stepDevicePassword }
        const outcome = (r: Awaited<ReturnType<typeof call>>) => (r.ok ? 'ok' : r.error.code)
        planted.push(`workflows.completeStep (${outcome(await call('workflows.completeStep', { runId: v.id, stepId, inputs }))})`)
        planted.push(`workflows.runAuto (${outcome(await call('workflows.runAuto', { runId: v.id, stepId, inputs }))})`)
        const attach = await call('workflows.attach', { runId: v.id, stepId, evidence: 'backup', name: 'config.bin', dataBase64: Buffer.from('cfg').toString('base64'), password: SECRETS.backupPassword })
        planted.push(`workflows.attach (${outcome(attach)})`)
        await call('workflows.get', { runId: v.id })
        await call('workflows.forTicket', { ticketId })
      }
    }
    // The bench PIN and a careless audit call with a secret-looking key.
    if ((await call('lock.setPin', { pin: SECRETS.pin, idleMinutes: 30 })).ok) planted.push('lock.setPin')
    await call('lock.lock', {})
    await call('lock.unlock', { pin: SECRETS.pin })
    await app.audit({ action: 'device.setPassword', outcome: 'ok', ticketId, inputs: { password: SECRETS.auditPassword, newPassword: SECRETS.auditPassword } })
    planted.push('app.audit(inputs.password)')

    // Everything the renderer could read, and the exports.
    await call('audit.list', { limit: 500 })
    await call('audit.list', { ticketId, limit: 500 })
    const pdf = await call('reports.ticketPdf', { ticketId })
    const bundle = await call('reports.ticketBundle', { ticketId })
    expect(pdf.ok && bundle.ok).toBe(true)
    const pdfBytes = Buffer.from((pdf as { value: { dataBase64: string } }).value.dataBase64, 'base64')
    const pdfFile = join(tempDir(), 'r.pdf')
    writeFileSync(pdfFile, pdfBytes)
    const pdfText = execFileSync('pdftotext', [pdfFile, '-'], { encoding: 'utf8' })

    // Canary: the search itself finds a secret where one is.
    expect(find(Buffer.from(`x${SECRETS.pin}x`), 'canary')).toEqual(['pin in canary'])
    const hits: string[] = []
    // While open: the WAL holds the latest pages.
    for (const f of filesUnder(dataDir)) hits.push(...find(readFileSync(f), `${f.replace(dataDir, '<data>')} (open)`))
    await app.close()
    for (const f of filesUnder(dataDir)) hits.push(...find(readFileSync(f), `${f.replace(dataDir, '<data>')} (closed)`))
    hits.push(...find(Buffer.from(logs.join('\n')), 'console output'))
    hits.push(...find(Buffer.from(replies.join('\n')), 'API replies'))
    hits.push(...find(pdfBytes, 'PDF bytes'), ...find(Buffer.from(pdfText), 'PDF text'))
    hits.push(...find(Buffer.from((bundle as { value: { dataBase64: string } }).value.dataBase64, 'base64'), 'JSON bundle'))
    vi.restoreAllMocks()
    console.log(`planted through: ${planted.join(', ')}; searched ${filesUnder(dataDir).length} files, ${replies.length} replies, ${logs.length} log lines, PDF and bundle`)
    expect(existsSync(join(dataDir, 'support-console.sqlite'))).toBe(true)
    expect(planted.length).toBeGreaterThanOrEqual(2)
    expect(hits).toEqual([])
  })
})
