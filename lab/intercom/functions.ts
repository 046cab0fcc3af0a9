// Switch, I/O, Audio and Directory functions of the simulated 2N HTTP API. Shapes follow the
// 2N HTTP API manual (wiki.2n.com/hip/hapi/latest/en, "5. Overview of HTTP API Functions"):
// §5.4 api switch, §5.5 api io, §5.11 api audio, §5.14 api dir; summarised in
// ../shared/domain/2n-intercom.md §3.6, §3.8, §3.10. What the manual leaves open is marked
// "simulation choice" and listed in lab/README.md.
import type { Reply, Req } from '../core/http-host'
import type { SeededRng } from '../core/rng'
import { apiError, ok } from './access'
import type { Intercom } from './intercom'

export interface SwitchState {
  switch: number
  enabled: boolean
  mode: 'monostable' | 'bistable'
  switchOnDuration: number
  type: 'normal' | 'security'
  active: boolean
  locked: boolean
  held: boolean
}

export interface IoPort { port: string; type: 'input' | 'output'; state: 0 | 1 }

/** Simulation choice: switches 1-2 monostable (5 s), 3 bistable, 4 disabled, like the manual's caps example (§5.4.1). */
export const defaultSwitches = (): SwitchState[] => [
  { switch: 1, enabled: true, mode: 'monostable', switchOnDuration: 5, type: 'normal', active: false, locked: false, held: false },
  { switch: 2, enabled: true, mode: 'monostable', switchOnDuration: 5, type: 'normal', active: false, locked: false, held: false },
  { switch: 3, enabled: true, mode: 'bistable', switchOnDuration: 5, type: 'normal', active: false, locked: false, held: false },
  { switch: 4, enabled: false, mode: 'monostable', switchOnDuration: 5, type: 'normal', active: false, locked: false, held: false },
]

/** Port names as in the manual's example (§5.5.1: relay1, relay2 outputs) plus two inputs. */
export const defaultPorts = (): IoPort[] => [
  { port: 'input1', type: 'input', state: 0 },
  { port: 'input2', type: 'input', state: 0 },
  { port: 'relay1', type: 'output', state: 0 },
  { port: 'relay2', type: 'output', state: 0 },
]

/** Request parameters: the URL, or an application/x-www-form-urlencoded POST body (§5.4.3 "Request"). */
function params(req: Req): URLSearchParams {
  const p = new URLSearchParams(req.query)
  if (req.method === 'POST' && /application\/x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? ''))) {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) p.set(k, v)
  }
  return p
}

function pickSwitch(d: Intercom, p: URLSearchParams, required: boolean): SwitchState[] | Reply {
  const raw = p.get('switch')
  if (raw === null) return required ? apiError(11, { param: 'switch', description: 'missing mandatory parameter' }) : d.switches
  const s = /^\d{1,2}$/.test(raw) ? d.switches.find((x) => x.switch === Number(raw)) : undefined
  return s ? [s] : apiError(12, { param: 'switch' })
}

const isReply = (x: unknown): x is Reply => !Array.isArray(x)

function setSwitch(d: Intercom, s: SwitchState, active: boolean): void {
  if (s.active === active) return
  s.active = active
  d.log.emit('SwitchStateChanged', { switch: s.switch, state: active })
}

/** §5.4.3: on/off/trigger/lock/unlock/hold/release; a locked switch is off and cannot be operated, a held one is on. */
function controlSwitch(d: Intercom, s: SwitchState, action: string): boolean {
  const operable = !s.locked && !s.held
  switch (action) {
    case 'on':
    case 'trigger':
      if (!operable) return true
      if (s.mode === 'bistable') setSwitch(d, s, action === 'on' ? true : !s.active)
      else {
        setSwitch(d, s, true)
        // Monostable: back off after switchOnDuration, on the bench's simulated clock.
        d.schedule(s.switchOnDuration * 1000, () => { if (!s.held) setSwitch(d, s, false) })
      }
      return true
    case 'off':
      if (operable) setSwitch(d, s, false)
      return true
    case 'lock': s.locked = true; setSwitch(d, s, false); return true
    case 'unlock': s.locked = false; return true
    case 'hold': s.held = true; setSwitch(d, s, !s.locked); return true
    case 'release': s.held = false; setSwitch(d, s, false); return true
    default: return false
  }
}

