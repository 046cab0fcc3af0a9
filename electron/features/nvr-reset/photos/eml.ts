// A small MIME reader for .eml files the agent drops on a ticket: it only has to find the
// images in the message (attachments and inline pictures). Bounded in input size, number of
// parts and nesting depth so that a hostile or broken message cannot exhaust memory.
import { sniff, type ImageMime } from './sniff'
import { AppError } from '../../../../shared/contract/common'

export interface EmlAttachment {
  filename: string | null
  /** Content type as declared by the sender (lower case). */
  declaredType: string
  /** Image type recognised from the bytes; null when the bytes are not a supported image. */
  mime: ImageMime | null
  /** true for pictures shown in the message body (Content-Disposition inline or referenced by Content-ID). */
  inline: boolean
  contentId: string | null
  bytes: Buffer
}

export interface EmlLimits {
  maxBytes: number
  maxParts: number
  maxDepth: number
}

const DEFAULTS: EmlLimits = { maxBytes: 60 * 1024 * 1024, maxParts: 500, maxDepth: 10 }

interface Headers {
  get(name: string): string | undefined
}

function splitHeaderBody(raw: string): { head: string; body: string } {
  const m = raw.match(/\r?\n\r?\n/)
  if (m?.index === undefined) return { head: raw, body: '' }
  return { head: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) }
}

function parseHeaders(head: string): Headers {
  const map = new Map<string, string>()
  // Unfold continuation lines (RFC 5322 §2.2.3), then split name: value.
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':')
    if (i <= 0) continue
    const name = line.slice(0, i).trim().toLowerCase()
    if (!map.has(name)) map.set(name, line.slice(i + 1).trim())
  }
  return { get: (n) => map.get(n) }
}

/** `type/sub; a=b; c="d"` -> value and parameters, with RFC 2231 `name*=` and `name*0*=` continuations. */
export function parseParams(value: string): { value: string; params: Map<string, string> } {
  const parts: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    if (c === '"') quoted = !quoted
    if (c === '\\' && quoted && i + 1 < value.length) {
      cur += value[++i]
      continue
    }
    if (c === ';' && !quoted) {
      parts.push(cur)
      cur = ''
    } else cur += c
  }
  parts.push(cur)
  const params = new Map<string, string>()
  const continued = new Map<string, { idx: number; val: string; ext: boolean }[]>()
  for (const p of parts.slice(1)) {
    const i = p.indexOf('=')
    if (i <= 0) continue
    let key = p.slice(0, i).trim().toLowerCase()
    let val = p.slice(i + 1).trim()
    if (val.startsWith('"') && val.endsWith('"') && val.length >= 2) val = val.slice(1, -1)
    const ext = key.endsWith('*')
    if (ext) key = key.slice(0, -1)
    const m = key.match(/^(.*)\*(\d+)$/)
    if (m) {
      const list = continued.get(m[1]) ?? []
      list.push({ idx: Number(m[2]), val, ext })
      continued.set(m[1], list)
    } else params.set(key, ext ? decode2231(val, true) : val)
  }
  for (const [key, list] of continued) {
    list.sort((a, b) => a.idx - b.idx)
    const charset = list[0]?.ext ? list[0].val.match(/^([^']*)'[^']*'/)?.[1] : undefined
    const joined = list.map((x, k) => (x.ext ? pctDecodeRaw(k === 0 ? x.val.replace(/^[^']*'[^']*'/, '') : x.val) : Buffer.from(x.val, 'latin1')))
    params.set(key, decodeCharset(Buffer.concat(joined), charset ?? 'utf-8'))
  }
  return { value: parts[0].trim().toLowerCase(), params }
}

function pctDecodeRaw(s: string): Buffer {
  const out: number[] = []
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && /^[0-9a-f]{2}$/i.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16))
      i += 2
    } else out.push(s.charCodeAt(i) & 0xff)
  }
  return Buffer.from(out)
}

function decode2231(v: string, withCharset: boolean): string {
  const m = withCharset ? v.match(/^([^']*)'[^']*'(.*)$/) : null
  return m ? decodeCharset(pctDecodeRaw(m[2]), m[1] || 'utf-8') : v
}

function decodeCharset(b: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset.trim().toLowerCase() || 'utf-8').decode(b)
  } catch {
    return b.toString('latin1')
  }
}

/** RFC 2047 encoded words: `=?UTF-8?B?...?=` and `=?ISO-8859-2?Q?...?=`. */
export function decodeWords(s: string): string {
  return s
    .replace(/(=\?[^?]+\?[bq]\?[^?]*\?=)\s+(?==\?)/gi, '$1')
    .replace(/=\?([^?*]+)(?:\*[^?]*)?\?([bq])\?([^?]*)\?=/gi, (_, cs: string, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? decodeCharset(Buffer.from(text, 'base64'), cs)
        : decodeCharset(qpDecode(text.replace(/_/g, ' ')), cs),
    )
}

export function qpDecode(s: string): Buffer {
  const out = Buffer.alloc(s.length)
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x3d /* = */) {
      const hex = s.slice(i + 1, i + 3)
      if (/^[0-9a-f]{2}$/i.test(hex)) {
        out[n++] = parseInt(hex, 16)
        i += 2
        continue
      }
      // Soft line break: "=" at the end of a line.
      const soft = s.slice(i + 1, i + 80).match(/^(\r?\n|[ \t]+\r?\n)/)
      if (soft) {
        i += soft[0].length
        continue
      }
    }
    out[n++] = c & 0xff
  }
  return out.subarray(0, n)
}

