// Test helpers: an engine on a temp database, a fake device layer and a fake My2N.
import type { WorkflowRun } from '../../../shared/contract/workflows'
import BetterSqlite3 from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppError } from '../../../shared/contract/common'
import { configure } from '../../../db/database'
import { migrate } from '../../../db/migrate'
import { migrations } from '../../../db/migrations/index'
import { AuditRepo } from '../../../db/repos/audit'
import { EvidenceRepo } from '../../../db/repos/evidence'
import { TicketsRepo } from '../../../db/repos/tickets'
import { WorkflowsRepo } from '../../../db/repos/workflows'
import { memoryKeyProvider, SecretBox } from '../../infra/secret-box'
import type { My2nClient, My2nResult } from '../my2n-move/my2n/client'
import type { ActionRegistry } from './actions'
import type { ProcedureDef } from './definition'
import type { Credentials, DeviceAddress, DeviceOpsPort } from './device-port'
import { WorkflowEngine } from './engine'
import { buildActions, loadProcedures } from '../../core/procedures'

/** The registered migrations up to 0004 (the repository test of 0004 stops there). */
export function migrationList() {
  return migrations.filter((m) => m.version <= 4)
}

export function configXml(serial: string, name = '2N IP Verso', users: string[] = ['Novák', 'Svoboda']): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!--
  Product name: 2N IP Verso
  Serial number: ${serial}
  Software version: 2.46.0.60.2
-->
<DeviceDatabase Version="45">
  <Network><DhcpEnabled>1</DhcpEnabled></Network>
  <System><DeviceName>${name}</DeviceName></System>
  <Directory>${users.map((u) => `<User><Name>${u}</Name></User>`).join('')}</Directory>
