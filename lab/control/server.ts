// Control interface of the bench: HTTP on 127.0.0.1 with a bearer token. Trainers and
// tests in other processes drive scenarios through it; in-process tests can call the
// same methods on the device objects directly. Routes are listed in lab/README.md.
import { timingSafeEqual } from 'node:crypto'
import type { My2nCloud } from '../cloud/my2n'
import { startJsonServer, type JsonReply, type JsonReq } from '../core/json-server'
import type { SimDevice } from '../device'
import { Intercom } from '../intercom/intercom'
import { Nvr } from '../nvr/nvr'
import { ScenarioError, SCENARIOS, runScenario } from '../scenarios'

export interface ControlDeps {
  devices: SimDevice[]
  get(key: string): SimDevice
  advance(ms: number): Promise<void>
  my2n: My2nCloud
  token: string
  port: number
}

function detail(d: SimDevice): Record<string, unknown> {
  const base: Record<string, unknown> = { ...d.info(), skewSeconds: d.skewSeconds, faults: d.host.faults }
  if (d instanceof Intercom) {
    base.my2n = { securityCode: d.my2nCode, owner: null }
    base.webMustChangePassword = d.web.mustChange
    base.pendingFirmware = d.pendingFirmware
  }
  if (d instanceof Nvr) {
    base.retrievePassword = d.retrieve.current()
    base.lockedAddresses = d.lockout.locked()
  }
  return base
}

export async function startControlServer(deps: ControlDeps) {
  const want = Buffer.from(`Bearer ${deps.token}`)
  const authorized = (h: string | undefined) => {
    const got = Buffer.from(h ?? '')
    return got.length === want.length && timingSafeEqual(got, want)
  }
  const handle = async (r: JsonReq): Promise<JsonReply> => {
    if (!authorized(r.headers.authorization)) return { status: 401, body: { error: 'missing or wrong bearer token' } }
    if (r.method === 'GET' && r.path === '/devices') return { status: 200, body: { devices: deps.devices.map((d) => d.info()) } }
    if (r.method === 'POST' && r.path === '/clock/advance') {
      const s = (r.body as { seconds?: unknown } | undefined)?.seconds
      if (typeof s !== 'number' || !(s >= 0)) return { status: 400, body: { error: '"seconds" must be a number >= 0' } }
      await deps.advance(s * 1000)
      return { status: 200, body: { ok: true } }
    }
    const m = /^\/devices\/([^/]+)(?:\/([^/]+))?$/.exec(r.path)
    if (!m) return { status: 404, body: { error: 'no such route' } }
    let d: SimDevice
    try {
      d = deps.get(decodeURIComponent(m[1]))
    } catch (e) {
      return { status: 404, body: { error: (e as Error).message } }
    }
    const action = m[2]
    if (r.method === 'GET' && !action) {
      const body = detail(d)
      if (d instanceof Intercom) (body.my2n as Record<string, unknown>).owner = deps.my2n.ownerOf(d.serial)
      return { status: 200, body }
    }
    if (r.method === 'GET' && action === 'screen.png') {
      if (!(d instanceof Nvr)) return { status: 404, body: { error: 'only NVRs have a screen' } }
      const png = await d.screenPng()
      if (!png) return { status: 404, body: { error: 'the Retrieve Password screen is not open' } }
      return { status: 200, raw: png, headers: { 'Content-Type': 'image/png' } }
    }
    if (r.method === 'POST' && action === 'my2nRemove') {
      return { status: 200, body: { removed: deps.my2n.remove(d.serial) } }
    }
    if (r.method === 'POST' && action) {
      try {
        const result = await runScenario(d, action, (r.body ?? {}) as Record<string, unknown>)
        return { status: 200, body: { ok: true, result: result ?? null, device: d.info() } }
      } catch (e) {
        return { status: e instanceof ScenarioError ? 400 : 409, body: { error: (e as Error).message, actions: SCENARIOS } }
      }
    }
    return { status: 405, body: { error: 'method not allowed' } }
  }
  return startJsonServer('127.0.0.1', deps.port, handle)
}
