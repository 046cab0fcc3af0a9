// Unicast fingerprinting of one host: which of 2N (/api/system/info, no auth), ISAPI
// (/ISAPI/System/deviceInfo or its Digest challenge) and ONVIF (GetSystemDateAndTime
// without auth, then GetDeviceInformation) answer, on which ports. Used by the CIDR sweep,
// by "add by address" and by the rediscovery helper. Never sends credentials, so it can
// never count towards a device's login lockout. Every reply is size- and time-limited and
// parsed defensively: a device that hangs, resets or sends garbage only yields a diagnostic.
import net from 'node:net'
import { z } from 'zod'
import type { Diagnostic, NetInterface } from '../../../shared/contract/discovery'
import { deviceRequest, DeviceHttpError, headerValues, type DeviceReply } from '../../infra/device-http'
import { parseChallenges } from '../../infra/digest'
import { at, parseXml, soapBody, soapEnvelope, txt } from '../../infra/xml'
import { normalizeMac } from './net'
import type { Observation } from './types'

export interface PortSpec {
  port: number
  tls: boolean
}
/** Web ports of 2N intercoms and NVRs; ONVIF often shares port 80, some units use 8000/8080/8899. */
export const DEFAULT_PORTS: PortSpec[] = [
  { port: 80, tls: false },
  { port: 443, tls: true },
  { port: 8000, tls: false },
  { port: 8080, tls: false },
  { port: 8899, tls: false },
]

export type TcpState = 'open' | 'closed' | 'timeout' | 'unreachable'

export function tcpCheck(ip: string, port: number, localAddress: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<TcpState> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve('timeout')
    const s = net.connect({ host: ip, port, localAddress })
    let settled = false
    const done = (r: TcpState) => {
      if (settled) return
      settled = true
      clearTimeout(t)
      signal?.removeEventListener('abort', onAbort)
      s.destroy()
      resolve(r)
    }
    const onAbort = () => done('timeout')
    const t = setTimeout(() => done('timeout'), timeoutMs)
    signal?.addEventListener('abort', onAbort, { once: true })
    s.once('connect', () => done('open'))
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'closed' : e.code === 'ETIMEDOUT' ? 'timeout' : 'unreachable'))
  })
}

const TwoNInfo = z.object({
  success: z.literal(true),
  result: z.object({
    serialNumber: z.string().min(1).max(64),
    macAddr: z.string().max(64).optional().default(''),
    variant: z.string().max(200).optional().default(''),
    deviceName: z.string().max(200).optional().default(''),
    swVersion: z.string().max(64).optional().default(''),
    hwVersion: z.string().max(64).optional().default(''),
    buildType: z.string().max(32).optional().default(''),
  }),
})
const TwoNError = z.object({ success: z.literal(false), error: z.object({ code: z.number(), description: z.string().optional() }) })

export interface HostProbeOptions {
  ip: string
  iface: NetInterface
  ports?: PortSpec[]
  /** Per request idle timeout. */
  timeoutMs?: number
  connectTimeoutMs?: number
  signal: AbortSignal
  fingerprints?: { twoN?: boolean; isapi?: boolean; onvif?: boolean }
}

export interface HostProbeResult {
  ip: string
  observations: Observation[]
  diagnostics: Omit<Diagnostic, 'iface'>[]
  /** open / closed / timeout / unreachable, the best over all ports. */
  tcp: TcpState
  openPorts: number[]
}

type Outcome = { obs?: Observation; diag?: Omit<Diagnostic, 'iface'>; onvif?: 'yes' | 'no' | 'auth'; recognised: boolean }

const failDiag = (ip: string, protocol: string, e: unknown): Omit<Diagnostic, 'iface'> => {
  const err = e instanceof DeviceHttpError ? e : new DeviceHttpError('other', String((e as Error)?.message ?? e))
  const kind = err.kind === 'timeout' ? 'timeout' : err.kind === 'reset' ? 'reset' : err.kind === 'refused' ? 'port-closed' : err.kind === 'too-large' ? 'garbage' : 'error'
  const msg =
    kind === 'timeout' ? `${ip} accepted the connection but did not answer the ${protocol} request in time (hung); skipped, the scan went on.`
    : kind === 'reset' ? `${ip} dropped the connection in the middle of its ${protocol} reply; skipped, the scan went on.`
    : kind === 'garbage' ? `${ip} sent an oversized ${protocol} reply; ignored.`
    : `${ip}: ${err.message}`
  return { kind, ip, protocol, message: msg }
}

