// The PDF report of a ticket for people: who did what to which device and what came of
// it, the evidence with thumbnails and hashes, and the chain head that ties it to the
// audit trail. Standard fonts only (no font files to ship); text outside WinAnsi is
// transliterated so names like "Dvořák" still read well.
import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib'
import type { Ticket } from '../../shared/contract/tickets'
import type { AuditRow } from '../../db/repos/audit-query'
import type { EvidenceMeta } from '../../db/repos/evidence'
import { actionPhrase } from './phrases'

export interface PdfInput {
  ticket: Ticket
  entries: AuditRow[]
  evidence: (EvidenceMeta & { thumbnail: Buffer | null })[]
  chainHead: { seq: number; hash: string } | null
  exportedBy: string
  exportedAt: string
  bundleHash?: string
}

const A4: [number, number] = [595.28, 841.89]
const M = 48
const INK = rgb(0.1, 0.12, 0.16)
const MUTED = rgb(0.42, 0.45, 0.5)
const OUTCOME = { ok: rgb(0.1, 0.5, 0.25), failed: rgb(0.75, 0.15, 0.15), refused: rgb(0.75, 0.45, 0.05), info: rgb(0.25, 0.35, 0.6) } as Record<string, ReturnType<typeof rgb>>

/** Keeps WinAnsi characters, strips accents from the rest, replaces what remains. */
export function winAnsi(s: string): string {
  const allowed = /[\x20-\x7e\xa0-\xff\u20ac\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026]/
  let out = ''
  for (const ch of s.replace(/[\r\n\t]+/g, ' ')) {
    if (allowed.test(ch)) out += ch
    else {
      const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
      out += base && [...base].every((c) => allowed.test(c)) ? base : '?'
    }
  }
  return out
}

class Writer {
  page!: PDFPage
  y = 0
  constructor(
    readonly doc: PDFDocument,
    readonly font: PDFFont,
    readonly bold: PDFFont,
    readonly mono: PDFFont,
    readonly footer: string,
  ) {
    this.newPage()
  }
  newPage() {
    this.page = this.doc.addPage(A4)
    this.y = A4[1] - M
    const n = this.doc.getPageCount()
    this.page.drawText(winAnsi(`${this.footer} - page ${n}`), { x: M, y: 24, size: 8, font: this.font, color: MUTED })
  }
  need(h: number) {
    if (this.y - h < M) this.newPage()
  }
  /** Wrapped text; returns the height used. */
  text(s: string, o: { size?: number; font?: PDFFont; color?: ReturnType<typeof rgb>; x?: number; width?: number; gap?: number } = {}) {
    const size = o.size ?? 10
    const font = o.font ?? this.font
    const x = o.x ?? M
    const width = o.width ?? A4[0] - M - x
    for (const line of wrap(winAnsi(s), font, size, width)) {
      this.need(size + 3)
      this.page.drawText(line, { x, y: this.y - size, size, font, color: o.color ?? INK })
      this.y -= size + 3
    }
    this.y -= o.gap ?? 0
  }
  heading(s: string) {
    this.need(40)
    this.y -= 10
    this.text(s, { size: 13, font: this.bold, gap: 4 })
    this.page.drawLine({ start: { x: M, y: this.y + 2 }, end: { x: A4[0] - M, y: this.y + 2 }, thickness: 0.5, color: MUTED })
    this.y -= 6
  }
}

function wrap(s: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = []
  let cur = ''
  for (const word of s.split(' ')) {
    const next = cur ? `${cur} ${word}` : word
    if (font.widthOfTextAtSize(next, size) <= width) cur = next
    else {
      if (cur) lines.push(cur)
      // A word longer than the line (a hash): cut it.
      let w = word
      while (font.widthOfTextAtSize(w, size) > width) {
        let i = w.length
        while (i > 1 && font.widthOfTextAtSize(w.slice(0, i), size) > width) i--
        lines.push(w.slice(0, i))
        w = w.slice(i)
      }
      cur = w
    }
  }
  if (cur || lines.length === 0) lines.push(cur)
  return lines
}

const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')
function inputsText(json: string): string {
  try {
    const o = JSON.parse(json) as Record<string, unknown>
    return Object.entries(o)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' · ')
  } catch {
    return json
  }
}

