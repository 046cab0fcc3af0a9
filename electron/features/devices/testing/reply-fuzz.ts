// Test helpers for fuzzing device replies (issue 7): structural mutations of JSON and XML
// replies on top of shared/testing/fuzz's `mutateText`, hostile HTTP envelopes (status,
// content type, transport faults), a tiny loopback HTTP server that answers each request
// with whatever the test decides, and the checks every driver call must pass (settles in
// time; a valid result or an AppError an agent can read, never a raw TypeError/RangeError).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { AppError, ErrorCode } from '../../../../shared/contract/common'
import { HOSTILE_STRINGS, int, mutateText, pick, randomJson, randomString, type Rng } from '../../../../shared/testing/fuzz'

// ---- body mutations -------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
type Slot = { get: () => Json; set: (v: Json) => void; del: () => void }

/** Every value of a JSON document as a slot that can be read, replaced or deleted. */
function slots(root: { v: Json }): Slot[] {
  const out: Slot[] = []
  const walk = (holder: Record<string, Json> | Json[], key: string | number) => {
    const v = (holder as Record<string, Json>)[key as string]
    out.push({
      get: () => v,
      set: (x) => Object.defineProperty(holder, key, { value: x, enumerable: true, writable: true, configurable: true }),
      del: () => (Array.isArray(holder) ? holder.splice(Number(key), 1) : delete (holder as Record<string, Json>)[key as string]),
    })
    if (v && typeof v === 'object') for (const k of Object.keys(v)) walk(v as Record<string, Json>, Array.isArray(v) ? Number(k) : k)
  }
  walk(root as unknown as Record<string, Json>, 'v')
  return out
}

const deep = (n: number, leaf: string, open = '[', close = ']') => open.repeat(n) + leaf + close.repeat(n)
// Big enough to overflow any message or field a person reads, small enough to fuzz thousands of times.
const huge = (r: Rng) => pick(r, ['x', '\u00e9', '\u0000', '\\u0000', '"', '😀', 'A1']).repeat(int(r, 2000, 40_000))
/** Mostly one mutation, sometimes two or three: replies that are almost right reach the deepest code. */
const rounds = (r: Rng) => (r() < 0.6 ? 1 : r() < 0.75 ? 2 : 3)

/** Values that are well-formed but wrong: boundaries, wrong types, hostile and oversized text. */
function wrongValue(r: Rng): Json {
  switch (int(r, 0, 4)) {
    case 0:
      return pick(r, [0, -1, 1.5, -0.5, 2 ** 31, 2 ** 53, 1e21, 1e308, -1e308, 253402300800, 8.64e15])
    case 1:
      return pick(r, [true, false, null, '', ' ', [], {}, '0', '1e309', 'NaN', '-1'])
    case 2:
      return pick(r, HOSTILE_STRINGS)
    case 3:
      return huge(r)
    default:
      return randomJson(r, 1) as Json
  }
}

