// Self-signed HTTPS certificates, as every 2N intercom and NVR ships with. EC P-256 keys
// are used because RSA key generation for 100 devices would blow the 5 s start budget;
// clients that pin fingerprints (2n-intercom.md §1) see a new fingerprint after a network
// factory reset either way.
import { X509Certificate } from 'node:crypto'
import { generate } from 'selfsigned'

export interface DeviceCert { key: string; cert: string; fingerprint256: string }

export async function makeCert(commonName: string, ip: string): Promise<DeviceCert> {
  const r = await generate([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Support Console lab (simulated)' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 10 * 365 * 86400_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip }] }],
  })
  return { key: r.private, cert: r.cert, fingerprint256: new X509Certificate(r.cert).fingerprint256 }
}
