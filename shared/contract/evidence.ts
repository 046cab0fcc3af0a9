// The evidence vault of a ticket (issue 7). Content travels base64-encoded in the JSON
// contract, so both transports carry it; the size limit is checked on the decoded bytes.
import { z } from 'zod'
import { defineEvents, defineMethods, Empty, Id } from './common'

export const EvidenceKind = z.enum(['qr-photo', 'label-photo', 'ownership-certificate', 'customer-statement', 'config-backup', 'vendor-reply', 'other'])
export type EvidenceKind = z.infer<typeof EvidenceKind>

/** 20 MB per file: a phone photo or a PDF scan; larger files are refused with a hint. */
export const MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
const MAX_BASE64 = Math.ceil(MAX_EVIDENCE_BYTES / 3) * 4

export const EvidenceItem = z.object({
  id: Id,
  ticketId: Id,
  kind: EvidenceKind,
  source: z.string(),
  name: z.string(),
  mime: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  addedAt: z.string(),
  agent: z.string(),
  note: z.string(),
  ref: z.string().nullable(),
  personal: z.boolean(),
  hasContent: z.boolean(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  purgedAt: z.string().nullable(),
  purgeReason: z.string().nullable(),
  auditSeq: z.number().int(),
  /** A small JPEG as a data: URL, for images still held. */
  thumbnail: z.string().nullable(),
})
export type EvidenceItem = z.infer<typeof EvidenceItem>

export const EvidenceAdd = z
  .object({
    ticketId: Id,
    kind: EvidenceKind,
    name: z.string().trim().min(1).max(200),
    note: z.string().trim().max(2000).default(''),
    dataBase64: z
      .string()
      .min(1, 'The file is empty')
      .max(MAX_BASE64, `Files up to ${MAX_EVIDENCE_BYTES / 1048576} MB can be added`)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Not base64'),
  })
  .strict()

export const evidenceMethods = defineMethods({
  'evidence.add': { input: EvidenceAdd, output: EvidenceItem, summary: 'Add a file to a ticket’s evidence (hashed and audited)' },
  'evidence.list': { input: z.object({ ticketId: Id }).strict(), output: z.object({ items: z.array(EvidenceItem) }), summary: 'Evidence of a ticket, with thumbnails' },
  'evidence.get': { input: z.object({ id: Id }).strict(), output: z.object({ item: EvidenceItem, dataBase64: z.string().nullable() }), summary: 'One evidence file with its content' },
  'evidence.delete': {
    input: z.object({ id: Id, reason: z.string().trim().min(3).max(500) }).strict(),
    output: EvidenceItem,
    summary: 'Delete an evidence file on purpose (its hash stays on record)',
  },
  'evidence.purgeExpired': { input: Empty, output: z.object({ purged: z.number().int() }), summary: 'Purge personal evidence older than the retention period now' },
})

export const evidenceEvents = defineEvents({
  'evidence.changed': z.object({ ticketId: Id }),
})