/** Structural damage to a JSON reply: wrong types, missing and extra fields, deep nesting, huge strings. */
export function mutateJson(text: string, r: Rng): string {
  let doc: Json
  try {
    doc = JSON.parse(text) as Json
  } catch {
    return mutateText(text, r)
  }
  const root = { v: doc }
  if (r() < 0.35) {
    // Only one value wrong, the rest intact: reaches the checks behind the envelope.
    const leaves = slots(root).filter((x) => { const v = x.get(); return v === null || typeof v !== 'object' })
    if (leaves.length) pick(r, leaves).set(wrongValue(r))
    return JSON.stringify(root.v)
  }
  for (let i = rounds(r); i > 0; i--) {
    const all = slots(root)
    const s = pick(r, all.length > 1 ? all.slice(1) : all)
    switch (int(r, 0, 9)) {
      case 0:
        s.set(randomJson(r, 2) as Json) // a wrong type or a hostile value
        break
      case 1:
        s.del()
        break
      case 2:
        s.set(huge(r))
        break
      case 3:
        s.set(JSON.parse(deep(int(r, 10, 2000), '1')) as Json)
        break
      case 4:
        s.set(pick(r, [true, false, 'true', 1, 0, null, '', [], {}, -1, 2 ** 53, 1e308, -1e308, 1.5, 'NaN']))
        break
      case 5:
        s.set((s.get() !== null && typeof s.get() === 'object' ? JSON.stringify(s.get()) : String(s.get())) as Json) // a number or object sent as a string
        break
      case 6: {
        const o = s.get()
        if (o && typeof o === 'object' && !Array.isArray(o)) Object.defineProperty(o, pick(r, ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'then']), { value: randomJson(r, 1), enumerable: true, writable: true, configurable: true })
        else s.set([s.get(), s.get()])
        break
      }
      case 7:
        s.set(pick(r, HOSTILE_STRINGS))
        break
      case 8:
        if (r() < 0.3) root.v = pick(r, [[root.v], `${JSON.stringify(root.v)}`, 0, null, true, []] as Json[])
        break
      default:
        s.set(randomString(r))
    }
  }
  let out = JSON.stringify(root.v) ?? 'null'
  // Text-level damage JSON.stringify cannot produce.
  switch (int(r, 0, 19)) {
    case 0:
      return deep(int(r, 1000, 50_000), out)
    case 1:
      return out.replace(/:(-?\d+(?:\.\d+)?)/, ':1e400') // a number beyond double range
    case 2:
      return out.replace(/^\{/, '{"success":false,') // duplicate keys: the last one wins
    case 3:
      return '\ufeff' + out
    case 4:
      out = mutateText(out, r)
      return out
    default:
      return out
  }
}

