// Helpdesk benchmark (issue 14), `npm run bench -- helpdesk`:
//  1. A real Request Tracker (lab/helpdesk/rt.ts) holds a ticket with five 4 MB phone photos of
//     a bench NVR's QR. Importing it (NVR reset: the photos go into the Option 2 intake) is
//     timed to the first decoded photo and to the end, beside the same first photo dropped
//     from disk into the intake.
//  2. Outbox throughput against the Zendesk simulator (no rate limit: the console's own cost),
//     beside the same number of bare PUTs to the simulator.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { startBench } from '../../lab/bench'
import { RtInstance } from '../../lab/helpdesk/rt'
import { ZendeskSim } from '../../lab/helpdesk/zendesk'
import { App } from '../../electron/core/app'
import { memoryKeyProvider } from '../../electron/infra/secret-box'
import { buildHelpdesk } from '../../electron/core/api'
import { connect, importTicket, reply } from '../../electron/features/helpdesk/service'
import { addPhotos } from '../../electron/features/nvr-reset/photos'
import { resetDeps } from '../../electron/features/nvr-reset/deps'
import { createEvidenceVault } from '../../electron/features/evidence/vault'
import { exifUtc, phonePhoto } from '../../electron/features/nvr-reset/testing/phone-photo'
import { report } from './util'

const MB = 1024 * 1024

/** A 12 MP phone photo of about 4 MB: the NVR screen upscaled with sensor noise (each one different). */
async function bigPhoto(screen: Buffer, seed: number): Promise<Buffer> {
  const base = await phonePhoto(screen, { captured: { local: exifUtc(Date.now() - 60_000), offset: '+00:00' } })
  const { data, info } = await sharp(base).resize(4032, 3024).raw().toBuffer({ resolveWithObject: true })
  let x = seed * 2654435761
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    data[i] = Math.max(0, Math.min(255, data[i] + ((x >>> 24) % 13) - 6))
  }
  let q = 90
  for (;;) {
    const jpg = await sharp(data, { raw: info }).jpeg({ quality: q }).toBuffer()
    if (jpg.length >= 4 * MB || q >= 99) return jpg
    q += 1
  }
}

async function importBench(): Promise<void> {
  const rt = await RtInstance.create()
  const bench = await startBench({ intercoms: 0, nvrs: 1, portMode: 'ephemeral', discovery: false, seed: 'bench-helpdesk' })
  const dir = mkdtempSync(join(tmpdir(), 'sc-bench-hd-'))
  const app = new App({ dataDir: dir, host: 'browser', keys: memoryKeyProvider() })
  try {
    const nvr = bench.nvr(0)
    nvr.openRetrievePassword()
    const screen = (await nvr.screenPng())!
    const photos: Buffer[] = []
    for (let i = 0; i < 5; i++) photos.push(await bigPhoto(screen, i + 1))
    console.log(`photos: ${photos.map((p) => (p.length / MB).toFixed(1)).join(', ')} MB`)
    const remoteId = await rt.createTicket({
      subject: 'NVR reset: five photos',
      requester: { email: 'bench@example.cz', realName: 'Běla Benchová' },
      content: 'Photos attached.',
      files: photos.map((data, i) => ({ name: `IMG_${1000 + i}.jpg`, mime: 'image/jpeg', data })),
    })
    await app.setAgent({ name: 'Bench', email: '' })
    const hd = buildHelpdesk(app)
    await connect(hd, { provider: 'rt', url: rt.url, user: '', token: rt.token }, { test: true })

    // Anchor: the first photo dropped from disk into a ticket's intake.
    const file = join(dir, 'IMG_1000.jpg')
    writeFileSync(file, photos[0])
    const t = await app.tickets.create({ externalRef: '', customerName: 'Disk', contact: '', deviceSerial: '', deviceModel: '', procedure: 'nvr-password-reset', notes: '' })
    const d0 = performance.now()
    const fromDisk = await addPhotos(resetDeps(app, createEvidenceVault(app)), t.id, [{ name: 'IMG_1000.jpg', source: 'drop', data: readFileSync(file) }])
    const diskMs = performance.now() - d0
    if (!/QR code found/.test(fromDisk[0].message)) throw new Error(`the photo from disk did not decode: ${fromDisk[0].message}`)

    let first = 0
    const t0 = performance.now()
    const off = app.bus.subscribe((name) => {
      if (name === 'evidence.changed' && !first) first = performance.now() - t0
    })
    const r = await importTicket(hd, remoteId)
    const total = performance.now() - t0
    off()
    const decoded = r.intake.filter((x) => /QR code found/.test(x.message)).length
    if (decoded !== 5) throw new Error(`only ${decoded} of 5 photos from RT decoded: ${JSON.stringify(r.intake)}`)
    report('helpdesk import, time to first decoded photo (RT, 5 × 4 MB)', first, 'ms', { name: 'same photo dropped from disk', value: diskMs })
    report('helpdesk import, all five photos decoded', total, 'ms', { name: '5 × the photo from disk', value: 5 * diskMs })
  } finally {
    await app.close()
    await bench.stop()
    await rt.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function outboxBench(n = 200): Promise<void> {
  const sim = await new ZendeskSim({ limit: 1_000_000 }).start()
  const customer = sim.addUser({ name: 'C', email: 'c@example.cz', phone: null, organization_id: null, role: 'end-user' })
  sim.addUser({ name: 'Agent', email: 'agent@example.com', phone: null, organization_id: null, role: 'agent', token: 'bench-token-1234' })
  const zt = sim.addTicket({ subject: 'Bench', requesterId: customer, comments: [{ body: 'hi' }] })
  const dir = mkdtempSync(join(tmpdir(), 'sc-bench-ob-'))
  const app = new App({ dataDir: dir, host: 'browser', keys: memoryKeyProvider() })
  try {
    await app.setAgent({ name: 'Bench', email: '' })
    const hd = buildHelpdesk(app)
    await connect(hd, { provider: 'zendesk', url: sim.url, user: 'agent@example.com', token: 'bench-token-1234' }, { test: true })
    const { ticket } = await importTicket(hd, String(zt))
    for (let i = 0; i < n; i++) await reply(hd, ticket.id, `Reply ${i}: the code is on its way.`)
    const t0 = performance.now()
    const r = await hd.outbox.drain(60_000)
    const outboxS = (performance.now() - t0) / 1000
    if (r.sent !== n) throw new Error(`sent ${r.sent} of ${n}`)
    // Anchor: the same number of bare comment PUTs, one after another, no outbox.
    const auth = `Basic ${Buffer.from('agent@example.com/token:bench-token-1234').toString('base64')}`
    const a0 = performance.now()
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${sim.url}/api/v2/tickets/${zt}.json`, { method: 'PUT', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ ticket: { comment: { body: `bare ${i}`, public: true } } }) })
      await res.arrayBuffer()
    }
    const bareS = (performance.now() - a0) / 1000
    report(`helpdesk outbox throughput (${n} replies, Zendesk simulator, each sent once and audited)`, n / outboxS, 'items/s', { name: 'bare PUTs to the simulator', value: n / bareS })
  } finally {
    await app.close()
    await sim.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

await importBench()
await outboxBench()
// The QR worker pool and keep-alive sockets may hold the event loop a while: the figures are out.
process.exit(0)
