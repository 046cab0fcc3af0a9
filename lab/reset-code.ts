// SIMULATED reset-QR payload and security code, shared by the simulated NVRs and the
// simulated vendor reset service. The real 2M/Uniview format and code algorithm are not
// public (nvr-reset.md §3); this follows the team's proposal in §6 so the console can be
// built and tested end to end:
//
//   payload = "2MSIM1:" + base64url(JSON {v, serial, mac, model, nonce, issuedAt}) + "." + base64url(HMAC-SHA256(vendorKey, "2MSIM1:" + <json part>))
//   code_k  = 8 characters of HMAC-SHA256(vendorKey, "code|k|serial|nonce") over a 62-letter alphabet, k = 1 or 2
//
// The alphabet keeps 0/O and 1/l/I on purpose: codes are case sensitive and easy to mistype,
// which is the support problem the console must handle.
import { createHmac, timingSafeEqual } from 'node:crypto'

export const PAYLOAD_PREFIX = '2MSIM1:'
export const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
export const CODE_LENGTH = 8
/** Codes a single QR can yield (Dahua rule, nvr-reset.md §5). */
export const CODES_PER_QR = 2
export const PAYLOAD_VALIDITY_MS = 24 * 3600_000

export interface ResetPayload { v: 1; serial: string; mac: string; model: string; nonce: string; issuedAt: string }

const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url')

export function encodePayload(p: ResetPayload, key: Buffer): string {
  const body = PAYLOAD_PREFIX + b64u(JSON.stringify(p))
  return `${body}.${b64u(createHmac('sha256', key).update(body).digest())}`
}

export type Decoded = { ok: true; payload: ResetPayload } | { ok: false; reason: 'malformed' | 'signature' }

export function decodePayload(text: string, key: Buffer): Decoded {
  const s = text.trim()
  const m = /^2MSIM1:([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(s)
  if (!m) return { ok: false, reason: 'malformed' }
  let p: ResetPayload
  try {
    p = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'))
  } catch {
    return { ok: false, reason: 'malformed' }
  }
  if (!p || p.v !== 1 || typeof p.serial !== 'string' || typeof p.nonce !== 'string' || typeof p.issuedAt !== 'string' || Number.isNaN(Date.parse(p.issuedAt))) {
    return { ok: false, reason: 'malformed' }
  }
  const want = createHmac('sha256', key).update(PAYLOAD_PREFIX + m[1]).digest()
  const got = Buffer.from(m[2], 'base64url')
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'signature' }
  return { ok: true, payload: p }
}

export function securityCode(key: Buffer, serial: string, nonce: string, index: number): string {
  const mac = createHmac('sha256', key).update(`code|${index}|${serial}|${nonce}`).digest()
  let s = ''
  for (let i = 0; i < CODE_LENGTH; i++) s += CODE_ALPHABET[mac[i] % CODE_ALPHABET.length]
  return s
}
