// XML parsing for device replies (2N configuration, ISAPI, ONVIF SOAP, WS-Discovery, SADP).
// Namespace prefixes are dropped: devices use different prefixes for the same namespaces.
import { XMLParser, XMLValidator } from 'fast-xml-parser'

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
})

export type XmlNode = Record<string, unknown>

/** Parsed document, or null when the text is not well-formed XML. */
export function parseXml(text: string): XmlNode | null {
  if (!text || text.length > 8 * 1024 * 1024) return null
  if (XMLValidator.validate(text) !== true) return null
  try {
    const doc = parser.parse(text) as unknown
    return doc && typeof doc === 'object' ? (doc as XmlNode) : null
  } catch {
    return null
  }
}

/** Text of a node whether the parser produced a string or {#text, @attr}. */
export function txt(node: unknown): string {
  if (node === undefined || node === null) return ''
  if (Array.isArray(node)) return txt(node[0])
  if (typeof node === 'object') return String((node as XmlNode)['#text'] ?? '')
  return String(node)
}

/**
 * Device-supplied text made fit for a message an agent reads (found by fuzzing, issue 7): a
 * reply can carry megabytes of "description", or control and bidirectional-override
 * characters that garble the console, the audit log and a terminal. Those become spaces, and
 * the text is cut to `max` characters.
 */
export function deviceText(s: string, max = 200): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim()
  if (clean.length <= max) return clean
  const cut = /[\ud800-\udbff]/.test(clean[max - 2]) ? max - 2 : max - 1 // never split a surrogate pair
  return `${clean.slice(0, cut)}…`
}

/** Walks a dotted path of local names, taking the first element of arrays. */
export function at(doc: unknown, path: string): unknown {
  let cur: unknown = doc
  for (const k of path.split('.')) {
    if (Array.isArray(cur)) cur = cur[0]
    if (!cur || typeof cur !== 'object') return undefined
    cur = (cur as XmlNode)[k]
  }
  return cur
}

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

export const esc = (s: string | number) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

export const SOAP_NS = 'http://www.w3.org/2003/05/soap-envelope'
export const TDS = 'http://www.onvif.org/ver10/device/wsdl'

export function soapEnvelope(body: string, header = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${SOAP_NS}" xmlns:tds="${TDS}" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
}

/** The SOAP Body's first child, or a fault. */
export function soapBody(text: string): { body: XmlNode | null; fault: string | null; faultCode: string } {
  const doc = parseXml(text)
  const body = at(doc, 'Envelope.Body') as XmlNode | undefined
  if (!body || typeof body !== 'object') return { body: null, fault: null, faultCode: '' }
  const fault = body.Fault as XmlNode | undefined
  if (fault) {
    const reason = txt(at(fault, 'Reason.Text')) || txt(fault.faultstring) || 'SOAP fault'
    // SOAP 1.2 nests subcodes (Code/Value, Code/Subcode/Value, Code/Subcode/Subcode/Value…,
    // SOAP 1.2 Part 1 §5.4.1); ONVIF faults use two or three levels, e.g. env:Sender /
    // ter:OperationProhibited / ter:PasswordTooWeak. All levels are read, a few deep at most.
    const codes = [txt(at(fault, 'Code.Value'))]
    let sub = at(fault, 'Code.Subcode')
    for (let depth = 0; sub && depth < 6; depth++, sub = at(sub, 'Subcode')) codes.push(txt(at(sub, 'Value')))
    if (!codes[0] && fault.faultcode !== undefined) codes.push(txt(fault.faultcode)) // SOAP 1.1
    return { body, fault: reason, faultCode: codes.filter(Boolean).join(' / ') }
  }
  return { body, fault: null, faultCode: '' }
}

/** UTC time of an ONVIF GetSystemDateAndTimeResponse, in ms, or null. */
export function onvifUtc(body: XmlNode | null): number | null {
  const u = at(body, 'GetSystemDateAndTimeResponse.SystemDateAndTime.UTCDateTime')
  if (!u) return null
  // Every field must be there and in range (found by fuzzing, issue 7): Number('') is 0 and
  // Date.UTC rolls over, so a reply missing its Date gave "1899-12-31" and month 13 the next
  // year, and the console would have trusted that clock for its WS-UsernameToken.
  const n = (p: string, lo: number, hi: number) => {
    const s = txt(at(u, p))
    return /^\d{1,4}$/.test(s) && Number(s) >= lo && Number(s) <= hi ? Number(s) : NaN
  }
  const [year, month, day] = [n('Date.Year', 1970, 9999), n('Date.Month', 1, 12), n('Date.Day', 1, 31)]
  // 31 February would roll over into March: refuse it too.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCMonth() !== month - 1) return null
  const t = Date.UTC(year, month - 1, day, n('Time.Hour', 0, 23), n('Time.Minute', 0, 59), n('Time.Second', 0, 60))
  return Number.isFinite(t) ? t : null
}
