// The listening side of one simulated device: its HTTP/HTTPS (and ONVIF) servers on the
// device's own address, plus the transport faults the control interface can switch on.
// Handlers return a Reply instead of writing to the socket, so that slow, truncated and
// malformed replies are applied in one place, the same way for 2N JSON and NVR XML.
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { sleep } from './clock'

export interface Reply {
  status: number
  headers?: Record<string, string | string[]>
  body?: string | Buffer
}

export interface Req {
  method: string
  /** Raw request-target as sent (Digest hashes it verbatim). */
  rawUrl: string
  url: URL
  path: string
  query: URLSearchParams
  headers: http.IncomingHttpHeaders
  /** Raw header list, to see repeated headers. */
  rawHeaders: string[]
  body: Buffer
  remote: string
  secure: boolean
  endpoint: string
}

export interface Faults {
  slowMs: number
  truncate: boolean
  malformed: boolean
}

export interface EndpointSpec {
  name: string
  port: number
  tls: boolean
}

export type Handler = (req: Req) => Promise<Reply> | Reply

/** An endpoint that could not have its standard port and listens elsewhere. */
export interface PortFallback {
  ip: string
  endpoint: string
  wanted: number
  port: number
  /** privileged: below 1024 without root / CAP_NET_BIND_SERVICE (EACCES); taken: EADDRINUSE. */
  reason: 'privileged' | 'taken'
}

/** Where a standard port goes when it cannot be bound; a free port when that is taken too. */
export const ALTERNATE_PORTS: Record<number, number> = { 80: 8080, 443: 8443, 8000: 18000 }

const MAX_BODY = 32 * 1024 * 1024

export class DeviceHost {
  readonly faults: Faults = { slowMs: 0, truncate: false, malformed: false }
  private servers = new Map<string, http.Server>()
  private sockets = new Set<Socket>()
  readonly ports: Record<string, number> = {}
  private tls: { key: string; cert: string } | null = null
  /** Told when the device appears on or leaves the network (WS-Discovery Hello/Bye). */
  readonly onNetwork: ((up: boolean) => void)[] = []
  /**
   * Standard-port benches: when an endpoint's port cannot be bound (EACCES as non-root,
   * EADDRINUSE), listen on ALTERNATE_PORTS or a free port instead of failing, and say so here.
   */
  portFallback = false
  readonly fallbacks: PortFallback[] = []

  constructor(
    public ip: string,
    private readonly endpoints: EndpointSpec[],
    private readonly handler: Handler,
    private readonly serverHeader: () => string,
  ) {
    for (const e of endpoints) this.ports[e.name] = e.port
  }

  get listening(): boolean {
    return this.servers.size > 0
  }

  /** Swap the HTTPS certificate; existing TLS sessions keep the old one, like a real reload. */
  setCertificate(key: string, cert: string): void {
    this.tls = { key, cert }
    for (const [name, s] of this.servers) {
      if (this.endpoints.find((e) => e.name === name)?.tls) (s as https.Server).setSecureContext({ key, cert })
    }
  }

  async start(): Promise<void> {
    if (this.listening) return
    for (const e of this.endpoints) {
      if (e.tls && !this.tls) throw new Error('certificate not set before start')
      const s = e.tls ? https.createServer({ key: this.tls!.key, cert: this.tls!.cert }) : http.createServer()
      s.keepAliveTimeout = 2000
      s.on('request', (rq, rs) => void this.serve(rq, rs, e))
      s.on(e.tls ? 'secureConnection' : 'connection', (sock: Socket) => {
        this.sockets.add(sock)
        sock.on('close', () => this.sockets.delete(sock))
      })
      s.on('tlsClientError', () => {})
      s.on('clientError', (_err, sock) => sock.destroy())
      // Ephemeral ports are chosen once and then kept, so a reboot or a move to another
      // address keeps the port numbers the tests already know (unless that port is taken).
      const port = await listen(s, this.ip, this.ports[e.name]).catch(async (err: NodeJS.ErrnoException) => {
        if (this.ports[e.name] !== e.port || e.port === 0) return listen(s, this.ip, 0)
        if (!this.portFallback || (err.code !== 'EACCES' && err.code !== 'EADDRINUSE')) throw err
        const alt = ALTERNATE_PORTS[e.port]
        const got = await (alt ? listen(s, this.ip, alt) : Promise.reject(err)).catch(() => listen(s, this.ip, 0))
        this.fallbacks.push({ ip: this.ip, endpoint: e.name, wanted: e.port, port: got, reason: err.code === 'EACCES' ? 'privileged' : 'taken' })
        return got
      })
      this.ports[e.name] = port
      this.servers.set(e.name, s)
    }
    for (const cb of this.onNetwork) cb(true)
  }

