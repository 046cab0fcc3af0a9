// The public entry of the discovery feature: what other features may use (issue 11). A feature imports
// another only through its entry; the layer rule (scripts/lint/layers.mjs) enforces it.
export { DEFAULT_PORTS, probeHost, tcpCheck, type PortSpec } from './fingerprint'
export { isIpv4, listInterfaces, parseCidr, resolveInterfaces } from './net'
export { startScan, type Scan, type ScanEvent } from './scan'
export { onSubnet } from './udp'
