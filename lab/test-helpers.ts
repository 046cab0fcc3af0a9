// Helpers for the lab's own tests (not shipped, not a public API).
import https from 'node:https'
import { DigestSession, parseChallenges } from '../electron/infra/digest'

// An independent Digest client (npm), to check the bench against someone else's reading of RFC 7616.
export { default as DigestFetch } from 'digest-fetch'

/** The Authorization header the console's drivers send for one Digest challenge (electron/infra/digest.ts). */
export function digestAuthorization(challenge: string, user: string, password: string, method: string, uri: string): string {
  const c = parseChallenges([challenge]).find((x) => x.scheme === 'digest')
  if (!c) throw new Error(`Not a Digest challenge: ${challenge}`)
  return new DigestSession(c).header(method, uri, user, password)
}

/** Split a combined WWW-Authenticate value holding several Digest challenges. */
export function splitChallenges(h: string | null): string[] {
  return (h ?? '').split(/,\s*(?=Digest\s)/i).filter(Boolean)
}

/** HTTPS request that accepts the device's self-signed certificate and reports its fingerprint. */
export function httpsGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; fingerprint256: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { rejectUnauthorized: false, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), fingerprint256: (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256 }))
    })
    req.on('error', reject)
    req.end()
  })
}

export async function waitFor(cond: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await cond()) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

export async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) })
    return true
  } catch {
    return false
  }
}


/** Response body as loosely typed JSON (tests assert on its shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any
export const jsonBody = async (r: Response): Promise<Loose> => r.json()
