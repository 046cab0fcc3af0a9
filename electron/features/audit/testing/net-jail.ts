// A guard for tests that call every API method with generated input (fuzzing): some
// methods talk to devices, and a generated address or interface name must never make
// a test send traffic on the machine's real network. Installed in the test process, it
// refuses TCP connections, UDP sends, multicast joins and DNS lookups to anything but
// loopback (127.0.0.0/8, ::1, localhost) and unix sockets, and counts what it refused.
import dgram from 'node:dgram'
import dns from 'node:dns'
import net from 'node:net'

const LOOPBACK = (h: unknown) => h === undefined || h === null || h === '' || h === 'localhost' || h === '::1' || (typeof h === 'string' && /^(127\.\d+\.\d+\.\d+|::ffff:127\.\d+\.\d+\.\d+)$/.test(h))
const refused = (what: string) => Object.assign(new Error(`Blocked by the test network jail: ${what}`), { code: 'ECONNREFUSED' })

export interface NetJail {
  blocked: string[]
  release(): void
}

export function installNetJail(): NetJail {
  const blocked: string[] = []
  const origConnect = net.Socket.prototype.connect
  const origSend = dgram.Socket.prototype.send
  const origMembership = dgram.Socket.prototype.addMembership
  const origBroadcast = dgram.Socket.prototype.setBroadcast
  const origLookup = dns.lookup
  const origPLookup = dns.promises.lookup

  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const a0 = args[0]
    const opts = (Array.isArray(a0) ? a0[0] : a0) as { host?: string; path?: string; port?: number } | number | string
    const host = typeof opts === 'object' && opts ? (opts.path ? 'localhost' : opts.host) : typeof opts === 'number' ? (args[1] as string | undefined) : typeof opts === 'string' ? 'localhost' : undefined
    if (!LOOPBACK(host)) {
      blocked.push(`tcp ${String(host)}`)
      process.nextTick(() => this.destroy(refused(`TCP to ${String(host)}`)))
      return this
    }
    return (origConnect as (...a: unknown[]) => net.Socket).apply(this, args)
  } as typeof net.Socket.prototype.connect

  dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
    const address = args.find((x, i) => i > 0 && typeof x === 'string') as string | undefined
    if (!LOOPBACK(address ?? '')) {
      blocked.push(`udp ${String(address)}`)
      const cb = args.find((x) => typeof x === 'function') as ((e: Error) => void) | undefined
      if (cb) process.nextTick(() => cb(refused(`UDP to ${address}`)))
      return
    }
    return (origSend as (...a: unknown[]) => void).apply(this, args)
  } as typeof dgram.Socket.prototype.send
  dgram.Socket.prototype.addMembership = function (group: string) {
    blocked.push(`multicast ${group}`)
    throw refused(`multicast join ${group}`)
  }
  dgram.Socket.prototype.setBroadcast = function () {
    blocked.push('broadcast')
    throw refused('broadcast')
  }
  const jailLookup = ((host: string, ...rest: unknown[]) => {
    const cb = rest.find((x) => typeof x === 'function') as (e: Error | null, a?: string, f?: number) => void
    if (!LOOPBACK(host)) {
      blocked.push(`dns ${host}`)
      return process.nextTick(() => cb(refused(`DNS lookup of ${host}`)))
    }
    return (origLookup as (...a: unknown[]) => void)(host, ...rest)
  }) as typeof dns.lookup
  dns.lookup = jailLookup
  dns.promises.lookup = (async (host: string, o?: dns.LookupOptions) => {
    if (!LOOPBACK(host)) {
      blocked.push(`dns ${host}`)
      throw refused(`DNS lookup of ${host}`)
    }
    return origPLookup(host, o ?? {})
  }) as typeof dns.promises.lookup

  return {
    blocked,
    release() {
      net.Socket.prototype.connect = origConnect
      dgram.Socket.prototype.send = origSend
      dgram.Socket.prototype.addMembership = origMembership
      dgram.Socket.prototype.setBroadcast = origBroadcast
      dns.lookup = origLookup
      dns.promises.lookup = origPLookup
    },
  }
}
