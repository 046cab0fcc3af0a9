// Start-up cost of a lab bench of 100 devices (50 intercoms + 50 NVRs, with certificates,
// HTTP/HTTPS/ONVIF listeners, WS-Discovery responders, My2N, vendor and control services),
// beside the time to start 100 bare Node HTTP servers on the same addresses in this run.
// Targets from issue 3: under 5 s and under 500 MB of memory.
import http from 'node:http'
import { startBench } from '../../lab/bench'
import { median, report, time } from './util'

const HOST_BASE = '127.0.9.'
const N = 100

async function bareServers(): Promise<number> {
  const [servers, ms] = await time(() => Promise.all(Array.from({ length: N }, (_, i) => new Promise<http.Server>((resolve) => {
    const s = http.createServer((_q, r) => r.end('ok'))
    s.listen(0, `${HOST_BASE}${10 + i}`, () => resolve(s))
  }))))
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  return ms
}

const rssBefore = process.memoryUsage().rss
const starts: number[] = []
const anchors: number[] = []
let rssAfter = 0
for (let run = 0; run < 3; run++) {
  anchors.push(await bareServers())
  const [bench, ms] = await time(() => startBench({ intercoms: N / 2, nvrs: N / 2, seed: `lab-start-${run}`, hostBase: HOST_BASE, portMode: 'ephemeral', discovery: true }))
  starts.push(ms)
  if (run === 0) rssAfter = process.memoryUsage().rss
  await bench.stop()
}
report(`lab bench start, ${N} devices`, median(starts), 'ms', { name: `${N} bare node http servers`, value: median(anchors) }, '< 5000 ms')
report(`lab bench RSS after start, ${N} devices`, rssAfter / 2 ** 20, 'MB', { name: 'same process before start', value: rssBefore / 2 ** 20 }, '< 500 MB')
