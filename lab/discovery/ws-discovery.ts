// WS-Discovery responder for one device (discovery.md §2): listens on UDP 3702 joined to
// 239.255.255.250 on an explicit interface (loopback, or the device's own address inside
// a lab namespace; never the machine's real interfaces), answers Probes whose Types match
// `dn:NetworkVideoTransmitter` or `tds:Device` (namespaces resolved, prefixes ignored) with
// a ProbeMatches sent unicast to the prober's address and port, from the device's address.
import dgram from 'node:dgram'
import { randomUUID } from 'node:crypto'
import { esc, parseXml, text } from '../core/xml'

export const WSD_GROUP = '239.255.255.250'
export const WSD_PORT = 3702

const NS_NETWORK = 'http://www.onvif.org/ver10/network/wsdl'
const NS_DEVICE = 'http://www.onvif.org/ver10/device/wsdl'
const NS_WSD_2005 = 'http://schemas.xmlsoap.org/ws/2005/04/discovery'

export interface WsdTarget {
  /** urn:uuid:… EndpointReference, stable across reboots. */
  uuid: string
  ip(): string
  xaddr(): string
  scopes(): string[]
  online(): boolean
  instanceId(): number
}

/** Resolve each QName in a Types list against the namespace declarations of the raw probe. */
export function probeWantsUs(raw: string, types: string | undefined): boolean {
  if (!types || !types.trim()) return true
  const decls = new Map<string, string>()
  for (const m of raw.matchAll(/xmlns:([A-Za-z0-9_.-]+)\s*=\s*"([^"]*)"/g)) decls.set(m[1], m[2])
  return types.trim().split(/\s+/).some((qn) => {
    const [prefix, local] = qn.includes(':') ? qn.split(':') : ['', qn]
    const ns = decls.get(prefix)
    if (local === 'NetworkVideoTransmitter') return ns === undefined || ns === NS_NETWORK
    if (local === 'Device') return ns === undefined || ns === NS_DEVICE || ns === NS_NETWORK
    return false
  })
}

export function probeMatches(t: WsdTarget, relatesTo: string, messageNumber: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsdd="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="${NS_NETWORK}" xmlns:tds="${NS_DEVICE}"><SOAP-ENV:Header><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${esc(relatesTo)}</wsa:RelatesTo><wsa:To SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action><wsdd:AppSequence InstanceId="${t.instanceId()}" MessageNumber="${messageNumber}"/></SOAP-ENV:Header><SOAP-ENV:Body><wsdd:ProbeMatches><wsdd:ProbeMatch><wsa:EndpointReference><wsa:Address>${t.uuid}</wsa:Address></wsa:EndpointReference><wsdd:Types>dn:NetworkVideoTransmitter tds:Device</wsdd:Types><wsdd:Scopes>${t.scopes().map(esc).join(' ')}</wsdd:Scopes><wsdd:XAddrs>${esc(t.xaddr())}</wsdd:XAddrs><wsdd:MetadataVersion>1</wsdd:MetadataVersion></wsdd:ProbeMatch></wsdd:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`
}

/** Hello (device joins) or Bye (device leaves), multicast to the group (ONVIF Core §7). */
export function announcement(t: WsdTarget, kind: 'Hello' | 'Bye', messageNumber: number): string {
  const body = kind === 'Hello'
    ? `<wsdd:Hello><wsa:EndpointReference><wsa:Address>${t.uuid}</wsa:Address></wsa:EndpointReference><wsdd:Types>dn:NetworkVideoTransmitter tds:Device</wsdd:Types><wsdd:Scopes>${t.scopes().map(esc).join(' ')}</wsdd:Scopes><wsdd:XAddrs>${esc(t.xaddr())}</wsdd:XAddrs><wsdd:MetadataVersion>1</wsdd:MetadataVersion></wsdd:Hello>`
    : `<wsdd:Bye><wsa:EndpointReference><wsa:Address>${t.uuid}</wsa:Address></wsa:EndpointReference></wsdd:Bye>`
  return `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsdd="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="${NS_NETWORK}" xmlns:tds="${NS_DEVICE}"><SOAP-ENV:Header><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/${kind}</wsa:Action><wsdd:AppSequence InstanceId="${t.instanceId()}" MessageNumber="${messageNumber}"/></SOAP-ENV:Header><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`
}