function decodeBody(body: string, encoding: string | undefined): Buffer {
  const enc = (encoding ?? '7bit').trim().toLowerCase()
  if (enc === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=_-]/g, ''), 'base64')
  if (enc === 'quoted-printable') return qpDecode(body)
  // 7bit/8bit/binary: the message was read as latin1, so this round-trips bytes unchanged.
  return Buffer.from(body, 'latin1')
}

function splitMultipart(body: string, boundary: string): string[] {
  const delim = '--' + boundary
  const parts: string[] = []
  let pos = body.indexOf(delim)
  while (pos !== -1) {
    const lineEnd = body.indexOf('\n', pos)
    const after = body.slice(pos + delim.length, pos + delim.length + 2)
    if (after === '--') break // closing delimiter
    if (lineEnd === -1) break
    const next = body.indexOf('\n' + delim, lineEnd)
    const end = next === -1 ? body.length : next
    // The CRLF before the next delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    parts.push(body.slice(lineEnd + 1, end).replace(/\r$/, ''))
    if (next === -1) break // unterminated message: keep what we have
    pos = next + 1
  }
  return parts
}

/** Image attachments and inline images of an RFC 5322 message (.eml). */
export function parseEml(bytes: Uint8Array, limits: Partial<EmlLimits> = {}): EmlAttachment[] {
  const lim = { ...DEFAULTS, ...limits }
  if (bytes.length > lim.maxBytes) {
    throw new AppError('BAD_INPUT', `The e-mail file is ${(bytes.length / 1048576).toFixed(0)} MB, more than the ${(lim.maxBytes / 1048576).toFixed(0)} MB accepted. Save the photo attachments from the mail client and add them one by one.`, { key: 'photos.emlTooBig', values: { size: Math.round(bytes.length / 1048576), max: Math.round(lim.maxBytes / 1048576) } })
  }
  // latin1 keeps every byte as one char, so 8bit bodies survive the string round trip.
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  const { head } = splitHeaderBody(raw)
  if (!/^[\x21-\x39\x3b-\x7e]+:/m.test(head.slice(0, 2000))) {
    throw new AppError('BAD_INPUT', 'This file is not an e-mail message (.eml): it has no mail headers. Save the message from the mail client as .eml, or save the photos and add them directly.', { key: 'photos.notEml' })
  }
  const out: EmlAttachment[] = []
  let parts = 0
  const walk = (entity: string, depth: number, defaultType: string) => {
    if (++parts > lim.maxParts) throw new AppError('BAD_INPUT', `The e-mail has more than ${lim.maxParts} parts; it was not imported. Save the photo attachments from the mail client and add them directly.`, { key: 'photos.emlTooManyParts', values: { n: lim.maxParts } })
    if (depth > lim.maxDepth) return // deeper nesting is never a real mail; ignore it rather than recurse
    const { head, body } = splitHeaderBody(entity)
    const h = parseHeaders(head)
    const ct = parseParams(h.get('content-type') ?? defaultType)
    if (ct.value.startsWith('multipart/')) {
      const boundary = ct.params.get('boundary')
      if (!boundary) return
      const child = ct.value === 'multipart/digest' ? 'message/rfc822' : 'text/plain'
      for (const p of splitMultipart(body, boundary)) walk(p, depth + 1, child)
      return
    }
    if (ct.value === 'message/rfc822') {
      // A forwarded mail: the customer's photo is often inside it.
      const enc = (h.get('content-transfer-encoding') ?? '').toLowerCase()
      walk(enc === 'base64' || enc === 'quoted-printable' ? decodeBody(body, enc).toString('latin1') : body, depth + 1, 'text/plain')
      return
    }
    const disp = parseParams(h.get('content-disposition') ?? '')
    const rawName = disp.params.get('filename') ?? ct.params.get('name') ?? null
    const filename = rawName ? decodeWords(rawName) : null
    const looksImage = ct.value.startsWith('image/') || ct.value === 'application/octet-stream' || (filename !== null && /\.(jpe?g|png|webp|heic|heif|avif)$/i.test(filename))
    if (!looksImage) return
    const data = decodeBody(body, h.get('content-transfer-encoding'))
    const s = sniff(data)
    // An octet-stream part is kept only when its bytes really are an image.
    if (!ct.value.startsWith('image/') && s.kind !== 'image') return
    const cid = h.get('content-id')?.replace(/^<|>$/g, '') ?? null
    out.push({
      filename,
      declaredType: ct.value,
      mime: s.kind === 'image' ? s.mime : null,
      inline: disp.value === 'inline' || (disp.value !== 'attachment' && cid !== null),
      contentId: cid,
      bytes: data,
    })
  }
  walk(raw, 0, 'text/plain')
  return out
}
