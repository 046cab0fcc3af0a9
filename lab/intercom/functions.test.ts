// Issue 16, points 1 and 4: the 2N Switch, I/O, Audio and Directory functions with the
// manual's JSON shapes and errors (2N HTTP API manual §5.4, §5.5, §5.11, §5.14), and service
// security grouped as the manual's function table groups it (§5: config, firmware, cert and
// dir are System functions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, type Bench } from '../bench'
import { DigestFetch, type Loose } from '../test-helpers'
import type { Intercom } from './intercom'

let bench: Bench
let d: Intercom
let base: string

beforeAll(async () => {
  bench = await startBench({ intercoms: 1, nvrs: 0, seed: 'functions-test', hostBase: '127.0.163.', portMode: 'ephemeral', discovery: false })
  d = bench.intercom(0)
  base = `http://${d.ip}:${d.httpPort}`
})
afterAll(async () => bench?.stop())

const api = () => new DigestFetch(d.credentials.username, d.credentials.password)
const call = async (path: string, init?: RequestInit) => JSON.parse(await (await api().fetch(`${base}${path}`, init)).text())

describe('2N switch functions (§5.4)', () => {
  it('switch/caps lists the switches; disabled ones show only {switch, enabled:false}', async () => {
    const r = await call('/api/switch/caps')
    expect(r.success).toBe(true)
    expect(r.result.switches[0]).toEqual({ switch: 1, enabled: true, mode: 'monostable', switchOnDuration: 5, type: 'normal' })
    expect(r.result.switches[3]).toEqual({ switch: 4, enabled: false })
    expect((await call('/api/switch/caps?switch=3')).result.switches).toEqual([{ switch: 3, enabled: true, mode: 'bistable', switchOnDuration: 5, type: 'normal' }])
    expect(await call('/api/switch/caps?switch=9')).toEqual({ success: false, error: { code: 12, param: 'switch', description: 'invalid parameter value' } })
  })

  it('switch/ctrl drives switch/status: monostable goes back off after its duration, bistable toggles, lock wins', async () => {
    expect(await call('/api/switch/ctrl?switch=1&action=on')).toEqual({ success: true })
    expect((await call('/api/switch/status?switch=1')).result.switches).toEqual([{ switch: 1, active: true, locked: false, held: false }])
    await bench.advance(5_100)
    expect((await call('/api/switch/status?switch=1')).result.switches[0].active).toBe(false)
    await call('/api/switch/ctrl?switch=3&action=trigger')
    expect((await call('/api/switch/status?switch=3')).result.switches[0].active).toBe(true)
    await call('/api/switch/ctrl?switch=3&action=lock')
    await call('/api/switch/ctrl?switch=3&action=on')
    expect((await call('/api/switch/status?switch=3')).result.switches[0]).toMatchObject({ active: false, locked: true })
    await call('/api/switch/ctrl?switch=3&action=unlock')
    // POST with a form body, and `response` replaces the JSON reply.
    const r = await api().fetch(`${base}/api/switch/ctrl`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'switch=3&action=on&response=DONE' })
    expect(await r.text()).toBe('DONE')
    expect((await call('/api/switch/status')).result.switches.map((s: { active: boolean }) => s.active)).toEqual([false, false, true, false])
  })

  it('switch/ctrl errors: 11 without switch or action, 12 for an unknown action or a disabled switch', async () => {
    expect((await call('/api/switch/ctrl?action=on')).error).toMatchObject({ code: 11, param: 'switch' })
    expect((await call('/api/switch/ctrl?switch=1')).error).toMatchObject({ code: 11, param: 'action' })
    expect((await call('/api/switch/ctrl?switch=1&action=explode')).error).toMatchObject({ code: 12, param: 'action' })
    expect((await call('/api/switch/ctrl?switch=4&action=on')).error).toMatchObject({ code: 12, param: 'switch' })
    expect((await call('/api/switch/ctrl?switch=1&action=on', { method: 'PUT' })).error).toMatchObject({ code: 3 })
  })
})

describe('2N I/O and audio functions (§5.5, §5.11)', () => {
  it('io/caps, io/status and io/ctrl with the manual shapes; inputs cannot be driven', async () => {
    const caps = (await call('/api/io/caps')).result.ports
    expect(caps).toContainEqual({ port: 'relay1', type: 'output' })
    expect(caps).toContainEqual({ port: 'input1', type: 'input' })
    expect(await call('/api/io/ctrl?port=relay1&action=on')).toEqual({ success: true })
    expect((await call('/api/io/status?port=relay1')).result.ports).toEqual([{ port: 'relay1', state: 1 }])
    expect((await call('/api/io/ctrl?port=input1&action=on')).error).toMatchObject({ code: 12, param: 'port' })
    expect((await call('/api/io/ctrl?port=relay9&action=on')).error).toMatchObject({ code: 12, param: 'port' })
    expect((await call('/api/io/ctrl?action=on')).error).toMatchObject({ code: 11, param: 'port' })
  })

  it('audio/test answers {success:true} and logs an AudioLoopTest event', async () => {
    const sub = await call('/api/log/subscribe?include=all&filter=AudioLoopTest')
    expect(await call('/api/audio/test')).toEqual({ success: true })
    const events = (await call(`/api/log/pull?id=${sub.result.id}`)).result.events
    expect(events.map((e: { event: string }) => e.event)).toContain('AudioLoopTest')
  })
})

