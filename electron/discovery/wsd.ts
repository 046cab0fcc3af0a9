// ONVIF WS-Discovery (2005/04 namespace). Two Probes, one per Type: the old
// dn:NetworkVideoTransmitter and the new tds:Device (ONVIF recommends both; a device
// matches a Probe only if it has every listed Type, so they go in separate messages).
// Each is retransmitted per SOAP-over-UDP; replies are matched by RelatesTo and
// de-duplicated by endpoint reference.
import { randomUUID } from 'node:crypto'
import { asArray, at, parseXml, txt } from '../devices/xml'
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
    const m = /^onvif:\/\/www\.onvif\.org\/([^/]+)\/(.+)$/i.exec(s)
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
}

export async function wsDiscovery(ctx: ProbeContext, o: WsdOptions = {}): Promise<void> {
  const ids = new Map<string, string>()
  const seen = new Set<string>()
  const sock = await openProbeSocket(ctx.iface, (msg, rinfo) => {
    const text = msg.toString('utf8')
    // Retransmissions bring the same answer several times: skip the XML parse for repeats.
    const quick = /<(?:\w+:)?Address>([^<]{1,200})<\/(?:\w+:)?Address>/.exec(text)?.[1]
    if (quick && seen.has(`${quick.trim()}|${rinfo.address}`)) return
    for (const m of parseProbeMatches(text)) {
      if (m.relatesTo && !ids.has(m.relatesTo)) continue
      const key = `${m.endpoint}|${rinfo.address}`
      if (seen.has(key)) continue
      seen.add(key)
      const sc = scopeValues(m.scopes)
      const xaddr = m.xaddrs.find((x) => /^https?:\/\//i.test(x)) ?? ''
      let host = rinfo.address
      try {
        if (xaddr) host = new URL(xaddr).hostname
      } catch {
        /* bad XAddr: keep the source address */
      }
      if (!onSubnet(rinfo.address, ctx.iface) || !onSubnet(host, ctx.iface)) {
        ctx.diagnose({
          kind: 'other-subnet', ip: host, protocol: 'wsd',
          message: `An ONVIF device answered from ${rinfo.address}${host !== rinfo.address ? ` (its address ${host})` : ''}, which is outside ${ctx.iface.name}'s network ${ctx.iface.cidr}. It is on another subnet: put the PC in its subnet (or change the device's address) before working with it.`,
        })
      }
      ctx.observe({
        protocol: 'wsd', ip: host, iface: ctx.iface.name, uuid: m.endpoint, onvifUrl: xaddr, onvif: 'yes',
        name: sc.name ?? '', model: sc.hardware ?? '', serial: sc.serial ?? sc.serialnumber ?? '', mac: sc.mac ?? sc.macaddress ?? '',
        kind: /NetworkVideoTransmitter|Device/.test(m.types) ? undefined : undefined,
      })
      o.onMatch?.(m, rinfo.address)
    }
  })
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
  }
}
