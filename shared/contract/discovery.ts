// Discovery: LAN scans over WS-Discovery, SSDP, mDNS, SADP and the vendors' HTTP fingerprints
// (issue 4). The methods keep their `devices.*` names (the inventory's scans); events are `discovery.*`.
import { z } from 'zod'
import { defineEvents, defineMethods, Empty, Id, Ok } from './common'

export const Protocol = z.enum(['wsd', 'ssdp', 'mdns', 'sadp', 'http-2n', 'isapi', 'onvif', 'manual'])
export type Protocol = z.infer<typeof Protocol>

export const DeviceKind = z.enum(['intercom', 'nvr', 'camera', 'unknown'])
export type DeviceKind = z.infer<typeof DeviceKind>

export const NetInterface = z.object({
  name: z.string(),
  address: z.string(),
  netmask: z.string(),
  cidr: z.string(),
  mac: z.string(),
  internal: z.boolean(),
})
export type NetInterface = z.infer<typeof NetInterface>

/** One device as a scan sees it, merged across protocols and adapters. */
export const FoundDevice = z.object({
  key: z.string(),
  kind: DeviceKind,
  vendor: z.string(),
  model: z.string(),
  serial: z.string(),
  mac: z.string(),
  firmware: z.string(),
  name: z.string(),
  ip: z.string(),
  addresses: z.array(z.string()),
  ifaces: z.array(z.string()),
  protocols: z.array(Protocol),
  httpPort: z.number().int().nullable(),
  httpsPort: z.number().int().nullable(),
  onvifUrl: z.string(),
  /** WS-Discovery endpoint reference (urn:uuid:…), stable across reboots. */
  endpoint: z.string(),
  needsCredentials: z.boolean(),
  sameSubnet: z.boolean(),
  /** Set once the device is identified (serial or MAC) and saved in the inventory. */
  deviceId: Id.nullable(),
})
export type FoundDevice = z.infer<typeof FoundDevice>

export const DiagnosticKind = z.enum([
  'other-subnet', 'needs-credentials', 'onvif-disabled', 'no-answer', 'port-closed', 'blocked', 'garbage', 'timeout', 'reset', 'interface', 'error',
])
export type DiagnosticKind = z.infer<typeof DiagnosticKind>

export const Diagnostic = z.object({
  kind: DiagnosticKind,
  ip: z.string(),
  iface: z.string(),
  protocol: z.string(),
  message: z.string(),
})
export type Diagnostic = z.infer<typeof Diagnostic>

export const ScanOptions = z
  .object({
    ifaces: z.array(z.string().min(1).max(64)).min(1, 'Choose at least one network interface').max(16),
    cidr: z.string().max(64).default(''),
    protocols: z.array(Protocol).default(['wsd', 'ssdp', 'mdns', 'sadp', 'http-2n', 'isapi', 'onvif']),
    timeoutS: z.number().min(1).max(300).default(8),
  })
  .strict()

export const ScanProgress = z.object({
  scanId: z.string(),
  phase: z.string(),
  done: z.number(),
  total: z.number(),
  found: z.number(),
  elapsedMs: z.number(),
})

export const ScanSummary = z.object({
  scanId: z.string(),
  found: z.number(),
  diagnostics: z.number(),
  elapsedMs: z.number(),
  cancelled: z.boolean(),
  devices: z.array(FoundDevice),
  diagnosticList: z.array(Diagnostic),
})
export type ScanSummary = z.infer<typeof ScanSummary>

export const discoveryMethods = defineMethods({
  'devices.interfaces': { input: Empty, output: z.array(NetInterface), summary: 'Network interfaces with an IPv4 address' },
  'devices.scan': { input: ScanOptions, output: z.object({ scanId: z.string() }), summary: 'Start a discovery scan; results arrive as discovery.* events' },
  'devices.cancelScan': { input: z.object({ scanId: z.string().max(64) }).strict(), output: Ok, summary: 'Stop a running scan' },
  'devices.scanResult': { input: z.object({ scanId: z.string().max(64) }).strict(), output: ScanSummary, summary: 'Devices and diagnostics of a scan so far' },
})

export const discoveryEvents = defineEvents({
  'discovery.progress': ScanProgress,
  'discovery.device': z.object({ scanId: z.string(), device: FoundDevice, replaces: z.array(z.string()) }),
  'discovery.diagnostic': z.object({ scanId: z.string(), diagnostic: Diagnostic }),
  'discovery.done': ScanSummary.omit({ devices: true, diagnosticList: true }),
})