async function twoN(ip: string, p: PortSpec, o: HostProbeOptions): Promise<Outcome> {
  let r: DeviceReply
  try {
    r = await deviceRequest({ host: ip, port: p.port, tls: p.tls, localAddress: o.iface.address }, { path: '/api/system/info', timeoutMs: o.timeoutMs, maxBytes: 64 * 1024, signal: o.signal })
  } catch (e) {
    return { diag: failDiag(ip, '2N', e), recognised: false }
  }
  let body: unknown
  try {
    body = JSON.parse(r.body.toString('utf8'))
  } catch {
    const ct = String(r.headers['content-type'] ?? '')
    if (/json/i.test(ct)) return { diag: { kind: 'garbage', ip, protocol: '2N', message: `${ip} answered /api/system/info with broken JSON (port ${p.port}); ignored.` }, recognised: false }
    return { recognised: false }
  }
  const ok = TwoNInfo.safeParse(body)
  if (ok.success) {
    const x = ok.data.result
    return {
      recognised: true,
      obs: {
        protocol: 'http-2n', ip, iface: o.iface.name, kind: 'intercom', vendor: '2N', model: x.variant, serial: x.serialNumber, mac: normalizeMac(x.macAddr),
        firmware: x.swVersion, name: x.deviceName, ...(p.tls ? { httpsPort: p.port } : { httpPort: p.port }),
      },
    }
  }
  const err = TwoNError.safeParse(body)
  if (err.success && err.data.error.code === 7) {
    return { recognised: true, obs: { protocol: 'http-2n', ip, iface: o.iface.name, kind: 'intercom', vendor: '2N', needsCredentials: false }, diag: { kind: 'blocked', ip, protocol: '2N', message: `${ip} is a 2N device that accepts the API over HTTPS only (port ${p.port} is plain HTTP).` } }
  }
  return { recognised: false }
}

async function isapi(ip: string, p: PortSpec, o: HostProbeOptions): Promise<Outcome> {
  let r: DeviceReply
  try {
    r = await deviceRequest({ host: ip, port: p.port, tls: p.tls, localAddress: o.iface.address }, { path: '/ISAPI/System/deviceInfo', timeoutMs: o.timeoutMs, maxBytes: 64 * 1024, signal: o.signal })
  } catch (e) {
    return { diag: failDiag(ip, 'ISAPI', e), recognised: false }
  }
  const port = p.tls ? { httpsPort: p.port } : { httpPort: p.port }
  if (r.status === 401) {
    const ch = parseChallenges(headerValues(r.headers, 'www-authenticate'))
    const looksIsapi = ch.some((c) => c.scheme === 'digest') && (/ResponseStatus|userCheck/.test(r.body.toString('utf8', 0, 2000)) || ch.length > 0)
    if (!looksIsapi) return { recognised: false }
    return { recognised: true, obs: { protocol: 'isapi', ip, iface: o.iface.name, kind: 'nvr', needsCredentials: true, ...port } }
  }
  if (r.status !== 200) return { recognised: false }
  const doc = parseXml(r.body.toString('utf8'))
  const di = doc && (at(doc, 'DeviceInfo') as Record<string, unknown> | undefined)
  if (!di) {
    if (/xml/i.test(String(r.headers['content-type'] ?? ''))) return { diag: { kind: 'garbage', ip, protocol: 'ISAPI', message: `${ip} answered /ISAPI/System/deviceInfo with malformed XML (port ${p.port}); ignored.` }, recognised: false }
    return { recognised: false }
  }
  const type = txt(di.deviceType).toUpperCase()
  return {
    recognised: true,
    obs: {
      protocol: 'isapi', ip, iface: o.iface.name, kind: /NVR|DVR/.test(type) ? 'nvr' : type.includes('IPC') || type.includes('CAMERA') ? 'camera' : 'nvr',
      vendor: txt(di.manufacturer) || 'Hikvision-compatible', model: txt(di.model), serial: txt(di.serialNumber), mac: normalizeMac(txt(di.macAddress)),
      firmware: txt(di.firmwareVersion), name: txt(di.deviceName), ...port,
    },
  }
}

