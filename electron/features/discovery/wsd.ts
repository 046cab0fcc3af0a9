// ONVIF WS-Discovery (2005/04 namespace). Two Probes, one per Type: the old
// dn:NetworkVideoTransmitter and the new tds:Device (ONVIF recommends both; a device
// matches a Probe only if it has every listed Type, so they go in separate messages).
// Each is retransmitted per SOAP-over-UDP; replies are matched by RelatesTo and
// de-duplicated by endpoint reference.
import { randomUUID } from 'node:crypto'
import { asArray, at, parseXml, txt } from '../../infra/xml'
import { isIpv4 } from './net'
import { delay } from './pool'
import type { ProbeContext } from './types'
import { onSubnet, openProbeSocket, retransmitDelays } from './udp'

export const WSD_ADDR = '239.255.255.250'
export const WSD_PORT = 3702

export const PROBE_TYPES = [
  { prefix: 'dn', ns: 'http://www.onvif.org/ver10/network/wsdl', type: 'NetworkVideoTransmitter' },
  { prefix: 'tds', ns: 'http://www.onvif.org/ver10/device/wsdl', type: 'Device' },
]

export function probeMessage(messageId: string, t: (typeof PROBE_TYPES)[number]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:${t.prefix}="${t.ns}"><s:Header><a:MessageID>${messageId}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header><s:Body><d:Probe><d:Types>${t.prefix}:${t.type}</d:Types></d:Probe></s:Body></s:Envelope>`
}

export interface ProbeMatch {
  endpoint: string
  types: string
  scopes: string[]
  xaddrs: string[]
  relatesTo: string
}

/** A Hello announcement (a device joining the network), or null. */
export function parseHello(text: string): ProbeMatch | null {
  if (!/Hello/.test(text)) return null
  const h = at(at(parseXml(text), 'Envelope'), 'Body.Hello')
  if (!h) return null
  return {
    endpoint: txt(at(h, 'EndpointReference.Address')),
    types: txt(at(h, 'Types')),
    scopes: txt(at(h, 'Scopes')).split(/\s+/).filter(Boolean),
    xaddrs: txt(at(h, 'XAddrs')).split(/\s+/).filter(Boolean),
    relatesTo: '',
  }
}

export function parseProbeMatches(text: string): ProbeMatch[] {
  const doc = parseXml(text)
  const env = at(doc, 'Envelope')
  if (!env) return []
  const relatesTo = txt(at(env, 'Header.RelatesTo'))
  return asArray(at(env, 'Body.ProbeMatches.ProbeMatch') as unknown).map((m) => ({
    endpoint: txt(at(m, 'EndpointReference.Address')),
    types: txt(at(m, 'Types')),
    scopes: txt(at(m, 'Scopes')).split(/\s+/).filter(Boolean),
    xaddrs: txt(at(m, 'XAddrs')).split(/\s+/).filter(Boolean),
    relatesTo,
  }))
}

/** name, hardware, serial, mac… from onvif://www.onvif.org/<key>/<value> scopes. */
export function scopeValues(scopes: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const s of scopes) {
    const m = s.match(/^onvif:\/\/www\.onvif\.org\/([^/]+)\/(.+)$/i)
    if (!m) continue
    let v = m[2]
    try {
      v = decodeURIComponent(v)
    } catch {
      /* keep raw */
    }
    if (!(m[1].toLowerCase() in out)) out[m[1].toLowerCase()] = v
  }
  return out
}

export interface WsdOptions {
  /** Total sends per Probe (first + repeats). */
  sends?: number
  /** How long to listen after the last send. */
  waitMs?: number
  onMatch?: (m: ProbeMatch, from: string) => void
  /** Also accept Hello announcements heard while listening (default true). */
  hello?: boolean
}

export async function wsDiscovery(ctx: ProbeContext, o: WsdOptions = {}): Promise<void> {
  const ids = new Map<string, string>()
  const seen = new Set<string>()
  const accept = (m: ProbeMatch, from: string) => {
    const key = `${m.endpoint}|${from}`
    if (seen.has(key)) return
    seen.add(key)
    const sc = scopeValues(m.scopes)
    // Only an XAddr whose host is an IPv4 address (found by fuzzing, issue 7): one such as
    // http://evil.example/ used to become the device's "IP" and its ONVIF URL, which the
    // console would then resolve and connect to. Without one, the source address stands.
    const ipv4Host = (x: string) => {
      try {
        const u = new URL(x)
        return /^https?:$/.test(u.protocol) && isIpv4(u.hostname) ? u.hostname : ''
      } catch {
        return '' // bad XAddr
      }
    }
    const xaddr = m.xaddrs.find((x) => ipv4Host(x)) ?? ''
    const host = xaddr ? ipv4Host(xaddr) : from
    if (!onSubnet(from, ctx.iface) || !onSubnet(host, ctx.iface)) {
      ctx.diagnose({
        kind: 'other-subnet', ip: host, protocol: 'wsd',
        message: `An ONVIF device answered from ${from}${host !== from ? ` (its address ${host})` : ''}, which is outside ${ctx.iface.name}'s network ${ctx.iface.cidr}. It is on another subnet: put the PC in its subnet (or change the device's address) before working with it.`,
      })
    }
    ctx.observe({
      protocol: 'wsd', ip: host, iface: ctx.iface.name, uuid: m.endpoint, onvifUrl: xaddr, onvif: 'yes',
      name: sc.name ?? '', model: sc.hardware ?? '', serial: sc.serial ?? sc.serialnumber ?? '', mac: sc.mac ?? sc.macaddress ?? '',
    })
    o.onMatch?.(m, from)
  }
  const sock = await openProbeSocket(ctx.iface, (msg, rinfo) => {
    const text = msg.toString('utf8')
    // Retransmissions bring the same answer several times: skip the XML parse for repeats.
    const quick = text.match(/<(?:\w+:)?Address>([^<]{1,200})<\/(?:\w+:)?Address>/)?.[1]
    if (quick && seen.has(`${quick.trim()}|${rinfo.address}`)) return
    for (const m of parseProbeMatches(text)) {
      if (m.relatesTo && !ids.has(m.relatesTo)) continue
      accept(m, rinfo.address)
    }
  })
  // Devices that join while we listen announce themselves with Hello on the group: listen on
  // the chosen interface only (membership on its address).
  let hello: Awaited<ReturnType<typeof openProbeSocket>> | null = null
  if (o.hello ?? true) {
    hello = await openProbeSocket({ ...ctx.iface, address: '0.0.0.0' }, (msg, rinfo) => {
      const m = parseHello(msg.toString('utf8'))
      if (m) accept(m, rinfo.address)
    }, WSD_PORT).catch(() => null)
    try {
      hello?.socket.addMembership(WSD_ADDR, ctx.iface.address)
    } catch {
      hello?.close()
      hello = null
    }
  }
  try {
    const sends = Math.max(1, o.sends ?? 3)
    const probes = PROBE_TYPES.map((t) => {
      const id = `urn:uuid:${randomUUID()}`
      ids.set(id, t.type)
      return Buffer.from(probeMessage(id, t))
    })
    const gaps = retransmitDelays(sends - 1)
    for (let i = 0; i < sends && !ctx.signal.aborted; i++) {
      // The two Types a few ms apart, so their answer bursts do not arrive at once.
      for (const [k, p] of probes.entries()) {
        if (k > 0) await delay(15, ctx.signal)
        await sock.send(p, WSD_PORT, WSD_ADDR)
      }
      if (i < sends - 1) await delay(gaps[i], ctx.signal)
    }
    await delay(o.waitMs ?? 1500, ctx.signal)
  } finally {
    sock.close()
    hello?.close()
  }
}
