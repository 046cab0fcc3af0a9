// Reusable fuzz-value generators (issue 7): deterministic from a seed, so a failure
// prints the seed and replays exactly. Used by the contract fuzz tests on both
// transports; device engineers can use `mutateText` / `randomJson` / `hostileImages`
// for device replies (2N JSON, ISAPI XML, ONVIF SOAP).
//
//   const r = rng(42)
//   for (const p of payloadsFor(jsonSchema, r, 1000)) dispatch(method, p)

export type Rng = () => number

/** mulberry32: small, fast, good enough to explore inputs; same seed, same sequence. */
export function rng(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const own = (o: object, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]
export const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1))

export const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', 'a', '0', '-1', 'null', 'undefined', 'true', '[]', '{}', '__proto__', 'constructor', 'prototype',
  "' OR 1=1 --", '"; DROP TABLE tickets; --', '%', '_', '\\', '../../../../etc/passwd', 'C:\\Windows\\system32',
  '<script>alert(1)</script>', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
  '\u0000', 'a\u0000b', '\r\n\r\nHTTP/1.1 200 OK', '\ud800', '\uffff', '\u202eevil', '😀'.repeat(50), 'Ωmega ñ Dvořák 漢字',
  '1e309', 'NaN', 'Infinity', '2026-02-30T25:61:61Z', '0000-00-00T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-11-22T04:00:00.000Z',
  'x'.repeat(201), 'x'.repeat(5000), 'AAAA', '====', '${jndi:ldap://127.0.0.1/a}', '{{7*7}}', '%s%s%s%n',
]
export const BOUNDARY_NUMBERS: readonly number[] = [
  0, -0, 1, -1, 2, 3, 0.5, -0.5, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1e308, -1e308, Number.MIN_VALUE, Number.EPSILON,
]
/** Only reachable without JSON (the IPC/dispatcher path): values JSON cannot carry. */
export const NON_JSON_VALUES: readonly unknown[] = [NaN, Infinity, -Infinity, undefined, 10n, Symbol('x'), () => 1, new Date(0), new Map(), /re/, new Uint8Array(3)]

export function randomString(r: Rng): string {
  switch (int(r, 0, 4)) {
    case 0:
      return pick(r, HOSTILE_STRINGS)
    case 1:
      return Array.from({ length: int(r, 0, 40) }, () => String.fromCharCode(int(r, 0, 0xffff))).join('')
    case 2:
      return Array.from({ length: int(r, 1, 20) }, () => String.fromCharCode(int(r, 0x20, 0x7e))).join('')
    case 3:
      return String(pick(r, BOUNDARY_NUMBERS))
    default:
      return pick(r, HOSTILE_STRINGS).repeat(int(r, 1, 50))
  }
}

/** Any JSON value, nested up to `depth`, biased to boundaries and hostile strings. */
export function randomJson(r: Rng, depth = 3): unknown {
  const k = int(r, 0, depth > 0 ? 7 : 4)
  switch (k) {
    case 0:
      return null
    case 1:
      return r() < 0.5
    case 2:
      return r() < 0.7 ? pick(r, BOUNDARY_NUMBERS) : (r() - 0.5) * 10 ** int(r, 0, 12)
    case 3:
    case 4:
      return randomString(r)
    case 5:
      return Array.from({ length: int(r, 0, 5) }, () => randomJson(r, depth - 1))
    default: {
      const o: Record<string, unknown> = {}
      // defineProperty: an own "__proto__" key, as JSON.parse makes, not a prototype change.
      for (let i = int(r, 0, 5); i > 0; i--) own(o, r() < 0.2 ? pick(r, ['__proto__', 'constructor', 'id', 'ticketId', 'pin', 'password']) : randomString(r).slice(0, 30), randomJson(r, depth - 1))
      return o
    }
  }
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0))
const filled = (n: number, v: number) => new Uint8Array(n).fill(v)
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
/** Standard base64 (shared/ has no Buffer). */
export function toBase64(b: Uint8Array): string {
  let out = ''
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0)
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < b.length ? B64[n & 63] : '=')
  }
  return out
}