export const switchRoutes = {
  'switch/caps': (d: Intercom, req: Req): Reply => {
    const list = pickSwitch(d, params(req), false)
    if (isReply(list)) return list
    // Disabled switches show only {switch, enabled:false} (§5.4.1 example).
    return ok({ switches: list.map((s) => (s.enabled ? { switch: s.switch, enabled: true, mode: s.mode, switchOnDuration: s.switchOnDuration, type: s.type } : { switch: s.switch, enabled: false })) })
  },
  'switch/status': (d: Intercom, req: Req): Reply => {
    const list = pickSwitch(d, params(req), false)
    if (isReply(list)) return list
    return ok({ switches: list.map((s) => ({ switch: s.switch, active: s.active, locked: s.locked, held: s.held })) })
  },
  'switch/ctrl': (d: Intercom, req: Req): Reply => {
    const p = params(req)
    const list = pickSwitch(d, p, true)
    if (isReply(list)) return list
    const action = p.get('action')
    if (action === null) return apiError(11, { param: 'action', description: 'missing mandatory parameter' })
    // Simulation choice: a switch disabled in the web interface cannot be controlled (error 12 on `switch`).
    if (!list[0].enabled) return apiError(12, { param: 'switch' })
    if (!controlSwitch(d, list[0], action)) return apiError(12, { param: 'action' })
    // `response`: the device returns this text instead of the JSON reply (§5.4.3, Table 1).
    const text = p.get('response')
    return text !== null ? { status: 200, headers: { 'Content-Type': 'text/plain' }, body: text } : ok()
  },
}

function pickPort(d: Intercom, p: URLSearchParams, required: boolean): IoPort[] | Reply {
  const name = p.get('port')
  if (name === null) return required ? apiError(11, { param: 'port', description: 'missing mandatory parameter' }) : d.ports
  const port = d.ports.find((x) => x.port === name)
  return port ? [port] : apiError(12, { param: 'port' })
}

export const ioRoutes = {
  'io/caps': (d: Intercom, req: Req): Reply => {
    const list = pickPort(d, params(req), false)
    return isReply(list) ? list : ok({ ports: list.map((x) => ({ port: x.port, type: x.type })) })
  },
  'io/status': (d: Intercom, req: Req): Reply => {
    const list = pickPort(d, params(req), false)
    return isReply(list) ? list : ok({ ports: list.map((x) => ({ port: x.port, state: x.state })) })
  },
  'io/ctrl': (d: Intercom, req: Req): Reply => {
    const p = params(req)
    const list = pickPort(d, p, true)
    if (isReply(list)) return list
    const action = p.get('action')
    if (action === null) return apiError(11, { param: 'action', description: 'missing mandatory parameter' })
    if (action !== 'on' && action !== 'off') return apiError(12, { param: 'action' })
    // Only outputs can be controlled; an input named here is an invalid `port` (simulation choice).
    if (list[0].type !== 'output') return apiError(12, { param: 'port' })
    const state = action === 'on' ? 1 : 0
    if (list[0].state !== state) {
      list[0].state = state
      d.log.emit('OutputChanged', { port: list[0].port, state: state === 1 })
    }
    const text = p.get('response')
    return text !== null ? { status: 200, headers: { 'Content-Type': 'text/plain' }, body: text } : ok()
  },
}

/** §5.11.1: starts the microphone/speaker loop test; no parameters, `{success:true}`, result logged as AudioLoopTest. */
export function audioTest(d: Intercom): Reply {
  d.log.emit('AudioLoopTest', { result: 'passed' })
  return ok()
}

// ---- Directory (§5.14) -------------------------------------------------------------------

export type DirEntry = Record<string, unknown> & { uuid: string; timestamp: number; deleted: boolean }

/** The entry template (§5.14.1): every key with its default value. A subset of a real device's keys (simulation choice). */
export const dirTemplate = (): Record<string, unknown> => ({
  uuid: '', deleted: false, owner: '', name: '', email: '', treepath: '/', virtNumber: '', deputy: '',
  callPos: [{ peer: '', profiles: '', grouped: false }, { peer: '', profiles: '', grouped: false }, { peer: '', profiles: '', grouped: false }],
  access: { pin: '', validFrom: '0', validTo: '0', card: ['', ''], code: ['', ''] },
})

const UUID_RE = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/

export interface Directory { series: string; timestamp: number; entries: DirEntry[] }

