// Server side of HTTP Basic and Digest (RFC 7616) authentication, written by hand because
// the npm server (http-auth) only knows MD5 and real NVRs send two challenges, MD5 and
// SHA-256 (nvr-reset.md §7.7). Nonces carry their issue time; an expired nonce with an
// otherwise correct response is answered with stale=true, the case that confuses 2N
// clients into re-login loops (2n-intercom.md §1).
import { createHash } from 'node:crypto'
// The parameters of an Authorization header are read by the drivers' own parser: one Digest
// implementation for the console and the bench, linear in the header (a hostile header was
// quadratic in the copy this file had).
import { parseParams } from '../../electron/infra/digest'
import type { SimClock } from './clock'
import type { SeededRng } from './rng'

export type DigestAlgorithm = 'MD5' | 'SHA-256'

export interface DigestOptions {
  realm: string
  algorithms: DigestAlgorithm[]
  nonceTtlMs: number
  /** Send algorithm="MD5" explicitly; Hikvision omits it (MD5 is then implied). */
  explicitMd5?: boolean
}

export type AuthResult =
  | { ok: true; user: string }
  | { ok: false; reason: 'missing' | 'scheme' | 'stale' | 'bad'; user?: string }

const H = (alg: DigestAlgorithm, s: string) => createHash(alg === 'MD5' ? 'md5' : 'sha256').update(s).digest('hex')

export class DigestAuth {
  private nonces = new Map<string, number>()
  constructor(
    private opts: DigestOptions,
    private readonly rng: SeededRng,
    private readonly clock: SimClock,
  ) {}

  configure(patch: Partial<DigestOptions>): void {
    this.opts = { ...this.opts, ...patch }
  }

  /** Forget every nonce (the device rebooted). */
  reset(): void {
    this.nonces.clear()
  }

  /** One WWW-Authenticate value per algorithm, each with its own nonce. */
  challenge(stale = false): string[] {
    return this.opts.algorithms.map((alg) => {
      const nonce = this.rng.hex(32)
      this.remember(nonce)
      const algPart = alg === 'MD5' && !this.opts.explicitMd5 ? '' : `, algorithm=${alg === 'MD5' ? 'MD5' : '"SHA-256"'}`
      return `Digest qop="auth", realm="${this.opts.realm}", nonce="${nonce}"${algPart}, stale="${stale ? 'TRUE' : 'FALSE'}"`
    })
  }

  verify(method: string, header: string | undefined, lookup: (user: string) => string | undefined): AuthResult {
    if (!header) return { ok: false, reason: 'missing' }
    if (!/^digest\s/i.test(header)) return { ok: false, reason: 'scheme' }
    const p = parseParams(header.slice(7))
    const alg = (p.algorithm ?? 'MD5').toUpperCase() as DigestAlgorithm
    if (!this.opts.algorithms.includes(alg) || p.realm !== this.opts.realm || !p.nonce || !p.uri || !p.response || !p.username) {
      return { ok: false, reason: 'bad', user: p.username }
    }
    const password = lookup(p.username)
    if (password === undefined) return { ok: false, reason: 'bad', user: p.username }
    const ha1 = H(alg, `${p.username}:${p.realm}:${password}`)
    const ha2 = H(alg, `${method}:${p.uri}`)
    const expected = p.qop ? H(alg, `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : H(alg, `${ha1}:${p.nonce}:${ha2}`)
    if (expected !== p.response.toLowerCase()) return { ok: false, reason: 'bad', user: p.username }
    const issued = this.nonces.get(p.nonce)
    // Unknown nonces (from before a reboot) are treated like expired ones: the password was
    // right, so the client only needs a fresh nonce.
    if (issued === undefined || this.clock.now() - issued > this.opts.nonceTtlMs) return { ok: false, reason: 'stale', user: p.username }
    return { ok: true, user: p.username }
  }

  private remember(nonce: string): void {
    this.nonces.set(nonce, this.clock.now())
    if (this.nonces.size > 2000) {
      const oldest = this.nonces.keys().next().value
      if (oldest !== undefined) this.nonces.delete(oldest)
    }
  }
}

export function parseBasic(header: string | undefined): { user: string; password: string } | null {
  if (!header || !/^basic\s/i.test(header)) return null
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const i = decoded.indexOf(':')
  return i < 0 ? null : { user: decoded.slice(0, i), password: decoded.slice(i + 1) }
}