export async function ticketPdf(p: PdfInput): Promise<Buffer> {
  const doc = await PDFDocument.create()
  doc.setTitle(winAnsi(`Ticket ${p.ticket.id} report`))
  doc.setCreator('Support Console')
  doc.setCreationDate(new Date(p.exportedAt))
  doc.setModificationDate(new Date(p.exportedAt))
  const w = new Writer(doc, await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold), await doc.embedFont(StandardFonts.Courier), `Ticket #${p.ticket.id} - exported ${when(p.exportedAt)} by ${p.exportedBy}`)
  const t = p.ticket

  w.text(`Ticket #${t.id}${t.externalRef ? ` (${t.externalRef})` : ''}`, { size: 20, font: w.bold, gap: 4 })
  w.text(`${t.customerName} - status: ${t.status} - opened ${when(t.createdAt)}`, { size: 11, color: MUTED, gap: 6 })

  w.heading('Device')
  const devices = [...new Set(p.entries.map((e) => e.device).filter((d): d is string => !!d))]
  w.text(`Model: ${t.deviceModel || 'not recorded'}    Serial: ${t.deviceSerial || 'not recorded'}    Procedure: ${t.procedure}`)
  if (devices.length) w.text(`Devices named in the trail: ${devices.join(', ')}`)

  w.heading('Outcomes')
  const counts: Record<string, number> = {}
  for (const e of p.entries) counts[e.outcome] = (counts[e.outcome] ?? 0) + 1
  w.text(Object.keys(counts).length ? Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ') : 'No actions recorded.')
  const failures = p.entries.filter((e) => e.outcome === 'failed' || e.outcome === 'refused')
  for (const e of failures.slice(-10)) w.text(`- ${when(e.at)}: ${actionPhrase(e.action)} ${e.outcome}${e.detail ? ` - ${e.detail}` : ''}`, { color: OUTCOME[e.outcome] })

  w.heading(`Timeline (${p.entries.length} entries)`)
  for (const e of p.entries) {
    w.need(40)
    const top = w.y
    w.text(when(e.at), { size: 8, color: MUTED, width: 90 })
    w.y = top
    w.text(`${actionPhrase(e.action)}`, { x: M + 95, font: w.bold, width: 300 })
    const afterTitle = w.y
    w.y = top
    w.text(e.outcome.toUpperCase(), { x: A4[0] - M - 60, size: 8, font: w.bold, color: OUTCOME[e.outcome] ?? MUTED, width: 60 })
    w.y = afterTitle
    w.text(`by ${e.agent}${e.device ? ` on ${e.device}` : ''} - entry ${e.seq}`, { x: M + 95, size: 8, color: MUTED })
    const inputs = inputsText(e.inputs)
    if (inputs) w.text(inputs, { x: M + 95, size: 8 })
    if (e.detail) w.text(e.detail, { x: M + 95, size: 8 })
    w.y -= 4
  }

  w.heading(`Evidence (${p.evidence.length})`)
  if (!p.evidence.length) w.text('No evidence was added to this ticket.')
  for (const ev of p.evidence) {
    const thumbH = ev.thumbnail ? 90 : 0
    w.need(Math.max(thumbH, 50) + 10)
    const top = w.y
    let textX = M
    if (ev.thumbnail) {
      try {
        const img = await doc.embedJpg(ev.thumbnail)
        const s = Math.min(120 / img.width, thumbH / img.height)
        w.page.drawImage(img, { x: M, y: top - img.height * s, width: img.width * s, height: img.height * s })
        textX = M + 130
      } catch {
        /* a thumbnail that does not embed is left out */
      }
    }
    w.text(`${ev.name} (${ev.kind})`, { x: textX, font: w.bold })
    w.text(`${ev.mime}, ${(ev.size / 1024).toFixed(1)} KB, added ${when(ev.addedAt)} by ${ev.agent}, audit entry ${ev.auditSeq}`, { x: textX, size: 8, color: MUTED })
    w.text(`SHA-256 ${ev.sha256}`, { x: textX, size: 7, font: w.mono })
    if (ev.purgedAt) w.text(`Content ${ev.purgeReason === 'retention' ? 'purged by the retention rule' : 'deleted on purpose'} on ${when(ev.purgedAt)}; the hash above remains on record.`, { x: textX, size: 8, color: OUTCOME.refused })
    w.y = Math.min(w.y, top - thumbH) - 10
  }

  w.heading('Integrity')
  w.text('Every action above is an entry of the console’s hash-chained audit trail. The matching JSON bundle lets anyone check the entries with "support-console audit verify --bundle FILE".', { size: 9 })
  if (p.chainHead) w.text(`Chain head at export: entry ${p.chainHead.seq}, hash ${p.chainHead.hash}`, { size: 8, font: w.mono })
  if (p.bundleHash) w.text(`Bundle hash: ${p.bundleHash}`, { size: 8, font: w.mono })
  return Buffer.from(await doc.save())
}
