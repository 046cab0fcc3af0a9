// SIMULATED My2N cloud (2n-intercom.md §5). The real Partner API's "add device" payload is
// not public, so this JSON API is a lab invention that reproduces the documented answers of
// the "move a device to another My2N account" FAQ: "The Serial Number does not exist",
// "The device is already added", a wrong security code, or success; plus deleting a device.
//
// Simulation choice for "Generate New": a device owned by another company can be added
// when the code given is the current one AND it was generated after the owner added the
// device (the owner's claim is stale); otherwise the answer is "already added".
import type { SeededRng } from '../core/rng'
import { startJsonServer, type JsonReply, type JsonReq } from '../core/json-server'

export interface My2nCompany { id: string; name: string; apiKey: string; siteId: string; siteName: string }

interface Registration { code: string; generation: number }
interface Ownership { companyId: string; siteId: string; generationWhenAdded: number; addedAt: string }

const SERIAL_RE = /^\d{2}-\d{4}-\d{4}$/

export class My2nCloud {
  readonly companies: My2nCompany[]
  private registry = new Map<string, Registration>()
  private owners = new Map<string, Ownership>()
  private server: { url: string; close(): Promise<void> } | null = null

  constructor(rng: SeededRng, private readonly now: () => number) {
    this.companies = [
      { id: 'c-1001', name: 'Previous Owner s.r.o.', apiKey: `my2n-${rng.hex(24)}`, siteId: 's-2001', siteName: 'Old building' },
      { id: 'c-1002', name: 'Support Lab Integrator a.s.', apiKey: `my2n-${rng.hex(24)}`, siteId: 's-2002', siteName: 'New site' },
    ]
  }

  get url(): string { return this.server?.url ?? '' }

  /** The device reports its (new) security code. */
  setCode(serial: string, code: string): void {
    const r = this.registry.get(serial)
    this.registry.set(serial, { code, generation: (r?.generation ?? 0) + 1 })
  }

  /** Scenario: put the device in a company's account without going through the API. */
  assign(serial: string, companyName: string): void {
    const c = this.companies.find((x) => x.name === companyName || x.id === companyName) ?? this.companies[0]
    const reg = this.registry.get(serial)
    if (!reg) throw new Error(`unknown 2N serial ${serial}`)
    this.owners.set(serial, { companyId: c.id, siteId: c.siteId, generationWhenAdded: reg.generation, addedAt: new Date(this.now()).toISOString() })
  }

  remove(serial: string): boolean {
    return this.owners.delete(serial)
  }

  ownerOf(serial: string): string | null {
    return this.owners.get(serial)?.companyId ?? null
  }

  async start(host: string, port = 0): Promise<void> {
    this.server = await startJsonServer(host, port, (r) => this.handle(r))
  }

  async stop(): Promise<void> {
    await this.server?.close()
    this.server = null
  }

  private handle(r: JsonReq): JsonReply {
    const company = this.companies.find((c) => c.apiKey === r.headers['x-api-key'])
    if (!company) return err(401, 'unauthorized', 'Missing or invalid x-api-key')
    if (r.method === 'GET' && r.path === '/api/v1/company') {
      return { status: 200, body: { id: company.id, name: company.name, sites: [{ id: company.siteId, name: company.siteName }] } }
    }
    const m = /^\/api\/v1\/sites\/([^/]+)\/devices(?:\/([^/]+))?$/.exec(r.path)
    if (!m || m[1] !== company.siteId) return err(404, 'notFound', 'No such resource')
    const serial = m[2] ? decodeURIComponent(m[2]) : undefined
    if (r.method === 'GET' && !serial) {
      const devices = [...this.owners].filter(([, o]) => o.siteId === company.siteId).map(([s, o]) => ({ serialNumber: s, addedAt: o.addedAt }))
      return { status: 200, body: { devices } }
    }
    if (r.method === 'POST' && !serial) return this.add(company, r.body)
    if (r.method === 'DELETE' && serial) {
      const o = this.owners.get(serial)
      if (!o || o.companyId !== company.id) return err(404, 'deviceNotInSite', 'The device is not in this site')
      this.owners.delete(serial)
      return { status: 204 }
    }
    return err(405, 'methodNotAllowed', 'Method not allowed')
  }

  private add(company: My2nCompany, body: unknown): JsonReply {
    const b = (body ?? {}) as { serialNumber?: unknown; securityCode?: unknown }
    if (typeof b.serialNumber !== 'string' || typeof b.securityCode !== 'string') return err(400, 'badRequest', 'serialNumber and securityCode are required')
    const serial = b.serialNumber.trim()
    const reg = SERIAL_RE.test(serial) ? this.registry.get(serial) : undefined
    if (!reg) return err(404, 'serialNotFound', 'The Serial Number does not exist')
    const owner = this.owners.get(serial)
    const codeOk = b.securityCode.trim().toUpperCase() === reg.code
    if (owner && (owner.companyId === company.id || !codeOk || reg.generation <= owner.generationWhenAdded)) {
      return err(409, 'alreadyAdded', 'The device is already added')
    }
    if (!codeOk) return err(403, 'invalidSecurityCode', 'The security code is not valid')
    this.owners.set(serial, { companyId: company.id, siteId: company.siteId, generationWhenAdded: reg.generation, addedAt: new Date(this.now()).toISOString() })
    return { status: 201, body: { serialNumber: serial, siteId: company.siteId, movedFrom: owner?.companyId ?? null } }
  }
}

const err = (status: number, code: string, message: string): JsonReply => ({ status, body: { error: { code, message } } })