describe('2N directory functions (§5.14)', () => {
  it('dir/template gives series and one entry with every key at its default', async () => {
    const r = await call('/api/dir/template')
    expect(r.result.series).toMatch(/^\d+$/)
    expect(r.result.users).toHaveLength(1)
    expect(r.result.users[0]).toMatchObject({ uuid: '', deleted: false, name: '', access: { pin: '' } })
  })

  it('dir/query (POST JSON) lists entries since an iterator; dir/update (PUT) changes one and reports per-entry errors', async () => {
    const q = await call('/api/dir/query', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ fields: ['name', 'owner'] }) })
    expect(q.success).toBe(true)
    const { series, iterator, users } = q.result
    expect(users.map((u: { name: string }) => u.name)).toEqual(['Reception', 'Novák Jan', 'Dvořáková Eva'])
    expect(users[2]).toMatchObject({ owner: 'My2N' })
    const target = users[1].uuid
    const up = await call('/api/dir/update', {
      method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ users: [{ uuid: target, email: 'jan@example.com', access: { pin: '4711' } }, { uuid: '01234567-89A-CDEF-0123-456789ABCDEF', name: 'bad uuid' }, { uuid: target, albert: 'einstein' }, { uuid: '01234567-89AB-CDEF-0123-456789ABCDEF', name: 'nobody' }] }),
    })
    expect(up.success).toBe(true)
    expect(up.result.users[0]).toEqual({ uuid: target, timestamp: iterator.timestamp + 1 })
    expect(up.result.users[1].errors[0]).toMatchObject({ code: 12, field: 'uuid' })
    expect(up.result.users[2].errors[0]).toMatchObject({ code: 12, field: 'albert' })
    expect(up.result.users[3].errors[0]).toMatchObject({ code: 12, field: 'uuid' })
    const since = await call('/api/dir/query', { method: 'POST', body: JSON.stringify({ series, iterator: { timestamp: iterator.timestamp } }) })
    expect(since.result.users).toEqual([{ uuid: target, name: 'Novák Jan', email: 'jan@example.com', access: expect.objectContaining({ pin: '4711' }), timestamp: iterator.timestamp + 1 }])
    // Errors: update needs users (11), a body that is not JSON is refused (12), query is POST only (3).
    expect((await call('/api/dir/update', { method: 'PUT', body: '{}' })).error).toMatchObject({ code: 11, param: 'users' })
    expect((await call('/api/dir/update', { method: 'PUT', body: 'users=1' })).error).toMatchObject({ code: 12 })
    expect((await call('/api/dir/query')).error).toMatchObject({ code: 3 })
  })
})

describe('service security grouped as the manual groups it (§5 table)', () => {
  it('config, firmware, cert and dir follow the System setting; there are no separate config/firmware/cert settings', async () => {
    expect(Object.keys(d.services).sort()).toEqual(['audio', 'io', 'log', 'switch', 'system'])
    d.services.system = { ...d.services.system, enabled: false }
    try {
      for (const p of ['/api/config', '/api/cert/user', '/api/dir/template', '/api/config/factoryreset?section=bogus']) expect((await call(p)).error, p).toMatchObject({ code: 4 })
      expect((await call('/api/switch/caps')).success).toBe(true)
    } finally {
      d.services.system = { ...d.services.system, enabled: true }
    }
    // Basic on System applies to /api/config as well; the Switch service keeps Digest.
    d.services.system = { ...d.services.system, auth: 'basic' }
    try {
      const basic = `Basic ${Buffer.from(`${d.credentials.username}:${d.credentials.password}`).toString('base64')}`
      expect((await fetch(`${base}/api/config`, { headers: { Authorization: basic } })).headers.get('content-type')).toBe('application/xml')
      expect((await fetch(`${base}/api/switch/caps`, { headers: { Authorization: basic } })).status).toBe(401)
    } finally {
      d.services.system = { ...d.services.system, auth: 'digest' }
    }
  })

  it('the web interface refuses settings for services the device does not have', async () => {
    const login = await (await fetch(`${base}/web/login`, { method: 'POST', body: JSON.stringify({ username: d.web.username, password: d.web.password }) })).json() as Loose
    const put = (services: unknown) => fetch(`${base}/web/services`, { method: 'PUT', headers: { 'X-Session': login.result.session }, body: JSON.stringify({ services }) }).then((r) => r.json() as Promise<Loose>)
    for (const name of ['config', 'firmware', 'cert']) expect((await put({ [name]: { auth: 'basic' } })).error, name).toMatchObject({ code: 12, param: name })
    expect((await put({ audio: { auth: 'basic' } })).success).toBe(true)
    expect(d.services.audio.auth).toBe('basic')
    d.services.audio.auth = 'digest'
  })
})