const XML_ENTITY_BOMB = `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>`
const XML_EXTERNAL = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>`
const BAD_ENTITIES = ['&x;', '&amp', '&#0;', '&#xD800;', '&#99999999;', '&#x110000;', '&;', '&&', '&lt', '&#;', '&#x;', '&e;', '&g;', '&nbsp;', '&copy;']

export const HTML_PAGES: readonly string[] = [
  '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>',
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
  '<!doctype html><html><body><form method="post" action="/login"><input name="username"><input name="password" type="password"><button>Log in</button></form></body></html>',
  '<html><head><meta http-equiv="refresh" content="0; url=http://10.0.0.1/portal"></head><body>Redirecting to the hotspot login</body></html>',
  '<HTML><BODY>500 Internal Server Error<SCRIPT>alert(1)</SCRIPT></BODY></HTML>',
  'Forbidden',
  '',
]

/** A random element (its whole `<tag …>…</tag>` or `<tag/>` span) of an XML text. */
function elementSpan(xml: string, r: Rng): { start: number; end: number; name: string; inner: [number, number] | null } | null {
  const opens = [...xml.matchAll(/<([A-Za-z_][\w.:-]*)(\s[^<>]*?)?(\/?)>/g)]
  if (!opens.length) return null
  for (let tries = 0; tries < 5; tries++) {
    const m = pick(r, opens)
    const start = m.index
    const name = m[1]
    if (m[3] === '/') return { start, end: start + m[0].length, name, inner: null }
    const close = xml.indexOf(`</${name}>`, start + m[0].length)
    if (close < 0) continue
    return { start, end: close + name.length + 3, name, inner: [start + m[0].length, close] }
  }
  return null
}

const xmlEsc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Structural damage to an XML or SOAP reply: truncation at tags, bad entities, entity bombs, deep nesting, no envelope, duplicated or emptied elements, huge text. */
export function mutateXml(text: string, r: Rng): string {
  if (r() < 0.35) {
    // Only one element's text wrong, still well-formed: reaches the checks behind the parser.
    const leaves = [...text.matchAll(/<([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?>([^<]*)<\/\1>/g)]
    if (leaves.length) {
      const m = pick(r, leaves)
      const open = m[0].indexOf('>') + 1
      const inner = m.index + open
      const v = wrongValue(r)
      return text.slice(0, inner) + xmlEsc(typeof v === 'string' ? v : JSON.stringify(v)) + text.slice(inner + m[2].length)
    }
  }
  let s = text
  for (let i = rounds(r); i > 0 && s.length < 1_000_000; i--) {
    const el = elementSpan(s, r)
    switch (int(r, 0, 14)) {
      case 0: {
        // Cut at a tag boundary: well-formed up to there, then nothing.
        const cuts = [...s.matchAll(/</g)].map((m) => m.index)
        if (cuts.length) s = s.slice(0, pick(r, cuts))
        break
      }
      case 1:
        if (el?.inner) s = s.slice(0, el.inner[0]) + pick(r, BAD_ENTITIES) + s.slice(el.inner[1])
        break
      case 2: {
        // A DOCTYPE with an entity bomb or external entities, used inside an element.
        const decl = s.match(/^<\?xml[^>]*\?>/)?.[0] ?? ''
        const body = s.slice(decl.length)
        const bomb = r() < 0.5
        s = decl + (bomb ? XML_ENTITY_BOMB : XML_EXTERNAL) + body
        if (el?.inner) {
          const shift = (bomb ? XML_ENTITY_BOMB : XML_EXTERNAL).length
          s = s.slice(0, el.inner[0] + shift) + (bomb ? '&g;' : '&x;') + s.slice(el.inner[1] + shift)
        }
        break
      }
      case 3:
        if (el?.inner) s = s.slice(0, el.inner[0]) + deep(int(r, 100, 10_000), s.slice(el.inner[0], el.inner[1]), '<a>', '</a>') + s.slice(el.inner[1])
        break
      case 4: {
        // The envelope (or the document element) removed: only what was inside it.
        const m = s.match(/<(?:\w+:)?Body[^>]*>([\s\S]*)<\/(?:\w+:)?Body>/)
        if (m && r() < 0.7) s = m[1]
        else if (el?.inner) s = s.slice(el.inner[0], el.inner[1])
        break
      }
      case 5:
        if (el) s = s.slice(0, el.start) + s.slice(el.end) // a required element missing
        break
      case 6:
        if (el) s = s.slice(0, el.end) + s.slice(el.start, el.end).repeat(int(r, 1, 30)) + s.slice(el.end) // one element becomes many
        break
      case 7:
        if (el?.inner) s = s.slice(0, el.inner[0]) + pick(r, ['', ' ', '<![CDATA[<b>&]]>', '<!-- x -->', '<x/>', `<${el.name}>nested</${el.name}>`, '<?pi x?>', huge(r).replace(/[<&]/g, '')]) + s.slice(el.inner[1])
        break
      case 8:
        if (el?.inner) s = s.slice(0, el.inner[0]) + randomString(r).replace(/[<&]/g, r() < 0.8 ? '' : '&') + s.slice(el.inner[1])
        break
      case 9:
        if (el) s = s.slice(0, el.start) + `<${el.name} ${pick(r, ['a="1"', 'xmlns=""', 'xmlns:s="urn:x"', '@a="1"', 'a="<"', 'a=1', '#text="x"', '__proto__="x"', 'a="1" a="2"'])}>${el.inner ? s.slice(el.inner[0], el.inner[1]) : ''}</${el.name}>` + s.slice(el.end)
        break
      case 10:
        if (el) s = s.slice(0, el.start) + `<${el.name}/>` + s.slice(el.end)
        break
      case 11: {
        // Rename an element (wrong root, wrong response, namespace prefix games).
        if (!el) break
        const to = pick(r, ['x', 'Fault', 'ResponseStatus', 'Envelope', 'Body', 'html', `s:${el.name}`, `${el.name}Response`, '__proto__', 'constructor', el.name.toLowerCase()])
        s = s.slice(0, el.start) + s.slice(el.start, el.end).replace(new RegExp(`^<${el.name}`), `<${to}`).replace(new RegExp(`</${el.name}>$`), `</${to}>`) + s.slice(el.end)
        break
      }
      case 12:
        s = s.replace(/encoding="[^"]*"/, `encoding="${pick(r, ['UTF-16', 'ISO-8859-1', 'klingon', ''])}"`)
        break
      case 13:
        s = pick(r, [...HTML_PAGES, JSON.stringify(randomJson(r, 2)) ?? '', s.slice(0, int(r, 0, 10))])
        break
      default:
        s = mutateText(s, r)
    }
  }
  return s
}

/** Byte-level damage a string cannot carry: invalid UTF-8, UTF-16, NUL bytes. */
export function mutateBytes(text: string, r: Rng): Buffer {
  const b = Buffer.from(text, 'utf8')
  switch (int(r, 0, 4)) {
    case 0:
      return Buffer.from(text, 'utf16le')
    case 1:
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    case 2: {
      const c = Buffer.from(b)
      for (let i = int(r, 1, 8); i > 0 && c.length; i--) c[int(r, 0, c.length - 1)] = pick(r, [0x00, 0x80, 0xc0, 0xff, 0xfe, 0xed])
      return c
    }
    case 3:
      return Buffer.concat([b.subarray(0, int(r, 0, b.length)), Buffer.from([0xe2, 0x82])]) // cut inside a UTF-8 sequence
    default:
      return Buffer.from(Array.from({ length: int(r, 0, 400) }, () => int(r, 0, 255)))
  }
}

// ---- HTTP replies -----------------------------------------------------------------------------

/** How the server delivers a reply: normally, or with a transport fault. */
export type Delivery = 'normal' | 'truncate' | 'reset' | 'hang' | 'drip' | 'huge' | 'gzip-garbage' | 'raw-garbage' | 'bad-chunked' | 'close-early'

export interface FuzzReply {
  status: number
  headers: Record<string, string>
  body: string | Buffer
  delivery?: Delivery
}

export interface Captured {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** A real device reply kept as the base that the mutators damage. */
export const toCap = (r: Captured): Captured => ({ status: r.status, headers: r.headers, body: r.body })

const CONTENT_TYPES = ['text/html', 'text/html; charset=utf-8', 'application/json', 'application/xml', 'text/xml', 'application/soap+xml; charset=utf-8', 'text/plain', 'application/octet-stream', 'x/y; charset=klingon', 'multipart/form-data; boundary=', '']

/** The captured reply with a damaged body, and sometimes another status or content type. */
export function hostileReply(base: Captured, kind: 'json' | 'xml', r: Rng): FuzzReply {
  const text = base.body.toString('utf8')
  const headers: Record<string, string> = { 'Content-Type': String(base.headers['content-type'] ?? '') }
  let body: string | Buffer
  const k = r()
  if (k < 0.08) body = pick(r, HTML_PAGES)
  else if (k < 0.16) body = mutateBytes(text, r)
  else if (k < 0.3) body = mutateText(text, r)
  else body = kind === 'json' ? mutateJson(text, r) : mutateXml(text, r)
  if (r() < 0.15) headers['Content-Type'] = pick(r, CONTENT_TYPES)
  if (!headers['Content-Type']) delete headers['Content-Type']
  const status = r() < 0.85 ? base.status : pick(r, [200, 200, 204, 302, 400, 401, 403, 404, 500, 503])
  if (status === 302) headers.Location = pick(r, ['http://10.0.0.1/login', '/login', 'javascript:alert(1)'])
  if (status === 401 && r() < 0.7) headers['WWW-Authenticate'] = hostileChallenge(r)
  return { status, headers, body }
}

const GOOD_CHALLENGES = [
  'Digest qop="auth", realm="HTTP API", nonce="bc6ed991f9e1c66c17948b89f918318e", algorithm=MD5, stale="FALSE"',
  'Digest qop="auth", realm="NVR", nonce="14e74f0d5851f61f8da2ca189b53dbc5", stale="FALSE", Digest qop="auth", realm="NVR", nonce="f72c4017de6c11d111c66d5a1afd2613", algorithm="SHA-256", stale="FALSE"',
  'Basic realm="HTTP API"',
]

/** A WWW-Authenticate value: real ones, damaged ones, unknown schemes and algorithms. */
export function hostileChallenge(r: Rng): string {
  const base = pick(r, GOOD_CHALLENGES)
  switch (int(r, 0, 6)) {
    case 0:
      return base
    case 1:
      return mutateText(base, r).replace(/[\r\n\0]/g, ' ') // a header cannot carry CR, LF or NUL
    case 2:
      return pick(r, ['Bearer realm="x"', 'Negotiate', 'NTLM', 'Digest', 'Basic', 'Digest algorithm=SHA-512-256, nonce="1"', 'Digest algorithm="MD5-sess", qop="auth-int", nonce="1"', 'Digest stale=true, nonce="n"', 'digest NONCE="a"', ', , ,', 'x'.repeat(6000)])
    case 3:
      return `Digest realm="${'\\"'.repeat(int(r, 1, 500))}", nonce="${randomString(r).replace(/[\r\n\0\u0100-\uffff]/g, '')}"`
    case 4:
      return base.replace(/nonce="[^"]*"/, `nonce="${pick(r, ['', '"', '\\', 'a'.repeat(10_000)])}"`)
    case 5:
      return `${base}, ${base}, Digest stale="true", nonce="again"`
    default:
      return base.replace(/algorithm=[^,]*/, `algorithm=${pick(r, ['SHA-256-sess', 'sha-256', 'MD5-SESS', 'SHA-1', '', '"'])}`)
  }
}