</DeviceDatabase>
`
}

/** An in-memory 2N intercom as the device layer would see it. */
export class FakeDevice implements DeviceOpsPort {
  address: DeviceAddress = { host: '127.0.0.10', port: 8080 }
  password = 'Customer-Old-1'
  config: string
  comesBackAt: DeviceAddress | null = { host: '127.0.0.10', port: 8080 }
  rejected = 0
  calls: string[] = []
  /** Called inside factoryReset after the device accepted it (tests crash the engine here). */
  onReset: (() => Promise<void>) | null = null
  constructor(readonly serial = '54-0562-0293') {
    this.config = configXml(serial)
  }
  private at(a: DeviceAddress) {
    if (a.host !== this.address.host || a.port !== this.address.port) throw new AppError('UNREACHABLE', `Nothing answers at ${a.host}:${a.port}.`)
  }
  private auth(c: Credentials) {
    if (c.password !== this.password) {
      this.rejected++
      throw new AppError('UNAUTHORIZED', 'The device rejected the password.')
    }
  }
  async identify(a: DeviceAddress) {
    this.calls.push('identify')
    this.at(a)
    return { serial: this.serial, model: '2N IP Verso', firmware: '2.46.0.60.2', mac: '7C-1E-B3-00-00-01' }
  }
  async backup(a: DeviceAddress, c: Credentials) {
    this.calls.push('backup')
    this.at(a)
    this.auth(c)
    return Buffer.from(this.config)
  }
  async factoryReset(a: DeviceAddress, c: Credentials, o: { confirmSerial: string }) {
    this.calls.push('factoryReset')
    this.at(a)
    this.auth(c)
    if (o.confirmSerial !== this.serial) throw new AppError('FORBIDDEN', 'serial confirmation does not match')
    this.password = '2n'
    this.config = configXml(this.serial, '2N IP Verso', [])
    if (this.onReset) await this.onReset()
    this.address = this.comesBackAt ?? { host: '127.0.0.99', port: 1 }
  }
  async waitForDevice() {
    this.calls.push('waitForDevice')
    return this.comesBackAt
  }
  async checkLogin(a: DeviceAddress, c: Credentials) {
    this.calls.push(`checkLogin:${c.password === '2n' ? 'default' : 'other'}`)
    this.at(a)
    return c.password === this.password
  }
  async setPassword(a: DeviceAddress, c: Credentials, p: string) {
    this.calls.push('setPassword')
    this.at(a)
    this.auth(c)
    this.password = p
  }
  async restore(a: DeviceAddress, c: Credentials, cfg: Buffer) {
    this.calls.push('restore')
    this.at(a)
    this.auth(c)
    this.config = cfg.toString('utf8')
  }
}

export class FakeMy2n implements My2nClient {
  readonly kind = 'lab'
  readonly label = 'fake My2N'
  /** serial → site it is registered in. */
  owner: Record<string, string> = {}
  /** serial → the security code valid when it was registered there (a newer code moves it). */
  ownerCode: Record<string, string> = {}
  codes: Record<string, string> = {}
  calls: { serial: string; site: string }[] = []
  async addDevice(r: { serial: string; securityCode: string; site: string }) {
    this.calls.push({ serial: r.serial, site: r.site })
    const res = ((): My2nResult => {
      if (!(r.serial in this.codes)) return 'not-found'
      const code = this.codes[r.serial]
      // As My2N: a device already in this very site is "already added" too.
      if (this.owner[r.serial] === r.site) return 'already-added'
      if (this.owner[r.serial] && (this.ownerCode[r.serial] ?? code) === code) return 'already-added'
      if (code !== r.securityCode) return 'wrong-code'
      this.owner[r.serial] = r.site
      this.ownerCode[r.serial] = code
      return 'added'
    })()
    return { result: res, message: res }
  }
  async inSite(r: { serial: string; site: string }) {
    return this.owner[r.serial] === r.site
  }
  async account() {
    return { company: 'Fake company', sites: [...new Set(Object.values(this.owner))].map((id) => ({ id, name: id })) }
  }
}

/** `procedures`/`actions`: a synthetic procedure set instead of the installed ones (engine tests). */
export function workbench(o: { dataDir?: string; device?: FakeDevice; my2n?: FakeMy2n; procedures?: ReadonlyMap<string, ProcedureDef>; actions?: ActionRegistry } = {}) {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'sc-wf-'))
  const db = new BetterSqlite3(join(dataDir, 'test.sqlite'))
  configure(db)
  migrate(db)
  const tickets = new TicketsRepo(db)
  const audit = new AuditRepo(db)
  const box = new SecretBox(memoryKeyProvider(Buffer.alloc(32, 7)))
  const device = o.device ?? new FakeDevice()
  const my2n = o.my2n ?? new FakeMy2n()
  const events: { runId: number; view: Promise<WorkflowRun> }[] = []
  const vault = new EvidenceRepo(db, audit)
  const repo = new WorkflowsRepo(db)
  const engine = new WorkflowEngine({
    repo,
    procedures: o.procedures ?? loadProcedures(),
    actions: o.actions ?? buildActions({ ops: device, my2n: async () => my2n, rediscoverMs: 1000 }),
    ticket: (id) => tickets.get(id),
    audit: async (e) => void (await audit.append({ ...e, agent: 'Test Agent' })),
    // As App.record: the change and its entries in one transaction.
    record: async (change, entries) =>
      db.transaction(() => {
        const r = change()
        const es = entries(r)
        for (const e of Array.isArray(es) ? es : [es]) audit.tx().append({ ...e, agent: 'Test Agent' })
        return r
      }).immediate(),
    agentLabel: async () => 'Test Agent',
    seal: (p) => box.seal(p),
    fingerprint: (purpose, parts) => box.fingerprint(purpose, parts),
    open: (s) => box.open(s),
    dataDir,
    evidence: {
      // The vault's own repository, as electron/features/evidence/vault.ts uses it (no thumbnails here).
      add: async (e) => vault.add({ ...e, mime: 'application/octet-stream', size: e.data.length, sha256: createHash('sha256').update(e.data).digest('hex'), content: e.data }, 'Test Agent'),
      addRef: async (e) => vault.add({ ...e, mime: 'application/octet-stream', content: null }, 'Test Agent'),
      content: (id) => vault.content(id),
    },
    changed: (runId, _ticketId, view) => void events.push({ runId, view }),
    progress: () => undefined,
  })
  const auditRows = () => db.prepare('SELECT action, outcome, inputs, detail, device FROM audit_log ORDER BY seq').all() as { action: string; outcome: string; inputs: string; detail: string; device: string | null }[]
  return { db, dataDir, engine, tickets, device, my2n, events, auditRows, box, vault, repo }
}

export const SERIAL = '54-0562-0293'

export async function ticket(w: ReturnType<typeof workbench>, serial = '') {
  return w.tickets.create({ externalRef: 'ZD-1', customerName: 'Nováková s.r.o.', contact: '', deviceSerial: serial, deviceModel: 'IP Verso', procedure: 'my2n-move', notes: '' })
}

/** Drives a run to the backup step through the "already added → new code" branch. */
export async function toBackup(w: ReturnType<typeof workbench>) {
  w.my2n.codes[SERIAL] = 'CERT-CODE'
  w.my2n.owner[SERIAL] = 'old-site'
  w.my2n.ownerCode[SERIAL] = 'CERT-CODE'
  const t = await ticket(w, SERIAL)
  const run = await w.engine.start(t.id, 'my2n-move')
  await w.engine.completeStep(run.id, 'serial', { serial: SERIAL, foundAt: 'label' })
  await w.engine.runAuto(run.id, 'bench', { host: '127.0.0.10:8080' })
  await w.engine.settled(run.id)
  await w.engine.runAuto(run.id, 'my2n-check', { site: 'new-site', certificateCode: 'CERT-CODE' })
  await w.engine.settled(run.id)
  await w.engine.completeStep(run.id, 'already-added', {}, 'new-code')
  w.my2n.codes[SERIAL] = 'NEW-CODE-1234' // "Generate New" on the device
  await w.engine.completeStep(run.id, 'new-code', { securityCode: 'NEW-CODE-1234', oldCodeInvalid: true })
  return run.id
}