  /** Power cut: close listeners and drop every open connection at once. */
  async stop(): Promise<void> {
    const all = [...this.servers.values()]
    if (all.length > 0) for (const cb of this.onNetwork) cb(false)
    this.servers.clear()
    for (const sock of this.sockets) sock.destroy()
    this.sockets.clear()
    await Promise.all(all.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()) })))
  }

  async moveTo(ip: string): Promise<void> {
    const was = this.listening
    await this.stop()
    this.ip = ip
    if (was) await this.start()
  }

  private async serve(rq: http.IncomingMessage, rs: http.ServerResponse, e: EndpointSpec): Promise<void> {
    const chunks: Buffer[] = []
    let size = 0
    try {
      for await (const c of rq) {
        size += (c as Buffer).length
        if (size > MAX_BODY) { rs.writeHead(413).end(); return }
        chunks.push(c as Buffer)
      }
    } catch { return }
    const rawUrl = rq.url ?? '/'
    const url = new URL(rawUrl, `${e.tls ? 'https' : 'http'}://${this.ip}`)
    const req: Req = {
      method: rq.method ?? 'GET', rawUrl, url, path: url.pathname, query: url.searchParams,
      headers: rq.headers, rawHeaders: rq.rawHeaders, body: Buffer.concat(chunks),
      remote: (rq.socket.remoteAddress ?? '').replace(/^::ffff:/, ''), secure: e.tls, endpoint: e.name,
    }
    let reply: Reply
    try {
      reply = await this.handler(req)
    } catch (err) {
      reply = { status: 500, headers: { 'Content-Type': 'text/plain' }, body: `internal simulator error: ${(err as Error).message}` }
    }
    await this.write(rs, reply)
  }

  private async write(rs: http.ServerResponse, reply: Reply): Promise<void> {
    if (this.faults.slowMs > 0) await sleep(this.faults.slowMs)
    if (rs.destroyed) return
    let body = typeof reply.body === 'string' ? Buffer.from(reply.body) : (reply.body ?? Buffer.alloc(0))
    if (this.faults.malformed && body.length > 0) body = corrupt(body)
    const headers: Record<string, string | string[] | number> = { Server: this.serverHeader(), ...reply.headers, 'Content-Length': body.length }
    rs.writeHead(reply.status, headers)
    if (this.faults.truncate && body.length > 1) {
      // Promise the whole length, send about half, then drop the connection: what a device
      // that reboots or loses power mid-reply looks like to the client.
      rs.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => rs.socket?.destroy())
      return
    }
    rs.end(body)
  }
}

/** Cut the document and append junk, so that JSON.parse and XML parsers both fail. */
export function corrupt(body: Buffer): Buffer {
  const cut = Math.max(1, Math.floor(body.length * 0.6))
  return Buffer.concat([body.subarray(0, cut), Buffer.from('<<\u0000garbage"}]')])
}

function listen(s: http.Server, ip: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onErr = (err: Error) => reject(err)
    s.once('error', onErr)
    s.listen(port, ip, () => {
      s.off('error', onErr)
      resolve((s.address() as AddressInfo).port)
    })
  })
}

export const json = (status: number, value: unknown, headers: Record<string, string | string[]> = {}): Reply => ({
  status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(value),
})

export const xml = (status: number, body: string, headers: Record<string, string | string[]> = {}): Reply => ({
  status, headers: { 'Content-Type': 'application/xml; charset="UTF-8"', ...headers }, body,
})
