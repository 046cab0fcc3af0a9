import type { DeviceKind, Protocol } from '../../../shared/contract/devices'
import type { Diagnostic, DiagnosticKind, NetInterface } from '../../../shared/contract/discovery'

/** What one protocol learned about one responder. Merged into FoundDevice by the scan. */
export interface Observation {
  protocol: Protocol
  /** Address the device was reached at or answered from. */
  ip: string
  iface: string
  kind?: DeviceKind
  vendor?: string
  model?: string
  serial?: string
  mac?: string
  firmware?: string
  name?: string
  httpPort?: number
  httpsPort?: number
  onvifUrl?: string
  /** WS-Discovery endpoint reference (urn:uuid:…), SSDP USN, mDNS instance. */
  uuid?: string
  needsCredentials?: boolean
  /** Protocol-level facts for diagnostics (e.g. ONVIF answered / not). */
  onvif?: 'yes' | 'no' | 'auth'
}

export interface ProbeContext {
  iface: NetInterface
  signal: AbortSignal
  observe(o: Observation): void
  diagnose(d: Omit<Diagnostic, 'iface'> & { iface?: string }): void
}

export type { DiagnosticKind }
