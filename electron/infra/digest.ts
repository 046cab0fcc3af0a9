// HTTP authentication for device drivers: parse challenges (several may arrive joined in one
// header), pick the scheme the device asks for (Digest over Basic; SHA-256 over MD5), and
// compute Digest responses (RFC 7616). The lockout discipline lives in the drivers: this
// module never decides to retry.
import { createHash, randomBytes } from 'node:crypto'

export interface Challenge {
  scheme: 'basic' | 'digest'
  params: Record<string, string>
}

export function parseParams(s: string): Record<string, string> {
  const out: Record<string, string> = {}
  // A name starts only where a word starts (the lookbehind): without it a long run of letters
  // with no "=" was retried from every offset, quadratic in the header (a 130 KB challenge took
  // 30 s; found by fuzzing, issue 7). Same matches otherwise.
  const re = /(?<![a-zA-Z0-9_-])([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g
  for (const m of s.matchAll(re)) out[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]
  return out
}

/** Challenges from WWW-Authenticate values; Node joins repeated headers with ", ". */
export function parseChallenges(values: string[]): Challenge[] {
  const out: Challenge[] = []
  for (const v of values) {
    for (const part of v.split(/,\s*(?=(?:Digest|Basic|Bearer|Negotiate|NTLM)\b)/i)) {
      const m = part.match(/^\s*(\w+)\s*(.*)$/s)
      if (!m) continue
      const scheme = m[1].toLowerCase()
      if (scheme === 'digest' || scheme === 'basic') out.push({ scheme, params: parseParams(m[2]) })
    }
  }
  return out
}

const algRank = (a: string | undefined) => {
  const x = (a ?? 'MD5').toUpperCase()
  return x === 'SHA-256' ? 3 : x === 'SHA-256-SESS' ? 2 : x === 'MD5' ? 1 : x === 'MD5-SESS' ? 0.5 : -1
}

/** The strongest challenge we can answer: Digest SHA-256, then Digest MD5, then Basic. */
export function pickChallenge(cs: Challenge[]): Challenge | null {
  const digests = cs.filter((c) => c.scheme === 'digest' && algRank(c.params.algorithm) > 0).sort((a, b) => algRank(b.params.algorithm) - algRank(a.params.algorithm))
  return digests[0] ?? cs.find((c) => c.scheme === 'basic') ?? null
}

export const basicHeader = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`

export class DigestSession {
  private nc = 0
  constructor(readonly challenge: Challenge) {}
  get stale(): boolean {
    return /^true$/i.test(this.challenge.params.stale ?? '')
  }
  header(method: string, uri: string, user: string, password: string): string {
    const p = this.challenge.params
    const algorithm = (p.algorithm ?? 'MD5').toUpperCase()
    const sess = algorithm.endsWith('-SESS')
    const h = (s: string) => createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5').update(s).digest('hex')
    const qop = (p.qop ?? '').split(',').map((x) => x.trim()).includes('auth') ? 'auth' : ''
    const cnonce = randomBytes(8).toString('hex')
    const nc = (++this.nc).toString(16).padStart(8, '0')
    let ha1 = h(`${user}:${p.realm ?? ''}:${password}`)
    if (sess) ha1 = h(`${ha1}:${p.nonce}:${cnonce}`)
    const ha2 = h(`${method}:${uri}`)
    const response = qop ? h(`${ha1}:${p.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : h(`${ha1}:${p.nonce}:${ha2}`)
    const q = (s: string) => s.replace(/(["\\])/g, '\\$1')
    const parts = [`username="${q(user)}"`, `realm="${q(p.realm ?? '')}"`, `nonce="${q(p.nonce ?? '')}"`, `uri="${q(uri)}"`]
    if (p.algorithm) parts.push(`algorithm=${p.algorithm.toUpperCase() === 'SHA-256' ? 'SHA-256' : p.algorithm}`)
    parts.push(`response="${response}"`)
    if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`)
    if (p.opaque !== undefined) parts.push(`opaque="${q(p.opaque)}"`)
    return `Digest ${parts.join(', ')}`
  }
}

/** ONVIF WS-UsernameToken (PasswordDigest), with the device clock offset applied to Created. */
export function wsUsernameToken(user: string, password: string, offsetMs: number, now = Date.now()): string {
  const nonce = randomBytes(16)
  const created = new Date(now + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(password)])).digest('base64')
  const x = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  return `<wsse:Security s:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken><wsse:Username>${x(user)}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password><wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce><wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
}