export class WsDiscoveryResponder {
  private rx: dgram.Socket | null = null
  private tx: dgram.Socket | null = null
  private txIp = ''
  private messageNumber = 0
  probesSeen = 0

  constructor(private readonly target: WsdTarget, private readonly multicastInterface: string) {}

  async start(): Promise<void> {
    const rx = dgram.createSocket({ type: 'udp4', reuseAddr: true })
    rx.on('message', (msg, rinfo) => void this.onMessage(msg, rinfo))
    rx.on('error', () => {})
    await new Promise<void>((resolve, reject) => {
      rx.once('error', reject)
      // Bound to the group address, so only datagrams sent to the group arrive, never unicast
      // from a real interface; the membership itself is on the lab interface only.
      rx.bind(WSD_PORT, WSD_GROUP, () => { rx.off('error', reject); resolve() })
    })
    rx.addMembership(WSD_GROUP, this.multicastInterface)
    this.rx = rx
  }

  /** Announce the device on the group, from its own address, on the lab interface only. */
  async announce(kind: 'Hello' | 'Bye'): Promise<void> {
    if (!this.rx) return
    const tx = await this.sender()
    try { tx.setMulticastInterface(this.multicastInterface) } catch { return }
    const out = Buffer.from(announcement(this.target, kind, ++this.messageNumber))
    await new Promise<void>((r) => tx.send(out, WSD_PORT, WSD_GROUP, () => r()))
  }

  async stop(): Promise<void> {
    const socks = [this.rx, this.tx].filter((s): s is dgram.Socket => s !== null)
    this.rx = this.tx = null
    await Promise.all(socks.map((s) => new Promise<void>((r) => s.close(() => r()))))
  }

  /** A socket bound to the device's current address, so replies come from the device. */
  private async sender(): Promise<dgram.Socket> {
    const ip = this.target.ip()
    if (this.tx && this.txIp === ip) return this.tx
    this.tx?.close()
    // Prefer the device's own 3702 as source port, like a real responder; fall back to any port.
    let tx = await bindSender(ip, WSD_PORT)
    if (!tx) tx = (await bindSender(ip, 0))!
    this.tx = tx
    this.txIp = ip
    return tx
  }

  private async onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): Promise<void> {
    if (!this.target.online()) return
    // A responder joined on loopback lives next to the machine's real interfaces; Linux
    // (IP_MULTICAST_ALL) may still hand it group traffic from them if another program joined
    // there, so it answers only probers on this host (0.0.0.0 is how a prober without a source
    // address on a loopback-only namespace shows up). On a lab address it is inside a namespace
    // that only has lab links, and answers anyone, other subnets included.
    if (this.multicastInterface.startsWith('127.') && !rinfo.address.startsWith('127.') && rinfo.address !== '0.0.0.0') return
    const raw = msg.toString('utf8')
    const env = parseXml(raw)?.Envelope
    const probe = env?.Body?.Probe
    if (probe === undefined) return
    this.probesSeen++
    // ONVIF uses the 2005/04 WS-Discovery namespace only (discovery.md §2.4); a WS-Discovery 1.1
    // (OASIS 2009/01) probe, like nmap's "wcf" one, gets no answer.
    if (!/<(?:[A-Za-z0-9_.-]+:)?Probe[^>]*>/.test(raw) || !raw.includes(NS_WSD_2005)) return
    if (!probeWantsUs(raw, text(probe?.Types))) return
    const relatesTo = text(env.Header?.MessageID) ?? ''
    const out = Buffer.from(probeMatches(this.target, relatesTo, ++this.messageNumber))
    const tx = await this.sender()
    // Unicast back to whoever probed (discovery.md §2.3), never to the group.
    tx.send(out, rinfo.port, rinfo.address, () => {})
  }
}

function bindSender(ip: string, port: number): Promise<dgram.Socket | null> {
  return new Promise((resolve) => {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true })
    s.once('error', () => { s.close(); resolve(null) })
    s.bind(port, ip, () => { s.removeAllListeners('error'); s.on('error', () => {}); resolve(s) })
  })
}