/** Bytes that claim to be images but are not quite: truncated, wrong headers, huge dimensions. */
export function hostileImages(r: Rng): Uint8Array {
  const be32 = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255)
  const png = (w: number, h: number) =>
    concat(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), be32(13), latin1('IHDR'), be32(w), be32(h), Uint8Array.of(8, 6, 0, 0, 0), filled(4 + int(r, 0, 64), 0))
  const jpegSof = (w: number, h: number) => Uint8Array.of(0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 255, w >> 8, w & 255, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9)
  switch (int(r, 0, 6)) {
    case 0:
      return png(0xffffff, 0xffffff) // 2^48 pixels claimed
    case 1:
      return png(int(r, 0, 3), int(r, 0, 3))
    case 2:
      return jpegSof(65535, 65535)
    case 3:
      return Uint8Array.of(0xff, 0xd8, 0xff) // a JPEG that ends at once
    case 4:
      return concat(latin1('RIFF\0\0\0\0WEBPVP8 '), filled(int(r, 0, 40), 0xff))
    case 5:
      return concat(latin1('\0\0\0\x18ftypheic'), filled(int(r, 0, 100), 7))
    default:
      return Uint8Array.from({ length: int(r, 1, 300) }, () => int(r, 0, 255))
  }
}

/** Damages a text (a device reply): truncation, byte flips, duplicated or deleted spans, injected markup. */
export function mutateText(text: string, r: Rng): string {
  let s = text
  for (let i = int(r, 1, 4); i > 0; i--) {
    const at = int(r, 0, s.length)
    switch (int(r, 0, 5)) {
      case 0:
        s = s.slice(0, at)
        break
      case 1:
        s = s.slice(0, at) + String.fromCharCode(int(r, 0, 255)) + s.slice(at + 1)
        break
      case 2:
        s = s.slice(0, at) + s.slice(at, at + int(r, 1, 50)).repeat(int(r, 2, 20)) + s.slice(at)
        break
      case 3:
        s = s.slice(0, at) + s.slice(at + int(r, 1, 50))
        break
      case 4:
        s = s.slice(0, at) + pick(r, HOSTILE_STRINGS) + s.slice(at)
        break
      default:
        s = s.slice(0, at) + JSON.stringify(randomJson(r, 2)) + s.slice(at)
    }
  }
  return s
}

type JsonSchema = {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  enum?: unknown[]
  const?: unknown
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  pattern?: string
  format?: string
  additionalProperties?: boolean | JsonSchema
}

/** A value near the schema: often valid, often just outside a bound, sometimes the wrong type. */
export function nearValue(s: JsonSchema, r: Rng, depth = 0): unknown {
  if (r() < 0.08 || depth > 4) return randomJson(r, 1)
  const alts = s.anyOf ?? s.oneOf
  if (alts?.length) return nearValue(pick(r, alts), r, depth + 1)
  if (s.const !== undefined) return r() < 0.85 ? s.const : randomJson(r, 0)
  if (s.enum) return r() < 0.85 ? pick(r, s.enum) : randomString(r)
  const type = Array.isArray(s.type) ? pick(r, s.type) : s.type
  switch (type) {
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000)
      const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1000)
      return pick(r, [lo, hi, lo - 1, hi + 1, int(r, 1, 5), int(r, 1, 5), pick(r, BOUNDARY_NUMBERS), type === 'integer' ? 1.5 : 0.25])
    }
    case 'string': {
      if (s.pattern?.includes('A-Za-z0-9+/')) return r() < 0.7 ? toBase64(hostileImages(r)) : randomString(r)
      if (s.format === 'date-time') return r() < 0.6 ? new Date(Date.now() - int(r, -1e9, 1e10)).toISOString() : randomString(r)
      const max = s.maxLength ?? 300
      const min = s.minLength ?? 0
      return pick(r, ['x'.repeat(Math.max(0, min - 1)), 'x'.repeat(Math.min(max, 10_000)), 'x'.repeat(max + 1), randomString(r), randomString(r), 'ok'])
    }
    case 'boolean':
      return r() < 0.9 ? r() < 0.5 : randomJson(r, 0)
    case 'null':
      return null
    case 'array': {
      const n = pick(r, [0, 1, 2, s.minItems ?? 0, (s.maxItems ?? 5) + 1].filter((x) => x <= 600))
      return Array.from({ length: n }, () => (s.items ? nearValue(s.items, r, depth + 1) : randomJson(r, 1)))
    }
    case 'object': {
      const o: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        const required = s.required?.includes(k)
        if (required ? r() < 0.95 : r() < 0.5) o[k] = nearValue(v, r, depth + 1)
      }
      if (r() < 0.1) own(o, pick(r, ['extra', '__proto__', 'constructor']), randomJson(r, 1))
      return o
    }
    default:
      return randomJson(r, 2)
  }
}

/** `n` payloads for one method: a mix of near-schema values and pure noise. */
export function* payloadsFor(schema: object, r: Rng, n: number): Generator<unknown> {
  for (let i = 0; i < n; i++) yield r() < 0.75 ? nearValue(schema as JsonSchema, r) : randomJson(r, 3)
}
