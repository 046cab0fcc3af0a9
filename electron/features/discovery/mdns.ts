// mDNS / DNS-SD one-shot queries (multicast-dns over our own interface-bound socket).
// Queries go from an ephemeral port, so responders answer unicast (RFC 6762 §6.7).
import mdnsFactory from 'multicast-dns'
import { isIpv4, normalizeMac } from './net'
import { delay } from './pool'
import type { ProbeContext } from './types'
import { onSubnet, openProbeSocket, retransmitDelays } from './udp'

export const MDNS_SERVICES = ['_http._tcp.local', '_https._tcp.local', '_onvif._tcp.local', '_device-info._tcp.local', '_2n._tcp.local']

interface Rr {
  name: string
  type: string
  data: unknown
}

function txtRecord(data: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const b of Array.isArray(data) ? data : [data]) {
    const s = Buffer.isBuffer(b) ? b.toString('utf8') : String(b ?? '')
    const i = s.indexOf('=')
    if (i > 0) out[s.slice(0, i).toLowerCase()] = s.slice(i + 1)
  }
  return out
}

export async function mdnsQuery(ctx: ProbeContext, o: { sends?: number; waitMs?: number } = {}): Promise<void> {
  // The socket is ours (bound to the interface address); multicast-dns only encodes and decodes.
  const sock = await openProbeSocket(ctx.iface, () => {})
  const m = mdnsFactory({ socket: sock.socket, multicast: false, port: 0, interface: ctx.iface.address } as never)
  m.on('warning', () => {})
  m.on('error', () => {})
  m.on('response', (res: { answers?: Rr[]; additionals?: Rr[] }, rinfo: { address: string }) => {
    const rrs = [...(res.answers ?? []), ...(res.additionals ?? [])]
    // dns-packet decodes a cut-off A record as "255.undefined.undefined.undefined": only real
    // addresses count (found by fuzzing, issue 7).
    const a = rrs.filter((r) => r.type === 'A').map((r) => String(r.data)).filter(isIpv4)
    const txt = Object.assign({}, ...rrs.filter((r) => r.type === 'TXT').map((r) => txtRecord(r.data))) as Record<string, string>
    const srv = rrs.find((r) => r.type === 'SRV')?.data as { port?: number } | undefined
    const instance = (rrs.find((r) => r.type === 'PTR')?.data as string | undefined) ?? rrs.find((r) => r.type === 'SRV')?.name ?? ''
    const ip = a.find((x) => onSubnet(x, ctx.iface)) ?? a[0] ?? rinfo.address
    if (!onSubnet(ip, ctx.iface)) {
      ctx.diagnose({ kind: 'other-subnet', ip, protocol: 'mdns', message: `A device announced itself over mDNS with address ${ip}, outside ${ctx.iface.name}'s network ${ctx.iface.cidr} (another subnet).` })
    }
    ctx.observe({
      protocol: 'mdns', ip, iface: ctx.iface.name, uuid: instance, name: instance.replace(/\._.*$/, ''),
      serial: txt.serial ?? txt.sn ?? txt.serialnumber ?? '', mac: normalizeMac(txt.mac ?? txt.macaddress), model: txt.model ?? txt.md ?? '', vendor: txt.vendor ?? txt.manufacturer ?? '',
      firmware: txt.fw ?? txt.firmware ?? '', ...(srv?.port ? { httpPort: srv.port } : {}),
    })
  })
  try {
    const sends = Math.max(1, o.sends ?? 2)
    const gaps = retransmitDelays(sends - 1)
    for (let i = 0; i < sends && !ctx.signal.aborted; i++) {
      await new Promise<void>((r) =>
        m.query({ questions: MDNS_SERVICES.map((name) => ({ name, type: 'PTR', class: 'UNKNOWN_32769' as never })) } as never, { port: 5353, address: '224.0.0.251' } as never, () => r()),
      )
      if (i < sends - 1) await delay(gaps[i], ctx.signal)
    }
    await delay(o.waitMs ?? 1000, ctx.signal)
  } finally {
    sock.close()
  }
}