export function defaultDirectory(rng: SeededRng): Directory {
  const uuid = (r: SeededRng) => { const h = r.hex(32).toUpperCase(); return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` }
  const names = ['Reception', 'Novák Jan', 'Dvořáková Eva']
  const entries = names.map((name, i) => ({ ...dirTemplate(), uuid: uuid(rng.fork(`u${i}`)), name, timestamp: i + 1, deleted: false, ...(i === 2 ? { owner: 'My2N' } : {}) }) as DirEntry)
  // `series` is a decimal string (§5.14.6 example "2229480630597592840").
  return { series: String(BigInt(`0x${rng.fork('series').hex(15)}`)), timestamp: entries.length, entries }
}

function jsonBody(req: Req): { ok: true; v: Record<string, unknown> } | { ok: false; reply: Reply } {
  const text = req.body.toString('utf8').trim()
  if (!text) return { ok: true, v: {} }
  try {
    const v = JSON.parse(text) as unknown
    if (v && typeof v === 'object' && !Array.isArray(v)) return { ok: true, v: v as Record<string, unknown> }
  } catch { /* below */ }
  // Simulation choice: a body that is not a JSON object is an invalid parameter value.
  return { ok: false, reply: apiError(12, { description: 'invalid parameter value (JSON object expected)' }) }
}
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)

/** Fields to return (§5.14.6 `fields`): absent → non-default values, [] → all, else the named top-level keys (unknown ones ignored). */
function project(e: DirEntry, fields: unknown): Record<string, unknown> {
  const tpl = dirTemplate()
  const out: Record<string, unknown> = { uuid: e.uuid }
  const keys = Array.isArray(fields) ? (fields.length === 0 ? Object.keys(tpl) : fields.map((f) => String(f).split(/[.[]/)[0])) : Object.keys(tpl).filter((k) => JSON.stringify(e[k]) !== JSON.stringify(tpl[k]))
  for (const k of keys) if (k in tpl && k !== 'uuid') out[k] = e[k]
  if (e.deleted) out.deleted = true
  return out
}

/** The first key of `src` that the template does not have (the entry is then left unchanged, §5.14.3 example). */
function unknownKey(src: Record<string, unknown>, tpl: Record<string, unknown>, prefix = ''): string | null {
  for (const [k, v] of Object.entries(src)) {
    if (!(k in tpl)) return `${prefix}${k}`
    if (isObj(v) && isObj(tpl[k])) { const u = unknownKey(v, tpl[k], `${prefix}${k}.`); if (u) return u }
  }
  return null
}
function merge(dst: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    if (isObj(v) && isObj(dst[k])) merge(dst[k], v)
    else dst[k] = v
  }
}

export const dirRoutes = {
  'dir/template': (d: Intercom): Reply => ok({ series: d.directory.series, users: [dirTemplate()] }),
  'dir/query': (d: Intercom, req: Req): Reply => {
    const parsed = jsonBody(req)
    if (!parsed.ok) return parsed.reply
    const b = parsed.v
    const dir = d.directory
    const since = isObj(b.iterator) && Number.isInteger(b.iterator.timestamp) ? Number(b.iterator.timestamp) : 0
    // Another series (the directory was reset): the device answers with its own series and nothing else.
    if (b.series !== undefined && String(b.series) !== dir.series) return ok({ series: dir.series, iterator: { timestamp: dir.timestamp }, users: [] })
    const users = dir.entries.filter((e) => e.timestamp > since && (since > 0 || !e.deleted)).map((e) => ({ ...project(e, b.fields), timestamp: e.timestamp }))
    return ok({ series: dir.series, iterator: { timestamp: dir.timestamp }, users })
  },
  'dir/update': (d: Intercom, req: Req): Reply => {
    const parsed = jsonBody(req)
    if (!parsed.ok) return parsed.reply
    const b = parsed.v
    if (!Array.isArray(b.users) || b.users.length === 0) return apiError(11, { param: 'users', description: 'missing mandatory parameter' })
    const dir = d.directory
    const tpl = dirTemplate()
    // Per-entry outcome (simulation choice for the error object: {code, field, description}).
    const users = b.users.map((u: unknown) => {
      const err = (code: number, field: string, description: string, uuid?: unknown) => ({ ...(typeof uuid === 'string' ? { uuid } : {}), errors: [{ code, field, description }] })
      if (!isObj(u) || typeof u.uuid !== 'string') return err(11, 'uuid', 'missing mandatory parameter')
      if (!UUID_RE.test(u.uuid)) return err(12, 'uuid', 'invalid parameter value', u.uuid)
      const e = dir.entries.find((x) => x.uuid.toUpperCase() === String(u.uuid).toUpperCase() && !x.deleted)
      if (!e) return err(12, 'uuid', 'entry not found', u.uuid)
      const rest = Object.fromEntries(Object.entries(u).filter(([k]) => k !== 'uuid'))
      const bad = unknownKey(rest, tpl)
      if (bad) return err(12, bad, 'unknown field', u.uuid)
      merge(e, rest)
      e.timestamp = ++dir.timestamp
      return { uuid: e.uuid, timestamp: e.timestamp }
    })
    return ok({ series: dir.series, users })
  },
}
