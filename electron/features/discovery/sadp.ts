// Hikvision SADP over UDP 37020. The probe goes to 239.255.255.250:37020; devices answer to
// the group (and some unicast to the sender), so we listen on both.
import { randomUUID } from 'node:crypto'
import { at, deviceText, parseXml, txt } from '../../infra/xml'
import { isIpv4, normalizeMac } from './net'
import { delay } from './pool'
import type { ProbeContext } from './types'
import { onSubnet, openProbeSocket, retransmitDelays, type ProbeSocket } from './udp'

export const SADP_ADDR = '239.255.255.250'
export const SADP_PORT = 37020

export const sadpProbe = (uuid: string) => `<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${uuid}</Uuid><Types>inquiry</Types></Probe>`

export function parseSadp(text: string): Record<string, string> | null {
  const m = at(parseXml(text), 'ProbeMatch') as Record<string, unknown> | undefined
  if (!m || typeof m !== 'object') return null
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(m)) out[k] = txt(v)
  return out
}

export async function sadpSearch(ctx: ProbeContext, o: { sends?: number; waitMs?: number } = {}): Promise<void> {
  const uuid = randomUUID().toUpperCase()
  const seen = new Set<string>()
  const handle = (msg: Buffer, rinfo: { address: string }) => {
    const m = parseSadp(msg.toString('utf8', 0, 16384))
    if (!m || (m.Types ?? '').toLowerCase() !== 'inquiry') return
    if (m.Uuid && m.Uuid.toUpperCase() !== uuid) return
    // The reply's own address only when it is one (found by fuzzing, issue 7: any text was taken).
    const ip = isIpv4(m.IPv4Address ?? '') ? m.IPv4Address : rinfo.address
    const key = `${m.DeviceSN}|${ip}`
    if (seen.has(key)) return
    seen.add(key)
    if (!onSubnet(ip, ctx.iface)) {
      ctx.diagnose({ kind: 'other-subnet', ip, protocol: 'sadp', message: `A Hikvision-family device (SADP) answered with address ${ip}/${deviceText(m.IPv4SubnetMask ?? '?', 40)}, outside ${ctx.iface.name}'s network ${ctx.iface.cidr}: it is on another subnet; SADP can still change its address.` })
    }
    ctx.observe({
      protocol: 'sadp', ip, iface: ctx.iface.name, kind: /NVR|DVR/i.test(m.DeviceType ?? '') ? 'nvr' : 'unknown', model: m.DeviceType ?? '', serial: m.DeviceSN ?? '',
      // A port only when it is one: "1.5" or "99999" used to reach the contract's integer port (issue 7).
      mac: normalizeMac(m.MAC), firmware: m.SoftwareVersion ?? '', name: m.DeviceDescription ?? '', ...(/^\d{1,5}$/.test(m.HttpPort ?? '') && Number(m.HttpPort) >= 1 && Number(m.HttpPort) <= 65535 ? { httpPort: Number(m.HttpPort) } : {}),
    })
    if (m.Activated && /false/i.test(m.Activated)) {
      ctx.diagnose({ kind: 'needs-credentials', ip, protocol: 'sadp', message: `${ip} (${deviceText(m.DeviceSN ?? '', 64)}) is not activated yet: it must be given an admin password (activation) before it can be used.` })
    }
  }
  const sock = await openProbeSocket(ctx.iface, handle)
  let group: ProbeSocket | null = null
  try {
    group = await openProbeSocket({ ...ctx.iface, address: '0.0.0.0' }, handle, SADP_PORT).catch(() => null)
    group?.socket.addMembership(SADP_ADDR, ctx.iface.address)
  } catch {
    group?.close()
    group = null
  }
  try {
    const sends = Math.max(1, o.sends ?? 2)
    const gaps = retransmitDelays(sends - 1)
    for (let i = 0; i < sends && !ctx.signal.aborted; i++) {
      await sock.send(sadpProbe(uuid), SADP_PORT, SADP_ADDR)
      if (i < sends - 1) await delay(gaps[i], ctx.signal)
    }
    await delay(o.waitMs ?? 1200, ctx.signal)
  } finally {
    sock.close()
    group?.close()
  }
}
