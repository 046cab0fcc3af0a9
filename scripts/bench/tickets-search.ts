// Search latency over 100,000 tickets as the UI sees it (HTTP → dispatcher → zod → FTS5),
// beside the bare FTS5 query on the same database as the anchor.
import { request } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBrowserConsole } from '../../electron/host/browser-host'
import { searchPlan } from '../../db/repos/tickets'
import { median, percentile, report } from './util'

const N = Number(process.env.BENCH_TICKETS ?? 100_000)
const FIRST = ['Jan', 'Petra', 'Maria', 'Tomáš', 'Eva', 'Lukas', 'Anna', 'Jiří', 'Marco', 'Sofia', 'Pavel', 'Klára']
const LAST = ['Novák', 'Svobodová', 'Rossi', 'Dvořák', 'Černý', 'Müller', 'Kowalski', 'Horák', 'Bianchi', 'Marek', 'Veselá', 'Král']
const COMPANY = ['Acme Security', 'Gate Systems', 'SafeHome', 'CityNet', 'Alarm Plus', 'Vision CCTV', 'Door&Co', 'NetGuard']
const NOTES = ['customer cannot add device to My2N', 'QR photo blurry, asked again', 'intercom moved to new building', 'NVR password forgotten after holiday', 'device already added to previous owner', 'waiting for certificate of ownership']

let seed = 42
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)

const c = await startBrowserConsole({ dataDir: mkdtempSync(join(tmpdir(), 'sc-bench-')), port: 0, token: 'bench', rendererDir: '/nonexistent' })
const t0 = performance.now()
const STATUSES = ['open', 'waiting', 'resolved', 'closed'] as const
c.app.db.transaction(() => {
  for (let i = 0; i < N; i++) {
    const t = c.app.tickets.tx().create({
      externalRef: `ZD-${100000 + i}`,
      customerName: `${FIRST[rnd(FIRST.length)]} ${LAST[rnd(LAST.length)]}${rnd(3) === 0 ? ` (${COMPANY[rnd(COMPANY.length)]})` : ''}`,
      contact: `user${i}@example.com`,
      deviceSerial: rnd(2) ? `54-${String(rnd(10000)).padStart(4, '0')}-${String(rnd(10000)).padStart(4, '0')}` : `210${String(rnd(1e9)).padStart(17, '0')}`,
      deviceModel: rnd(2) ? '2N IP Verso' : '2MN-8016',
      procedure: rnd(2) ? 'my2n-move' : 'nvr-password-reset',
      notes: NOTES[rnd(NOTES.length)],
    }, new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString())
    // Most old tickets are closed; recent ones are still being worked on.
    const st = i < N * 0.8 ? STATUSES[2 + rnd(2)] : STATUSES[rnd(4)]
    if (st !== 'open') c.app.tickets.tx().setStatus(t.id, st, t.updatedAt)
  }
})()
console.log(`seeded ${N} tickets in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

// Words and prefixes, then pieces of identifiers (issue 12): the end of a serial, its middle
// with a dash, a piece of an e-mail, of a helpdesk ID, and a piece found nowhere.
const queries = ['novak', 'ZD-1234', 'acme', '54-01', 'rossi certificate', 'my2n', 'marco bianchi', 'svobod', 'qr photo', 'zzz-no-match', 'petra', 'gate',
  '5383', '0559-5383', 'er4242@', '012345', 'BHEKX', '77 novak']
const http = (body: string) =>
  new Promise<number>((resolve, reject) => {
    const t = performance.now()
    const req = request({ host: '127.0.0.1', port: c.host.port, path: '/api/rpc/tickets.list', method: 'POST', headers: { host: `127.0.0.1:${c.host.port}`, authorization: 'Bearer bench', 'content-type': 'application/json' } }, (res) => {
      res.resume()
      res.on('end', () => resolve(performance.now() - t))
    })
    req.on('error', reject)
    req.end(body)
  })

const ours: number[] = []
const anchor: number[] = []
// The anchor: the bare id query of the same search, without HTTP, zod or reading rows.
// hasWord is the repository's synchronous view (searchPlan calls it while building the query),
// reached only inside a transaction: one deferred read, as the statements alone would be.
const bare = (q: string) =>
  c.app.db.transaction(() => {
    const plan = searchPlan(q, (w) => c.app.tickets.tx().hasWord(w))!
    return c.app.db.prepare(`SELECT rowid FROM (${plan.sql}) LIMIT 100`).all(plan.params)
  })()
for (let round = 0; round < 20; round++) {
  for (const [i, q] of queries.entries()) {
    // Half the searches with the UI's default filter (active tickets), half over all.
    ours.push(await http(JSON.stringify({ search: q, status: (i + round) % 2 ? 'active' : 'all', limit: 100 })))
    const t = performance.now()
    bare(q)
    anchor.push(performance.now() - t)
  }
}
report('ticket search median (HTTP, 100k tickets)', median(ours), 'ms', { name: 'bare FTS5 id query', value: median(anchor) })
report('ticket search p95 (HTTP, 100k tickets)', percentile(ours, 95), 'ms', { name: 'bare FTS5 id query p95', value: percentile(anchor, 95) }, '< 30 ms')
await c.close()
