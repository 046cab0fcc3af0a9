// Control interface of the bench: HTTP on 127.0.0.1 with a bearer token. Trainers and
// tests in other processes drive scenarios through it; in-process tests can call the
// same methods on the device objects directly. Routes are listed in lab/README.md.
import { timingSafeEqual } from 'node:crypto'
import type { My2nCloud } from '../cloud/my2n'
import { startJsonServer, type JsonReply, type JsonReq } from '../core/json-server'
import type { DeviceInfo, SimDevice } from '../device'
import { Intercom } from '../intercom/intercom'
import { Nvr } from '../nvr/nvr'
import { ScenarioError, SCENARIOS, runScenario } from '../scenarios'

/** What the control interface needs; in-process benches and netns benches implement it. */
export interface ControlBackend {
  list(): DeviceInfo[]
  detail(key: string): Promise<Record<string, unknown>>
  act(key: string, action: string, args: Record<string, unknown>): Promise<{ result: unknown; device: DeviceInfo }>
  screen(key: string): Promise<Buffer | null>
  advance(ms: number): Promise<void>
  my2nRemove(key: string): Promise<boolean>
}

export class NotFound extends Error {}

export function detail(d: SimDevice): Record<string, unknown> {
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

/** Backend over device objects living in this process. */
export function localBackend(devices: SimDevice[], get: (key: string) => SimDevice, advance: (ms: number) => Promise<void>, my2n: My2nCloud): ControlBackend {
  const find = (key: string) => {
    try { return get(key) } catch (e) { throw new NotFound((e as Error).message) }
  }
  return {
    list: () => devices.map((d) => d.info()),
    detail: async (key) => {
      const d = find(key)
      const body = detail(d)
      if (d instanceof Intercom) (body.my2n as Record<string, unknown>).owner = my2n.ownerOf(d.serial)
      return body
    },
    act: async (key, action, args) => {
      const d = find(key)
      const result = await runScenario(d, action, args)
      return { result: result ?? null, device: d.info() }
    },
    screen: async (key) => {
      const d = find(key)
      return d instanceof Nvr ? d.screenPng() : null
    },
    advance,
    my2nRemove: async (key) => my2n.remove(find(key).serial),
  }
}

export async function startControlServer(backend: ControlBackend, token: string, port: number) {
  const want = Buffer.from(`Bearer ${token}`)
  const authorized = (h: string | undefined) => {
    const got = Buffer.from(h ?? '')
    return got.length === want.length && timingSafeEqual(got, want)
  }
  const handle = async (r: JsonReq): Promise<JsonReply> => {
    if (!authorized(r.headers.authorization)) return { status: 401, body: { error: 'missing or wrong bearer token' } }
    if (r.method === 'GET' && r.path === '/devices') return { status: 200, body: { devices: backend.list() } }
    if (r.method === 'POST' && r.path === '/clock/advance') {
      const s = (r.body as { seconds?: unknown } | undefined)?.seconds
      if (typeof s !== 'number' || !(s >= 0)) return { status: 400, body: { error: '"seconds" must be a number >= 0' } }
      await backend.advance(s * 1000)
      return { status: 200, body: { ok: true } }
    }
    const m = /^\/devices\/([^/]+)(?:\/([^/]+))?$/.exec(r.path)
    if (!m) return { status: 404, body: { error: 'no such route' } }
    const key = decodeURIComponent(m[1])
    const action = m[2]
    try {
      if (r.method === 'GET' && !action) return { status: 200, body: await backend.detail(key) }
      if (r.method === 'GET' && action === 'screen.png') {
        const png = await backend.screen(key)
        if (!png) return { status: 404, body: { error: 'no Retrieve Password screen is open on this device' } }
        return { status: 200, raw: png, headers: { 'Content-Type': 'image/png' } }
      }
      if (r.method === 'POST' && action === 'my2nRemove') return { status: 200, body: { removed: await backend.my2nRemove(key) } }
      if (r.method === 'POST' && action) {
        const { result, device } = await backend.act(key, action, (r.body ?? {}) as Record<string, unknown>)
        return { status: 200, body: { ok: true, result, device } }
      }
    } catch (e) {
      if (e instanceof NotFound) return { status: 404, body: { error: e.message } }
      return { status: e instanceof ScenarioError ? 400 : 409, body: { error: (e as Error).message, actions: SCENARIOS } }
    }
    return { status: 405, body: { error: 'method not allowed' } }
  }
  return startJsonServer('127.0.0.1', port, handle)
}
