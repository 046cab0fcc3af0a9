// Merges observations from every protocol and adapter into one entry per device. Strong
// keys: serial number, MAC address, WS-Discovery/UPnP endpoint id. The address is a weak
// key: it joins two entries only when their serials (if any) agree. When one observation
// links two existing entries, they become one and the event says which key it replaces.
import type { Protocol } from '../../../shared/contract/devices'
import type { FoundDevice, NetInterface } from '../../../shared/contract/discovery'
import { normalizeMac, normalizeSerial } from './net'
import type { Observation } from './types'
import { onSubnet } from './udp'

/** Protocols whose identity fields we trust most (they come from the device's own API). */
const RANK: Record<Protocol, number> = { 'http-2n': 6, isapi: 6, onvif: 5, sadp: 4, manual: 4, wsd: 2, ssdp: 2, mdns: 1 }

interface Entry {
  device: FoundDevice
  rank: Partial<Record<keyof FoundDevice, number>>
  keys: Set<string>
}

export interface MergeResult {
  device: FoundDevice
  replaces: string[]
  changed: boolean
}

export class Merger {
  private entries = new Map<string, Entry>()
  private index = new Map<string, string>()
  private seq = 0
  constructor(private readonly ifaces: NetInterface[]) {}

  get size(): number {
    return this.entries.size
  }
  list(): FoundDevice[] {
    return [...this.entries.values()].map((e) => e.device)
  }
  get(key: string): FoundDevice | undefined {
    return this.entries.get(key)?.device
  }

  private keysOf(o: Observation): { strong: string[]; ip: string } {
    const strong: string[] = []
    const sn = normalizeSerial(o.serial)
    const mac = normalizeMac(o.mac)
    if (sn) strong.push(`sn:${sn}`)
    if (mac) strong.push(`mac:${mac}`)
    if (o.uuid) strong.push(`uuid:${o.uuid.toLowerCase()}`)
    return { strong, ip: `ip:${o.ip}` }
  }

  add(o: Observation): MergeResult {
    const { strong, ip } = this.keysOf(o)
    const sn = normalizeSerial(o.serial)
    const hits = new Set<string>()
    for (const k of strong) {
      const h = this.index.get(k)
      if (h) hits.add(h)
    }
    const byIp = this.index.get(ip)
    if (byIp && !hits.has(byIp)) {
      const other = this.entries.get(byIp)!.device
      if (!sn || !other.serial || normalizeSerial(other.serial) === sn) hits.add(byIp)
    }
    // Never merge two devices with different serials, whatever else they share.
    const targets = [...hits].filter((k) => {
      const s = this.entries.get(k)?.device.serial
      return !sn || !s || normalizeSerial(s) === sn
    })
    let key: string
    const replaces: string[] = []
    if (targets.length === 0) {
      key = `d${++this.seq}`
      this.entries.set(key, { device: blank(key), rank: {}, keys: new Set() })
    } else {
      targets.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
      key = targets[0]
      for (const other of targets.slice(1)) {
        const e = this.entries.get(other)!
        this.absorb(key, e)
        this.entries.delete(other)
        replaces.push(other)
      }
    }
    const entry = this.entries.get(key)!
    const before = JSON.stringify(entry.device)
    this.apply(entry, o)
    for (const k of [...strong, ip]) {
      entry.keys.add(k)
      this.index.set(k, key)
    }
    return { device: entry.device, replaces, changed: replaces.length > 0 || JSON.stringify(entry.device) !== before }
  }

  setDeviceId(key: string, id: number | null): void {
    const e = this.entries.get(key)
    if (e) e.device.deviceId = id
  }

  private absorb(into: string, from: Entry): void {
    const target = this.entries.get(into)!
    for (const k of from.keys) {
      target.keys.add(k)
      this.index.set(k, into)
    }
    const d = from.device
    for (const f of ['kind', 'vendor', 'model', 'serial', 'mac', 'firmware', 'name', 'onvifUrl', 'endpoint'] as const) {
      const r = from.rank[f] ?? 0
      if (d[f] && d[f] !== 'unknown' && (r > (target.rank[f] ?? 0) || !target.device[f] || target.device[f] === 'unknown')) {
        ;(target.device as Record<string, unknown>)[f] = d[f]
        target.rank[f] = r
      }
    }
    target.device.httpPort ??= d.httpPort
    target.device.httpsPort ??= d.httpsPort
    target.device.deviceId ??= d.deviceId
    for (const a of d.addresses) if (!target.device.addresses.includes(a)) target.device.addresses.push(a)
    for (const i of d.ifaces) if (!target.device.ifaces.includes(i)) target.device.ifaces.push(i)
    for (const p of d.protocols) if (!target.device.protocols.includes(p)) target.device.protocols.push(p)
    target.device.sameSubnet ||= d.sameSubnet
    target.device.needsCredentials = !target.device.serial && (target.device.needsCredentials || d.needsCredentials)
  }

  private apply(e: Entry, o: Observation): void {
    const d = e.device
    const r = RANK[o.protocol]
    const set = (f: 'kind' | 'vendor' | 'model' | 'serial' | 'mac' | 'firmware' | 'name' | 'onvifUrl' | 'endpoint', v: string | undefined) => {
      if (!v || v === 'unknown') return
      if (!d[f] || d[f] === 'unknown' || r > (e.rank[f] ?? 0)) {
        ;(d as Record<string, unknown>)[f] = v
        e.rank[f] = r
      }
    }
    set('kind', o.kind)
    set('vendor', o.vendor)
    set('model', o.model)
    set('serial', o.serial?.trim())
    set('mac', normalizeMac(o.mac))
    set('firmware', o.firmware)
    set('name', o.name)
    set('onvifUrl', o.onvifUrl)
    if (o.protocol === 'wsd' && o.uuid) set('endpoint', o.uuid.toLowerCase())
    if (o.httpPort && (!d.httpPort || r >= 5)) d.httpPort = o.httpPort
    if (o.httpsPort && (!d.httpsPort || r >= 5)) d.httpsPort = o.httpsPort
    if (!d.protocols.includes(o.protocol)) d.protocols.push(o.protocol)
    if (!d.ifaces.includes(o.iface)) d.ifaces.push(o.iface)
    const iface = this.ifaces.find((i) => i.name === o.iface)
    const local = iface ? onSubnet(o.ip, iface) : false
    if (!d.addresses.includes(o.ip)) d.addresses.push(o.ip)
    if (!d.ip || (local && !d.sameSubnet)) d.ip = o.ip
    d.sameSubnet ||= local
    if (d.kind === 'unknown' && (o.protocol === 'wsd' || o.protocol === 'onvif')) d.kind = 'camera'
    if (o.protocol === 'isapi' && o.serial && d.kind === 'camera') d.kind = o.kind ?? 'nvr'
    d.needsCredentials = !d.serial && (d.needsCredentials || !!o.needsCredentials)
  }
}

function blank(key: string): FoundDevice {
  return {
    key, kind: 'unknown', vendor: '', model: '', serial: '', mac: '', firmware: '', name: '', ip: '', addresses: [], ifaces: [], protocols: [],
    httpPort: null, httpsPort: null, onvifUrl: '', endpoint: '', needsCredentials: false, sameSubnet: false, deviceId: null,
  }
}