/** A reply that breaks at the transport level (for drivers with short timeouts). */
export function transportFault(r: Rng, body = '{"success":true,"result":{}}'): FuzzReply {
  const delivery = pick<Delivery>(r, ['truncate', 'reset', 'hang', 'drip', 'huge', 'gzip-garbage', 'raw-garbage', 'bad-chunked', 'close-early'])
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body, delivery }
}

// ---- a loopback server answering with what the test decides ---------------------------------

export interface SeenRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
}

export interface FuzzServer {
  host: string
  port: number
  /** What to answer to the next requests (called once per request). */
  answer: (f: (req: SeenRequest) => FuzzReply) => void
  requests: number
  close(): Promise<void>
}

export async function fuzzServer(host: string): Promise<FuzzServer> {
  let decide: (req: SeenRequest) => FuzzReply = () => ({ status: 500, headers: {}, body: '' })
  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t)
      f()
    }, ms)
    timers.add(t)
  }
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('error', () => {})
    res.on('error', () => {})
    req.on('end', () => {
      state.requests++
      const reply = decide({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      // Node refuses to send header values with characters outside Latin-1 or control characters.
      for (const [k, v] of Object.entries(reply.headers)) reply.headers[k] = v.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?')
      const body = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body, 'utf8')
      const sock = req.socket
      switch (reply.delivery ?? 'normal') {
        case 'normal':
          res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(body.length) })
          res.end(body)
          return
        case 'truncate':
          // Promises more bytes than it sends, then closes.
          res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(body.length + 100) })
          res.write(body.subarray(0, Math.floor(body.length / 2)))
          later(5, () => sock.destroy())
          return
        case 'reset':
          sock.destroy()
          return
        case 'close-early':
          res.writeHead(reply.status, reply.headers)
          res.flushHeaders()
          later(5, () => sock.destroy())
          return
        case 'hang':
          return // never answers; the client's idle timeout must fire
        case 'drip': {
          // A byte every 60 ms: never idle long enough for the idle timeout, so only the total limit ends it.
          res.writeHead(reply.status, { ...reply.headers, 'Content-Length': '100000' })
          const tick = () => {
            if (sock.destroyed) return
            res.write('x')
            later(60, tick)
          }
          tick()
          return
        }
        case 'huge': {
          res.writeHead(reply.status, reply.headers)
          const mb = Buffer.alloc(1024 * 1024, 0x61)
          let n = 0
          const pump = () => {
            while (n++ < 20 && !sock.destroyed) if (!res.write(mb)) return void res.once('drain', pump)
            res.end()
          }
          pump()
          return
        }
        case 'gzip-garbage':
          res.writeHead(reply.status, { ...reply.headers, 'Content-Encoding': 'gzip', 'Content-Length': String(body.length) })
          res.end(body) // not gzip at all
          return
        case 'raw-garbage':
          sock.end(Buffer.concat([Buffer.from('HTTP/1.1 2OO OK\r\nContent-Length: -5\r\nX: \u0000\r\n\r\n'), gzipSync(body)]))
          return
        case 'bad-chunked':
          sock.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZZ\r\n{"success":true}\r\n0\r\n')
          return
      }
    })
  })
  srv.on('clientError', (_e, s) => s.destroy())
  await new Promise<void>((resolve) => srv.listen(0, host, () => resolve()))
  const state: FuzzServer = {
    host,
    port: (srv.address() as AddressInfo).port,
    requests: 0,
    answer: (f) => {
      decide = f
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t)
        srv.closeAllConnections()
        srv.close(() => resolve())
      }),
  }
  return state
}

