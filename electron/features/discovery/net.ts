// Network interfaces and IPv4 arithmetic for discovery. The agent picks interfaces by name;
// every socket of a scan is bound to the chosen interface's IPv4 address, so nothing is
// sent from an interface that was not chosen.
import { networkInterfaces } from 'node:os'
import { AppError } from '../../../shared/contract/common'
import type { NetInterface } from '../../../shared/contract/discovery'

export function ipToInt(ip: string): number {
  const p = ip.split('.')
  if (p.length !== 4) throw new AppError('VALIDATION', `"${ip}" is not an IPv4 address.`, { key: 'discovery.badIp', values: { ip } })
  let n = 0
  for (const x of p) {
    if (!/^\d{1,3}$/.test(x) || Number(x) > 255) throw new AppError('VALIDATION', `"${ip}" is not an IPv4 address.`, { key: 'discovery.badIp', values: { ip } })
    n = n * 256 + Number(x)
  }
  return n >>> 0
}
export const intToIp = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
export const isIpv4 = (s: string): boolean => /^(\d{1,3}\.){3}\d{1,3}$/.test(s) && s.split('.').every((x) => Number(x) <= 255)

export function maskBits(netmask: string): number {
  let n = ipToInt(netmask)
  let bits = 0
  while (n & 0x80000000) {
    bits++
    n = (n << 1) >>> 0
  }
  return bits
}

export interface Cidr {
  network: number
  bits: number
  text: string
}

export function parseCidr(text: string): Cidr {
  const m = text.match(/^\s*([\d.]+)(?:\/(\d{1,2}))?\s*$/)
  if (!m) throw new AppError('VALIDATION', `"${text}" is not a network such as 192.168.1.0/24.`, { field: 'cidr', key: 'discovery.badCidr', values: { text } })
  const bits = m[2] === undefined ? 32 : Number(m[2])
  if (bits > 32) throw new AppError('VALIDATION', `"${text}": the prefix length must be 0 to 32.`, { field: 'cidr', key: 'discovery.badPrefix', values: { text } })
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
  const network = (ipToInt(m[1]) & mask) >>> 0
  return { network, bits, text: `${intToIp(network)}/${bits}` }
}

/** Host addresses of a network (without network and broadcast for /1../30). */
export function cidrHosts(c: Cidr, limit = 4096): string[] {
  const size = 2 ** (32 - c.bits)
  if (size > limit + 2) throw new AppError('VALIDATION', `${c.text} has ${size} addresses; sweep at most ${limit} (a /20) at a time.`, { field: 'cidr', key: 'discovery.tooLarge', values: { cidr: c.text, n: size, limit } })
  const first = c.bits >= 31 ? c.network : c.network + 1
  const last = c.bits >= 31 ? c.network + size - 1 : c.network + size - 2
  const out: string[] = []
  for (let n = first; n <= last; n++) out.push(intToIp(n >>> 0))
  return out
}

export function inCidr(ip: string, c: Cidr): boolean {
  if (!isIpv4(ip)) return false
  const mask = c.bits === 0 ? 0 : (0xffffffff << (32 - c.bits)) >>> 0
  return ((ipToInt(ip) & mask) >>> 0) === c.network
}

export function listInterfaces(): NetInterface[] {
  const out: NetInterface[] = []
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4') continue
      const bits = maskBits(a.netmask)
      out.push({ name, address: a.address, netmask: a.netmask, cidr: parseCidr(`${a.address}/${bits}`).text, mac: a.mac, internal: a.internal })
    }
  }
  return out
}

/** The chosen interfaces by name (or by their IPv4 address); an unknown name is an error, never a fallback. */
export function resolveInterfaces(names: string[], available = listInterfaces()): NetInterface[] {
  const out: NetInterface[] = []
  for (const n of names) {
    const hits = available.filter((i) => i.name === n || i.address === n)
    if (hits.length === 0) {
      const list = available.map((i) => `${i.name} (${i.address})`).join(', ') || 'none'
      throw new AppError('VALIDATION', `There is no network interface "${n}" with an IPv4 address. Available: ${list}.`, { field: 'ifaces', key: 'discovery.noIface', values: { name: n, list } })
    }
    for (const h of hits) if (!out.some((o) => o.address === h.address)) out.push(h)
  }
  return out
}

export const normalizeMac = (mac: string | undefined | null): string => {
  const hex = (mac ?? '').replace(/[^0-9a-fA-F]/g, '').toUpperCase()
  if (hex.length !== 12 || /^0+$/.test(hex) || /^F+$/.test(hex)) return ''
  return hex.match(/../g)!.join(':')
}
export const normalizeSerial = (s: string | undefined | null): string => (s ?? '').trim().toUpperCase()
