// A minimal JSON-over-HTTP server on loopback for the lab's own services (My2N, vendor
// reset service, control interface). They are not device firmware, so plain JSON is fine.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface JsonReq { method: string; path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders; body: unknown; raw: Buffer; remote: string }
export interface JsonReply { status: number; body?: unknown; headers?: Record<string, string>; raw?: Buffer }

export async function startJsonServer(host: string, port: number, handle: (r: JsonReq) => Promise<JsonReply> | JsonReply): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (rq, rs) => {
    const chunks: Buffer[] = []
    for await (const c of rq) chunks.push(c as Buffer)
    const raw = Buffer.concat(chunks)
    let body: unknown = undefined
    if (raw.length) {
      try { body = JSON.parse(raw.toString('utf8')) } catch { body = undefined }
    }
    const url = new URL(rq.url ?? '/', 'http://x')
    let reply: JsonReply
    try {
      reply = await handle({ method: rq.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: rq.headers, body, raw, remote: rq.socket.remoteAddress ?? '' })
    } catch (e) {
      reply = { status: 500, body: { error: 'internal', message: (e as Error).message } }
    }
    if (reply.raw) {
      rs.writeHead(reply.status, { 'Content-Length': reply.raw.length, ...reply.headers }).end(reply.raw)
      return
    }
    const out = reply.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(reply.body))
    rs.writeHead(reply.status, { ...(out.length ? { 'Content-Type': 'application/json' } : {}), 'Content-Length': out.length, ...reply.headers }).end(out)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const a = server.address() as AddressInfo
  return {
    url: `http://${host}:${a.port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()) }),
  }
}
