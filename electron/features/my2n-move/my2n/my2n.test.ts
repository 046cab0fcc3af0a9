import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { My2nCloud } from '../../../../lab/cloud/my2n'
import { SeededRng } from '../../../../lab/core/rng'
import { App } from '../../../core/app'
import { memoryKeyProvider } from '../../../infra/secret-box'
import { classify, my2nClient } from './client'
import { my2nProvider } from './provider'
import { protect, unprotect } from '../../workflows/files'

let cloud: My2nCloud | null = null
let app: App | null = null
afterEach(async () => {
  await cloud?.stop()
  await app?.close()
  cloud = app = null
})

describe('My2N client', () => {
  it('maps the FAQ answers of the lab simulator: does not exist, already added, wrong code, added', async () => {
    cloud = new My2nCloud(new SeededRng('my2n-client'), () => Date.now())
    await cloud.start('127.0.0.1')
    const buyer = cloud.companies[1]
    const c = my2nClient({ kind: 'lab', url: `${cloud.url}/api/v1`, apiKey: buyer.apiKey })
    cloud.setCode('54-0562-0293', 'AAAA-BBBB-CCCC')
    expect((await c.addDevice({ serial: '54-0562-0294', securityCode: 'AAAA-BBBB-CCCC', site: buyer.siteId })).result).toBe('not-found')
    cloud.assign('54-0562-0293', cloud.companies[0].name)
    expect((await c.addDevice({ serial: '54-0562-0293', securityCode: 'AAAA-BBBB-CCCC', site: buyer.siteId })).result).toBe('already-added')
    cloud.setCode('54-0562-0293', 'DDDD-EEEE-FFFF') // "Generate New" on the device
    expect((await c.addDevice({ serial: '54-0562-0293', securityCode: 'AAAA-BBBB-CCCC', site: buyer.siteId })).result).toBe('already-added')
    expect((await c.addDevice({ serial: '54-0562-0293', securityCode: 'DDDD-EEEE-FFFF', site: buyer.siteId })).result).toBe('added')
    expect(cloud.ownerOf('54-0562-0293')).toBe(buyer.id)
    // Adding it again (a lost reply, a crash) is "already added"; the site listing says it is ours.
    expect((await c.addDevice({ serial: '54-0562-0293', securityCode: 'DDDD-EEEE-FFFF', site: buyer.siteId })).result).toBe('already-added')
    expect(await c.inSite({ serial: '54-0562-0293', site: buyer.siteId })).toBe(true)
    expect(await c.inSite({ serial: '54-0562-0294', site: buyer.siteId })).toBe(false)
    expect(await c.inSite({ serial: '54-0562-0293', site: 's-nope' })).toBeNull()
    await expect(c.addDevice({ serial: '54-0562-0293', securityCode: 'x', site: 's-nope' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'inputs.site' })
    await expect(my2nClient({ kind: 'lab', url: `${cloud.url}/api/v1`, apiKey: 'wrong' }).addDevice({ serial: '54-0562-0293', securityCode: 'x', site: buyer.siteId })).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    await cloud.stop()
    await expect(c.addDevice({ serial: '54-0562-0293', securityCode: 'x', site: buyer.siteId })).rejects.toMatchObject({ code: 'UNREACHABLE' })
  })

  it('works with the address the lab prints, as printed; a wrong base URL says so', async () => {
    cloud = new My2nCloud(new SeededRng('my2n-base'), () => Date.now())
    await cloud.start('127.0.0.1')
    const buyer = cloud.companies[1]
    cloud.setCode('54-0562-0300', 'AAAA-BBBB-CCCC')
    // The lab prints http://127.0.0.1:PORT (no /api/v1); with a trailing slash too.
    for (const url of [cloud.url, `${cloud.url}/`, `${cloud.url}/api/v1`]) {
      const c = my2nClient({ kind: 'lab', url, apiKey: buyer.apiKey })
      expect(await c.account()).toEqual({ company: buyer.name, sites: [{ id: buyer.siteId, name: buyer.siteName }] })
    }
    const printed = my2nClient({ kind: 'lab', url: cloud.url, apiKey: buyer.apiKey })
    expect((await printed.addDevice({ serial: '54-0562-0300', securityCode: 'AAAA-BBBB-CCCC', site: buyer.siteId })).result).toBe('added')
    // An unknown site names the account's sites.
    await expect(printed.addDevice({ serial: '54-0562-0300', securityCode: 'x', site: 's-nope' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'inputs.site', hint: `This account's sites: ${buyer.siteId} (${buyer.siteName}).` })
    // A wrong base URL is named as such, not as an unknown site.
    const wrong = my2nClient({ kind: 'lab', url: `${cloud.url}/api/v2`, apiKey: buyer.apiKey })
    await expect(wrong.addDevice({ serial: '54-0562-0300', securityCode: 'x', site: buyer.siteId })).rejects.toMatchObject({ code: 'VALIDATION', field: 'url', message: expect.stringMatching(/\/api\/v2 does not look like the My2N API: GET \/api\/v2\/company answered HTTP 404/) })
    await expect(wrong.account()).rejects.toMatchObject({ field: 'url' })
    await expect(my2nClient({ kind: 'lab', url: cloud.url, apiKey: 'nope' }).account()).rejects.toMatchObject({ code: 'UNAUTHORIZED', field: 'apiKey' })
    await cloud.stop()
    await expect(printed.account()).rejects.toMatchObject({ code: 'UNREACHABLE', message: expect.stringMatching(/^Nothing answered at 127\.0\.0\.1:/) })
  })

  it('classifies by message or code, not only by status', () => {
    expect(classify(404, { error: { code: 'serialNotFound', message: 'The Serial Number does not exist' } })?.result).toBe('not-found')
    expect(classify(409, {})?.result).toBe('already-added')
    expect(classify(403, { error: { code: 'invalidSecurityCode' } })?.result).toBe('wrong-code')
    expect(classify(201, {})?.result).toBe('added')
    expect(classify(404, { error: { code: 'notFound', message: 'No such resource' } })).toBeNull() // an unknown site is not "serial does not exist"
  })

  it('provider: key stored sealed in settings, environment overrides, partner API only over https', async () => {
    app = new App({ dataDir: mkdtempSync(join(tmpdir(), 'sc-my2n-')), host: 'browser', keys: memoryKeyProvider() })
    const p = my2nProvider({ settings: app.settings, seal: (x) => app!.secrets.seal(x), open: (x) => app!.secrets.open(x), env: {} })
    expect((await p.status()).configured).toBe(false)
    await expect(p.client()).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(p.set({ kind: 'partner', url: 'http://my2n.example', apiKey: 'k' })).rejects.toMatchObject({ field: 'url' })
    await expect(p.set({ kind: 'lab', url: 'http://10.0.0.1/api/v1', apiKey: 'k' })).rejects.toMatchObject({ field: 'url' })
    await p.set({ kind: 'partner', url: 'https://my2n.com/middleware/api/partner/v1', apiKey: 'secret-partner-key' })
    expect(JSON.stringify(app.db.prepare('SELECT value FROM settings').all())).not.toContain('secret-partner-key')
    expect(await p.status()).toEqual({ configured: true, kind: 'partner', url: 'https://my2n.com/middleware/api/partner/v1', fromEnvironment: false })
    const envP = my2nProvider({ settings: app.settings, seal: (x) => x, open: (x) => x, env: { SUPPORT_CONSOLE_MY2N_URL: 'http://127.0.0.1:1/api/v1', SUPPORT_CONSOLE_MY2N_KEY: 'k' } })
    expect(await envP.status()).toMatchObject({ kind: 'lab', fromEnvironment: true })
  })
})

describe('protected copies', () => {
  it('round-trip with the password, refuse a wrong one', () => {
    const blob = protect(Buffer.from('<DeviceDatabase/>'), 'pw-1')
    expect(blob.includes(Buffer.from('DeviceDatabase'))).toBe(false)
    expect(unprotect(blob, 'pw-1').toString()).toBe('<DeviceDatabase/>')
    expect(() => unprotect(blob, 'pw-2')).toThrow(/password of the stored backup is wrong/)
  })
})