export async function onvifInfo(url: URL, o: { iface: NetInterface; timeoutMs?: number; signal: AbortSignal }): Promise<Outcome & { offsetMs?: number }> {
  const ip = url.hostname
  const target = { host: ip, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), tls: url.protocol === 'https:', localAddress: o.iface.address }
  const call = (op: string) =>
    deviceRequest(target, {
      method: 'POST', path: url.pathname, body: soapEnvelope(`<tds:${op}/>`), timeoutMs: o.timeoutMs, maxBytes: 64 * 1024, signal: o.signal,
      headers: { 'Content-Type': `application/soap+xml; charset=utf-8; action="http://www.onvif.org/ver10/device/wsdl/${op}"` },
    })
  let r: DeviceReply
  try {
    r = await call('GetSystemDateAndTime')
  } catch (e) {
    return { diag: failDiag(ip, 'ONVIF', e), recognised: false, onvif: 'no' }
  }
  const t = soapBody(r.body.toString('utf8'))
  const timeNode = t.body && at(t.body, 'GetSystemDateAndTimeResponse')
  if (!timeNode) {
    if (r.status === 200 && /soap|xml/i.test(String(r.headers['content-type'] ?? '')) && !t.body) {
      return { diag: { kind: 'garbage', ip, protocol: 'ONVIF', message: `${ip} answered GetSystemDateAndTime with malformed SOAP (port ${target.port}); ignored.` }, recognised: false, onvif: 'no' }
    }
    return { recognised: false, onvif: 'no' }
  }
  const onvifUrl = url.toString()
  let info: DeviceReply
  try {
    info = await call('GetDeviceInformation')
  } catch (e) {
    return { recognised: true, onvif: 'yes', obs: { protocol: 'onvif', ip, iface: o.iface.name, onvifUrl, onvif: 'yes' }, diag: failDiag(ip, 'ONVIF', e) }
  }
  const b = soapBody(info.body.toString('utf8'))
  const di = b.body && (at(b.body, 'GetDeviceInformationResponse') as Record<string, unknown> | undefined)
  if (di && typeof di === 'object') {
    return {
      recognised: true, onvif: 'yes',
      obs: { protocol: 'onvif', ip, iface: o.iface.name, onvifUrl, onvif: 'yes', vendor: txt(di.Manufacturer), model: txt(di.Model), firmware: txt(di.FirmwareVersion), serial: txt(di.SerialNumber) },
    }
  }
  const auth = info.status === 401 || /NotAuthorized/i.test(b.faultCode) || (info.status === 400 && /authori/i.test(b.fault ?? ''))
  return { recognised: true, onvif: auth ? 'auth' : 'yes', obs: { protocol: 'onvif', ip, iface: o.iface.name, onvifUrl, onvif: auth ? 'auth' : 'yes', needsCredentials: auth } }
}