// ---- what every driver call must do ----------------------------------------------------------

export type Outcome<T> = { ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number }

/** Runs `f`, and reports a hang (no settlement within `boundMs`) as a failure instead of waiting for it. */
export async function settle<T>(f: () => Promise<T>, boundMs: number): Promise<Outcome<T> | { hang: true; ms: number }> {
  const t0 = performance.now()
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<{ hang: true; ms: number }>((resolve) => (timer = setTimeout(() => resolve({ hang: true, ms: performance.now() - t0 }), boundMs)))
  const run = (async () => {
    try {
      return { ok: true as const, value: await f(), ms: performance.now() - t0 }
    } catch (error) {
      return { ok: false as const, error, ms: performance.now() - t0 }
    }
  })()
  const out = await Promise.race([run, hang])
  clearTimeout(timer)
  return out
}

// C0/C1 controls and bidirectional overrides: they would garble the console, a log or a terminal.
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/
export const MAX_MESSAGE = 1200

/** Why `e` is not an error an agent can act on, or null when it is. */
export function unreadableError(e: unknown, allowed: readonly string[] = ['DEVICE', 'UNREACHABLE', 'UNAUTHORIZED', 'FORBIDDEN', 'LOCKOUT_RISK', 'NOT_FOUND']): string | null {
  if (!(e instanceof AppError)) return `threw ${(e as Error)?.name ?? typeof e} instead of an AppError: ${String((e as Error)?.message ?? e).slice(0, 200)}`
  if (!ErrorCode.safeParse(e.code).success || !allowed.includes(e.code)) return `unexpected error code ${e.code}: ${e.message.slice(0, 200)}`
  if (!e.message.trim()) return 'AppError with an empty message'
  if (e.message.length > MAX_MESSAGE) return `message of ${e.message.length} characters (device text not shortened): ${e.message.slice(0, 120)}…`
  if (CONTROL.test(e.message)) return `message carries control characters from the device: ${JSON.stringify(e.message.slice(0, 200))}`
  if (/\[object Object\]/.test(e.message)) return `message shows an object: ${e.message.slice(0, 200)}`
  for (let c: unknown = e.cause, depth = 0; c && depth < 8; c = (c as Error).cause, depth++) {
    if (c instanceof TypeError || c instanceof RangeError || c instanceof ReferenceError) return `AppError wraps a programming error: ${(c as Error).name}: ${(c as Error).message.slice(0, 200)}`
  }
  return null
}

/** Why a device-supplied text is unfit to show (too long, control characters), or null. */
export function unreadableText(s: string, what: string): string | null {
  if (s.length > MAX_MESSAGE) return `${what} of ${s.length} characters`
  if (CONTROL.test(s)) return `${what} carries control characters: ${JSON.stringify(s.slice(0, 200))}`
  return null
}

/** Collects unhandled rejections and uncaught exceptions while fuzzing (a crash must fail the test, with the seed). */
export function watchProcess(): { problems: string[]; stop(): void } {
  const problems: string[] = []
  const onRej = (e: unknown) => problems.push(`unhandled rejection: ${String((e as Error)?.stack ?? e).slice(0, 400)}`)
  const onExc = (e: unknown) => problems.push(`uncaught exception: ${String((e as Error)?.stack ?? e).slice(0, 400)}`)
  process.on('unhandledRejection', onRej)
  process.on('uncaughtException', onExc)
  return {
    problems,
    stop: () => {
      process.off('unhandledRejection', onRej)
      process.off('uncaughtException', onExc)
    },
  }
}
