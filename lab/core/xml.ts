// XML helpers shared by the 2N configuration, ISAPI and ONVIF code.
import { XMLParser } from 'fast-xml-parser'

export function esc(s: string | number | boolean): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

// SOAP and ISAPI clients use different prefixes (or none) for the same namespaces, so the
// simulators match on local names only (discovery.md §2.1: resolve, do not match prefixes).
const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true })

/** Parsed XML: untyped by nature, callers check the fields they read. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type XmlDoc = Record<string, any>

export function parseXml(text: string): XmlDoc | null {
  try {
    const doc = parser.parse(text, true)
    return doc && typeof doc === 'object' ? doc : null
  } catch {
    return null
  }
}

/** Text content of a parsed node, whether the parser produced a string or {#text, @attr}. */
export function text(node: unknown): string | undefined {
  if (node === undefined || node === null) return undefined
  if (typeof node === 'object') return (node as Record<string, unknown>)['#text'] as string | undefined
  return String(node)
}
