// The connection file of a running bench (issue 12, "lab bench in one step"): everything the
// console needs to work with this bench (My2N, vendor service, device accounts), which
// Settings → "Use the running lab bench" reads. Written 0600 (it holds the bench's keys and
// simulated devices' passwords), removed when the bench stops.
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { LAB_CONNECTION_FORMAT, type LabConnection } from '../shared/contract/connections'
import type { Bench } from './bench'

export function labConnection(bench: Bench): LabConnection {
  const buyer = bench.my2n.companies.find((c) => c.id === bench.my2n.companyId)
  return {
    format: LAB_CONNECTION_FORMAT,
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    seed: String(bench.seed),
    my2n: { url: bench.my2n.url, apiKey: bench.my2n.apiKey, siteId: bench.my2n.siteId, siteName: buyer?.siteName ?? '' },
    vendor: { url: bench.vendor.url, apiKey: bench.vendor.apiKey },
    devices: bench.devices.map((d) => {
      const i = d.info()
      return { kind: i.kind, model: i.model, serial: i.serial, mac: i.mac, ip: i.ip, httpPort: i.httpPort, httpsPort: i.httpsPort, username: i.credentials.username, password: i.credentials.password }
    }),
  }
}

/** Writes the file atomically with mode 0600 and returns a remover that only removes our own file. */
export function writeConnectionFile(path: string, c: LabConnection): () => void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
  return () => {
    try {
      // Another bench may have started since and written its own file: leave that one.
      if ((JSON.parse(readFileSync(path, 'utf8')) as { pid?: number }).pid === process.pid) rmSync(path, { force: true })
    } catch {
      // already gone or unreadable: nothing of ours to remove
    }
  }
}
