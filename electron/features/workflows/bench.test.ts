// The My2N move on the real engine, the real device layer and the lab bench (2N intercom and
// My2N simulators on 127.0.19.x): the same path the e2e tests drive through the UI.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DevicesRepo } from '../../../db/repos/devices'
import { startBench, type Bench } from '../../../lab/bench'
import { App } from '../../core/app'
import { createEvidenceVault } from '../evidence/vault'
import { memoryKeyProvider } from '../../infra/secret-box'
import { buildServices } from '../../core/api'

let bench: Bench | null = null
let app: App | null = null
afterEach(async () => {
  await app?.close()
  await bench?.stop()
  app = bench = null
})

async function setup(seed: string) {
  bench = await startBench({ intercoms: 1, nvrs: 0, seed, hostBase: '127.0.19.', firstHost: 10, discovery: false, timing: { rebootMs: 300, applyDelayMs: 300 } })
  app = new App({ dataDir: mkdtempSync(join(tmpdir(), 'sc-wf-bench-')), host: 'browser', keys: memoryKeyProvider() })
  await app.setAgent({ name: 'Bench Agent', email: '' })
  const { engine, my2n } = buildServices(app).workflows
  await my2n.set({ kind: 'lab', url: `${bench.my2n.url}/api/v1`, apiKey: bench.my2n.apiKey })
  const d = bench.intercom(0)
  const t = await app.tickets.create({ externalRef: 'ZD-1', customerName: 'Buyer', contact: '', deviceSerial: d.serial, deviceModel: d.model, procedure: 'my2n-move', notes: '' })
  const run = await engine.start(t.id, 'my2n-move')
  return { engine, d, runId: run.id, bench }
}

describe('my2n-move against the lab bench', () => {
  it('moves a device that is in another My2N account: new code, backup, reset, new password, register, restore', async () => {
    const { engine, d, runId, bench } = await setup('wf-happy')
    d.alreadyInMy2nAccount()
    const go = async (step: string, inputs: Record<string, string | boolean> = {}) => {
      const r = await engine.runAuto(runId, step, inputs)
      await engine.settled(runId)
      return r
    }
    await engine.completeStep(runId, 'serial', { serial: d.serial, foundAt: 'label' })
    await go('bench', { host: d.ip })
    expect((await engine.get(runId)).current?.stepId).toBe('my2n-check')
    await go('my2n-check', { site: bench.my2n.siteId, certificateCode: d.my2nCode })
    expect((await engine.get(runId)).current?.stepId).toBe('already-added')
    await engine.completeStep(runId, 'already-added', {}, 'new-code')
    const code = d.generateMy2nCode()
    await engine.completeStep(runId, 'new-code', { securityCode: code, oldCodeInvalid: true })
    await go('backup', { username: d.info().credentials.username, devicePassword: d.info().credentials.password })
    let r = await engine.get(runId)
    expect(r.current?.stepId, JSON.stringify(r.timeline.filter((e) => e.stepId === 'backup').map((e) => [e.state, e.why]))).toBe('reset')
    // The downloaded configuration is the ticket's evidence, in the vault (electron/features/evidence/vault.ts), with its hash.
    expect(await createEvidenceVault(app!).listForTicket(r.ticketId)).toEqual([expect.objectContaining({ kind: 'config-backup', source: 'workflow:my2n-move:backup', sha256: r.facts.backupSha256, hasContent: true })])
    const before = d.ip
    await go('reset', { confirm: d.serial })
    r = await engine.get(runId)
    expect(r.current?.stepId, JSON.stringify(r.timeline.filter((e) => e.stepId === 'reset'))).toBe('password')
    expect(d.ip).not.toBe(before)
    expect(r.facts.deviceAddress).toBe(d.ip)
    const reply = await go('password')
    r = await engine.get(runId)
    expect(r.current?.stepId, JSON.stringify(r.timeline.filter((e) => e.stepId === 'password'))).toBe('register')
    expect(d.web.password).toBe(reply.reveal?.value)
    // Asked of the lab intercom's own web login: admin / 2n is refused now, the password shown once is accepted.
    const webLogin = (password: string) => fetch(`http://${d.ip}:${d.info().httpPort}/web/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password }) }).then((x) => x.status)
    expect(await webLogin('2n')).toBe(401)
    expect(await webLogin(reply.reveal!.value)).toBe(200)
    expect(r.timeline.find((e) => e.stepId === 'password')).toMatchObject({ state: 'done', result: { newPasswordWorks: true, defaultRefused: true } })
    await go('register', { site: bench.my2n.siteId })
    expect(bench.my2nCloud.ownerOf(d.serial)).toBe(bench.my2n.companyId)
    await engine.completeStep(runId, 'restore-offer', {}, 'review')
    await go('restore-review')
    r = await engine.get(runId)
    expect(r.current?.stepId, JSON.stringify(r.timeline.filter((e) => e.stepId === 'restore-review'))).toBe('restore')
    await go('restore', { confirm: d.serial })
    r = await engine.get(runId)
    expect(r.current?.stepId, JSON.stringify(r.timeline.filter((e) => e.stepId === 'restore'))).toBe('close-out')
    // The device the run worked on is linked to the ticket (once, audited), so its page lists the ticket.
    const linked = await new DevicesRepo(app!.db).list({ ticketId: r.ticketId })
    expect(linked.map((x) => x.serial)).toEqual([d.serial])
    expect(app!.db.prepare("SELECT count(*) FROM audit_log WHERE action = 'devices.linkTicket' AND ticket_id = ?").pluck().get(r.ticketId)).toBe(1)
  }, 60_000)
})