/** Fingerprints one address on the given ports. */
export async function probeHost(o: HostProbeOptions): Promise<HostProbeResult> {
  const ports = o.ports ?? DEFAULT_PORTS
  const fp = { twoN: true, isapi: true, onvif: true, ...o.fingerprints }
  const states = await Promise.all(ports.map((p) => tcpCheck(o.ip, p.port, o.iface.address, o.connectTimeoutMs ?? 800, o.signal)))
  const open = ports.filter((_, i) => states[i] === 'open')
  const tcp: TcpState = states.includes('open') ? 'open' : states.includes('closed') ? 'closed' : states.includes('timeout') ? 'timeout' : 'unreachable'
  const result: HostProbeResult = { ip: o.ip, observations: [], diagnostics: [], tcp, openPorts: open.map((p) => p.port) }
  if (open.length === 0) return result
  // Staged, to keep the load on each device (and our memory) low: the first plain-HTTP port
  // with every fingerprint; other ports only if that did not identify the device, and ONVIF
  // on the other HTTP ports only if it was not on the first one.
  const outcomes: Outcome[] = []
  const runPort = async (p: PortSpec, which: { twoN: boolean; isapi: boolean; onvif: boolean }) => {
    const jobs: Promise<Outcome>[] = []
    if (which.twoN) jobs.push(twoN(o.ip, p, o))
    if (which.isapi) jobs.push(isapi(o.ip, p, o))
    if (which.onvif && !p.tls) jobs.push(onvifInfo(new URL(`http://${o.ip}:${p.port}/onvif/device_service`), o))
    const r = await Promise.all(jobs)
    outcomes.push(...r)
    return r
  }
  const ordered = [...open.filter((p) => !p.tls), ...open.filter((p) => p.tls)]
  let known = false
  let onvifSeen = false
  for (const p of ordered) {
    if (o.signal.aborted) break
    if (!known) {
      const r = await runPort(p, fp)
      known = r.some((x) => x.recognised && x.onvif === undefined)
      onvifSeen ||= r.some((x) => x.onvif === 'yes' || x.onvif === 'auth')
      // A 2N that wants HTTPS for its API: the HTTPS port will tell.
      if (r.some((x) => x.diag?.kind === 'blocked')) known = false
    } else if (fp.onvif && !onvifSeen && !p.tls) {
      const r = await runPort(p, { twoN: false, isapi: false, onvif: true })
      onvifSeen = r.some((x) => x.onvif === 'yes' || x.onvif === 'auth')
    }
  }
  // An HTTPS port we did not need to probe is still worth knowing (drivers prefer HTTPS).
  const https = open.find((p) => p.tls)
  if (https) for (const x of outcomes) if (x.obs && (x.obs.protocol === 'http-2n' || x.obs.protocol === 'isapi') && !x.obs.httpsPort) x.obs.httpsPort = https.port
  let recognised = false
  let onvif: 'yes' | 'no' | 'auth' = 'no'
  for (const x of outcomes) {
    if (x.obs) result.observations.push(x.obs)
    if (x.recognised) recognised = true
    if (x.onvif === 'yes' || (x.onvif === 'auth' && onvif === 'no')) onvif = x.onvif
  }
  // Transport trouble is reported once per host and kind, not once per probe.
  const seen = new Set<string>()
  for (const x of outcomes) {
    if (!x.diag) continue
    const k = `${x.diag.kind}`
    if (seen.has(k) || (recognised && (x.diag.kind === 'port-closed' || x.diag.kind === 'error'))) continue
    seen.add(k)
    result.diagnostics.push(x.diag)
  }
  const identified = result.observations.some((ob) => ob.serial)
  const locked = result.observations.filter((ob) => ob.needsCredentials)
  if (!identified && locked.length) {
    const what = [...new Set(locked.map((l) => (l.protocol === 'isapi' ? 'ISAPI' : l.protocol === 'onvif' ? 'ONVIF' : l.protocol)))].join(' and ')
    result.diagnostics.push({ kind: 'needs-credentials', ip: o.ip, protocol: locked[0].protocol, message: `${o.ip} answers ${what} but needs a login to tell its serial number. Add it by address with its credentials.` })
  }
  if (recognised && fp.onvif && onvif === 'no' && result.observations.some((ob) => ob.protocol === 'isapi')) {
    result.diagnostics.push({ kind: 'onvif-disabled', ip: o.ip, protocol: 'onvif', message: `${o.ip} answers ISAPI but not ONVIF: ONVIF is probably disabled on it (Hikvision-family firmware ships with ONVIF off), so ONVIF tools will not list it.` })
  }
  if (!recognised && result.diagnostics.length === 0) {
    result.diagnostics.push({ kind: 'error', ip: o.ip, protocol: 'http', message: `${o.ip} has open web port(s) ${result.openPorts.join(', ')} but is not a 2N, ISAPI or ONVIF device.` })
  }
  return result
}
