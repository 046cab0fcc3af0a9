// SSDP M-SEARCH (UPnP). Replies are HTTP-style text sent unicast to the searcher; the
// device description at LOCATION is read (size- and time-limited) for serial and model.
import { deviceRequest } from '../../infra/device-http'
import { at, deviceText, parseXml, txt } from '../../infra/xml'
import { normalizeMac } from './net'
import { delay } from './pool'
import type { ProbeContext } from './types'
import { onSubnet, openProbeSocket, retransmitDelays } from './udp'

export const SSDP_ADDR = '239.255.255.250'
export const SSDP_PORT = 1900

export const mSearch = (st: string, mx = 1) => `M-SEARCH * HTTP/1.1\r\nHOST: ${SSDP_ADDR}:${SSDP_PORT}\r\nMAN: "ssdp:discover"\r\nMX: ${mx}\r\nST: ${st}\r\n\r\n`

export function parseSsdp(text: string): Record<string, string> | null {
  const lines = text.split(/\r?\n/)
  if (!/^(HTTP\/1\.[01] 200|NOTIFY \* HTTP)/i.test(lines[0] ?? '')) return null
  const h: Record<string, string> = {}
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':')
    if (i > 0) h[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim()
  }
  return h
}

export async function ssdpSearch(ctx: ProbeContext, o: { sends?: number; waitMs?: number; timeoutMs?: number } = {}): Promise<void> {
  const seen = new Set<string>()
  const fetches: Promise<void>[] = []
  const sock = await openProbeSocket(ctx.iface, (msg, rinfo) => {
    const h = parseSsdp(msg.toString('utf8', 0, 4096))
    if (!h) return
    const usn = (h.usn ?? '').split('::')[0]
    const key = `${usn}|${rinfo.address}`
    if (seen.has(key)) return
    seen.add(key)
    if (!onSubnet(rinfo.address, ctx.iface)) {
      ctx.diagnose({ kind: 'other-subnet', ip: rinfo.address, protocol: 'ssdp', message: `A UPnP device answered from ${rinfo.address}, outside ${ctx.iface.name}'s network ${ctx.iface.cidr} (another subnet).` })
    }
    ctx.observe({ protocol: 'ssdp', ip: rinfo.address, iface: ctx.iface.name, uuid: usn, name: h.server ?? '' })
    if (h.location && onSubnet(rinfo.address, ctx.iface)) fetches.push(describe(ctx, rinfo.address, h.location, o.timeoutMs ?? 1500))
  })
  try {
    const sends = Math.max(1, o.sends ?? 2)
    const gaps = retransmitDelays(sends - 1)
    for (let i = 0; i < sends && !ctx.signal.aborted; i++) {
      await sock.send(mSearch('ssdp:all'), SSDP_PORT, SSDP_ADDR)
      await sock.send(mSearch('upnp:rootdevice'), SSDP_PORT, SSDP_ADDR)
      if (i < sends - 1) await delay(gaps[i], ctx.signal)
    }
    await delay(o.waitMs ?? 1200, ctx.signal)
  } finally {
    sock.close()
  }
  await Promise.allSettled(fetches)
}

async function describe(ctx: ProbeContext, ip: string, location: string, timeoutMs: number): Promise<void> {
  let url: URL
  try {
    url = new URL(location)
  } catch {
    return
  }
  if (url.hostname !== ip || !/^https?:$/.test(url.protocol)) return
  try {
    const r = await deviceRequest({ host: ip, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), tls: url.protocol === 'https:', localAddress: ctx.iface.address }, { path: url.pathname + url.search, timeoutMs, maxBytes: 128 * 1024, signal: ctx.signal })
    if (r.status !== 200) return
    const d = at(parseXml(r.body.toString('utf8')), 'root.device')
    if (!d) {
      ctx.diagnose({ kind: 'garbage', ip, protocol: 'ssdp', message: `${ip} announced a UPnP description that is not valid XML; ignored.` })
      return
    }
    ctx.observe({
      protocol: 'ssdp', ip, iface: ctx.iface.name, uuid: txt(at(d, 'UDN')), vendor: txt(at(d, 'manufacturer')), model: txt(at(d, 'modelName')) || txt(at(d, 'modelNumber')),
      serial: txt(at(d, 'serialNumber')), name: txt(at(d, 'friendlyName')), mac: normalizeMac(txt(at(d, 'macAddress'))),
    })
  } catch {
    ctx.diagnose({ kind: 'timeout', ip, protocol: 'ssdp', message: `${ip} answered SSDP but its description at ${deviceText(location, 200)} could not be read.` })
  }
}
