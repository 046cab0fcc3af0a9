// Reset-QR payload parsers, one per vendor format. The real 2M/Uniview byte format is not
// public (nvr-reset.md §3), so the first format is the lab's SIMULATED one ("2MSIM1:"); a
// payload no parser claims is kept and shown raw, so the agent can still paste it into the
// vendor's own tool. The console has no vendor key: it checks the structure, and the
// signature is left to the vendor service that issues the code.

export interface PayloadFields {
  serial: string
  mac: string
  model: string
  nonce: string
  /** Issue time by the DEVICE clock (ISO 8601), which may be wrong. */
  issuedAt: string
}

export interface ParsedPayload {
  /** Parser id ('2msim1') or 'raw' when no parser recognised the text. */
  format: string
  /** Vendor whose validity rules apply ('2m', or 'unknown'). */
  vendor: string
  label: string
  fields: PayloadFields | null
  /** Structural problems found by the parser that claimed the text. */
  problems: string[]
  raw: string
}

export interface PayloadParser {
  id: string
  vendor: string
  label: string
  /** Whether this parser is responsible for the text (by prefix or shape). */
  claims(text: string): boolean
  parse(text: string): { fields: PayloadFields | null; problems: string[] }
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i

export const sim2m: PayloadParser = {
  id: '2msim1',
  vendor: '2m',
  label: '2M Technology (lab simulation, 2MSIM1)',
  claims: (t) => t.trim().startsWith('2MSIM1:'),
  parse(text) {
    const problems: string[] = []
    const m = text.trim().match(/^2MSIM1:([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/)
    if (!m) return { fields: null, problems: ['The text starts like a 2M reset code but is not "2MSIM1:<data>.<signature>"; part of it may be missing.'] }
    let j: Record<string, unknown>
    try {
      j = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'))
    } catch {
      return { fields: null, problems: ['The data part of the code cannot be read (damaged or incomplete).'] }
    }
    if (typeof j !== 'object' || j === null) return { fields: null, problems: ['The data part of the code is not a record.'] }
    if (j.v !== 1) problems.push(`Unknown format version ${JSON.stringify(j.v)}; fields may be misread.`)
    const str = (k: string) => (typeof j[k] === 'string' ? (j[k] as string) : '')
    const fields: PayloadFields = { serial: str('serial'), mac: str('mac'), model: str('model'), nonce: str('nonce'), issuedAt: str('issuedAt') }
    for (const k of ['serial', 'nonce', 'issuedAt'] as const) if (!fields[k]) problems.push(`The field "${k}" is missing.`)
    if (fields.issuedAt && Number.isNaN(Date.parse(fields.issuedAt))) problems.push(`The issue time "${fields.issuedAt}" is not a date.`)
    if (fields.mac && !MAC.test(fields.mac)) problems.push(`The MAC address "${fields.mac}" is not in the form aa:bb:cc:dd:ee:ff.`)
    if (Buffer.from(m[2], 'base64url').length !== 32) problems.push('The signature has the wrong length; the vendor service will refuse this code.')
    return { fields, problems }
  },
}

export const PARSERS: PayloadParser[] = [sim2m]

export function parsePayload(text: string, parsers: PayloadParser[] = PARSERS): ParsedPayload {
  const raw = text
  const p = parsers.find((x) => x.claims(text))
  if (!p) return { format: 'raw', vendor: 'unknown', label: 'Unknown format', fields: null, problems: [], raw }
  const r = p.parse(text)
  return { format: p.id, vendor: p.vendor, label: p.label, fields: r.fields, problems: r.problems, raw }
}
