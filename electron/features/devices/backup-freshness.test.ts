// Issue 13, finding 6: the backup that authorises a factory reset or a restore must show the
// device as it is now: taken after the device's last audited change (factory reset, restore,
// password change), or, for a workflow's step, taken in that run (so the run can restore its
// own backup after its own reset, and run a step again after a crash). The guard is checked
// here on the database alone; electron/security/device-concurrency.test.ts does it on the lab.
import { afterEach, describe, expect, it } from 'vitest'
import { DevicesRepo } from '../../../db/repos/devices'
import { tempDir } from '../../../db/test/helpers'
import { createDispatcher } from '../../core/api'
import { App } from '../../core/app'
import { guard } from './identity-check'
import type { OpsCore } from './ops-core'

const SERIAL = '54-0000-0042'
const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})

async function setup() {
  const app = new App({ dataDir: tempDir('sc-fresh-'), host: 'browser' })
  apps.push(app)
  const call = createDispatcher(app)
  const ticket = async () => ((await call('tickets.create', { customerName: 'Lab', deviceSerial: SERIAL }, { transport: 'test' })) as { value: { id: number } }).value.id
  const repo = new DevicesRepo(app.db)
  const id = (await repo.recordSeen({ serial: SERIAL, ip: '127.0.0.78', kind: 'intercom' }))!
  const core = { app, repo, progress: () => undefined } as unknown as OpsCore
  const backup = (ticketId: number) =>
    app.record(() => repo.tx().addBackup({ deviceId: id, ticketId, sha256: 'a'.repeat(64), size: 1, serial: SERIAL, firmware: '', format: '2n-config-xml', verified: true, verifyDetail: 'ok', secretSealed: null, data: Buffer.from('x') }),
      (b) => ({ action: 'devices.backup', outcome: 'ok', ticketId, device: SERIAL, detail: `Backup #${b.id}` }))
  const change = (action: string, ticketId: number) => app.audit({ action, outcome: 'ok', ticketId, device: SERIAL })
  const startRun = (ticketId: number) => {
    const now = new Date().toISOString()
    app.db.prepare("INSERT INTO workflow_runs (ticket_id, procedure, procedure_version, status, created_at, updated_at) VALUES (?, 'my2n-move', 1, 'active', ?, ?)").run(ticketId, now, now)
  }
  const check = async (op: string, ticketId: number, o: { inRun?: boolean } = {}) => guard(core, await repo.get(id), op, ticketId, SERIAL, {}, o)
  return { app, ticket, backup, change, startRun, check }
}

const tick = () => new Promise((r) => setTimeout(r, 5))

describe('a backup that proves the present', () => {
  it('a restore or password change after the backup makes it stale for a factory reset and a restore; a new backup is needed', async () => {
    for (const action of ['devices.restore', 'devices.setPassword', 'devices.factoryReset']) {
      const s = await setup()
      const t = await s.ticket()
      await s.backup(t)
      await tick()
      await expect(s.check('factoryReset', t)).resolves.toMatchObject({ serial: SERIAL })
      await s.change(action, t)
      for (const op of ['factoryReset', 'restore']) {
        await expect(s.check(op, t)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(new RegExp(`last change \\(${action.slice(8)} on .*Take a new backup first`)) })
      }
      await tick()
      await s.backup(t)
      await expect(s.check('restore', t)).resolves.toMatchObject({ serial: SERIAL })
    }
  })

  it('a workflow step may use its run’s backup across the run’s own changes, not across anyone else’s', async () => {
    const s = await setup()
    const t = await s.ticket()
    s.startRun(t)
    await tick()
    await s.backup(t)
    await tick()
    await s.change('devices.factoryReset', t) // the run's reset
    await expect(s.check('restore', t)).rejects.toMatchObject({ code: 'FORBIDDEN' }) // not from the device page
    await expect(s.check('restore', t, { inRun: true })).resolves.toMatchObject({ serial: SERIAL })
    await s.change('devices.restore', t) // and again after a crash
    await expect(s.check('restore', t, { inRun: true })).resolves.toMatchObject({ serial: SERIAL })
    // A reset of the device from another ticket meanwhile: the run's backup no longer shows it.
    const other = await s.ticket()
    await s.change('devices.factoryReset', other)
    await expect(s.check('restore', t, { inRun: true })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/last change \(factoryReset on/) })
  })

  it('a backup from before the run started is not the run’s', async () => {
    const s = await setup()
    const t = await s.ticket()
    await s.backup(t)
    await tick()
    s.startRun(t)
    await tick()
    await s.change('devices.factoryReset', t)
    await expect(s.check('factoryReset', t, { inRun: true })).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })
})
