// The PDF report of a ticket for people: a first page a supervisor, an auditor or the
// customer's installer can read (ticket, customer, device, procedure and outcome, evidence
// with hashes, codes released and to whom, approvals, the audit chain head), then the
// timeline. DejaVu Sans is embedded (subset) so every name, address and note prints exactly:
// Czech, Slovak, Polish, German and most other European scripts.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib'
import type { Ticket } from '../../../shared/contract/tickets'
import type { AuditRow } from '../../../db/repos/audit-query'
import type { EvidenceMeta } from '../../../db/repos/evidence'
import { reportTexts, type ReportLang, type ReportTexts } from './report-texts'
import type { ReportSummary } from './summary'

export interface PdfInput {
  ticket: Ticket
  entries: AuditRow[]
  evidence: (EvidenceMeta & { thumbnail: Buffer | null })[]
  summary: ReportSummary
  chainHead: { seq: number; hash: string } | null
  exportedBy: string
  exportedAt: string
  bundleHash?: string
  /** The language of the labels, dates and sentences (the agent's UI language); English by default. */
  lang?: ReportLang
}

const A4: [number, number] = [595.28, 841.89]
const M = 48
const INK = rgb(0.1, 0.12, 0.16)
const MUTED = rgb(0.42, 0.45, 0.5)
const OUTCOME = { ok: rgb(0.1, 0.5, 0.25), failed: rgb(0.75, 0.15, 0.15), refused: rgb(0.75, 0.45, 0.05), info: rgb(0.25, 0.35, 0.6) } as Record<string, ReturnType<typeof rgb>>

/** The TTF files (package dejavu-fonts-ttf, read once; they ship in node_modules with the app). */
const FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf', mono: 'DejaVuSansMono.ttf' } as const
const fontBytes = new Map<string, Buffer>()
function fontFile(name: string): Buffer {
  let b = fontBytes.get(name)
  if (!b) fontBytes.set(name, (b = readFileSync(createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${name}`))))
  return b
}

/** Characters the font cannot draw (emoji, CJK) become "?"; line breaks and tabs become spaces. */
export function printable(s: string, font: PDFFont): string {
  const has = charSets.get(font) ?? new Set(font.getCharacterSet())
  charSets.set(font, has)
  let out = ''
  for (const ch of s.normalize('NFC').replace(/[\r\n\t]+/g, ' ')) out += has.has(ch.codePointAt(0)!) ? ch : '?'
  return out
}
const charSets = new WeakMap<PDFFont, Set<number>>()

class Writer {
  page!: PDFPage
  y = 0
  constructor(
    readonly doc: PDFDocument,
    readonly font: PDFFont,
    readonly bold: PDFFont,
    readonly mono: PDFFont,
    readonly footer: string,
    readonly x: ReportTexts,
  ) {
    this.newPage()
  }
  newPage() {
    this.page = this.doc.addPage(A4)
    this.y = A4[1] - M
    const n = this.doc.getPageCount()
    this.page.drawText(printable(`${this.footer} · ${this.x.page(n)}`, this.font), { x: M, y: 24, size: 8, font: this.font, color: MUTED })
  }
  need(h: number) {
    if (this.y - h < M) this.newPage()
  }
  /** Wrapped text. */
  text(s: string, o: { size?: number; font?: PDFFont; color?: ReturnType<typeof rgb>; x?: number; width?: number; gap?: number } = {}) {
    const size = o.size ?? 10
    const font = o.font ?? this.font
    const x = o.x ?? M
    const width = o.width ?? A4[0] - M - x
    for (const line of wrap(printable(s, font), font, size, width)) {
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
  /** Label and value on one line (the value wraps under itself). */
  field(label: string, value: string) {
    const top = this.y
    this.text(label, { size: 9, color: MUTED, width: 110 })
    const below = this.y
    this.y = top
    this.text(value || this.x.notRecorded, { x: M + 115, size: 10 })
    this.y = Math.min(this.y, below)
  }
}

// Widths at size 1, per font: fontkit lays out every string it measures (shaping, kerning),
// which made wrapping long timelines quadratic and slow; words and characters repeat a lot.
const widths = new WeakMap<PDFFont, Map<string, number>>()
function unitWidth(font: PDFFont, s: string): number {
  let m = widths.get(font)
  if (!m) widths.set(font, (m = new Map()))
  let w = m.get(s)
  if (w === undefined) {
    if (m.size > 50_000) m.clear() // bounded: a report of hashes must not grow it forever
    w = font.widthOfTextAtSize(s, 1)
    m.set(s, w)
  }
  return w
}

/** Lines of at most `width`: words measured once each, a word longer than a line cut by characters. */
function wrap(s: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = []
  const space = unitWidth(font, ' ') * size
  let cur = ''
  let curW = 0
  for (const word of s.split(' ')) {
    const ww = unitWidth(font, word) * size
    if (cur && curW + space + ww <= width) {
      cur += ` ${word}`
      curW += space + ww
      continue
    }
    if (cur) lines.push(cur)
    if (ww <= width) {
      cur = word
      curW = ww
      continue
    }
    // A word longer than the line (a hash): cut it.
    cur = ''
    curW = 0
    for (const ch of word) {
      const cw = unitWidth(font, ch) * size
      if (cur && curW + cw > width) {
        lines.push(cur)
        cur = ''
        curW = 0
      }
      cur += ch
      curW += cw
    }
  }
  if (cur || lines.length === 0) lines.push(cur)
  return lines
}

function inputsText(json: string): string {
  try {
    const o = JSON.parse(json) as Record<string, unknown>
    return Object.entries(o)
      .filter(([k]) => k !== 'ticketState') // seals for `audit verify`, not for a reader (the bundle keeps them)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' · ')
  } catch {
    return json
  }
}

export async function ticketPdf(p: PdfInput): Promise<Buffer> {
  const doc = await PDFDocument.create()
  // Loaded on first use: a large module that the console needs only for reports.
  // fontkit's shapers for complex scripts (Arabic, Indic…) are compiled generators that expect
  // a global regeneratorRuntime: without it a customer name in such a script broke the export.
  const g = globalThis as { regeneratorRuntime?: unknown }
  g.regeneratorRuntime ??= createRequire(import.meta.url)('regenerator-runtime') as unknown
  doc.registerFontkit((await import('@pdf-lib/fontkit')).default)
  // Subset: only the glyphs used are embedded (a report stays tens of KB, not megabytes).
  const [font, bold, mono] = await Promise.all([FONT_FILES.regular, FONT_FILES.bold, FONT_FILES.mono].map((f) => doc.embedFont(fontFile(f), { subset: true })))
  const t = p.ticket
  const s = p.summary
  const x = reportTexts(p.lang)
  const when = x.when
  doc.setTitle(x.docTitle(t.id, t.customerName))
  doc.setLanguage(x.lang)
  doc.setCreator('Support Console')
  doc.setCreationDate(new Date(p.exportedAt))
  doc.setModificationDate(new Date(p.exportedAt))
  const w = new Writer(doc, font, bold, mono, x.footer(t.id, when(p.exportedAt), p.exportedBy), x)

  // ---- first page: what a reader needs ------------------------------------------------
  w.text(`${x.ticket} #${t.id}${t.externalRef ? ` (${t.externalRef})` : ''}`, { size: 20, font: bold, gap: 2 })
  w.text(x.statusLine(x.status[t.status] ?? t.status, when(t.createdAt), when(t.updatedAt)), { size: 9, color: MUTED, gap: 4 })

  w.heading(x.h.customer)
  w.field(x.f.name, t.customerName)
  w.field(x.f.contact, t.contact)
  if (t.notes) w.field(x.f.notes, t.notes)

  w.heading(x.h.device)
  const devices = s.devices.length ? s.devices : [{ model: t.deviceModel, serial: t.deviceSerial, mac: '', firmware: '', source: x.sourceTicket }]
  for (const d of devices) {
    w.field(x.f.model, d.model)
    w.field(x.f.serial, d.serial)
    w.field(x.f.mac, d.mac)
    w.field(x.f.firmware, d.firmware)
    w.text(x.from(d.source), { x: M + 115, size: 8, color: MUTED, gap: 4 })
  }

  w.heading(x.h.procedureOutcome)
  w.field(x.f.procedure, x.procedure[t.procedure] ?? t.procedure)
  for (const r of s.runs) w.field(x.f.run(r.version), x.runLine(x.runStatus[r.status] ?? r.status, when(r.startedAt), r.endedAt && when(r.endedAt), r.endedAt && x.duration(r.startedAt, r.endedAt), r.lastStep))
  w.field(x.f.outcome, s.outcome)

  w.heading(x.h.evidence(p.evidence.length))
  if (!p.evidence.length) w.text(x.noEvidence, { size: 9 })
  for (const ev of p.evidence) {
    w.need(30)
    w.text(x.evidenceLine(ev.name, ev.kind, when(ev.addedAt), ev.agent, ev.purgedAt ? when(ev.purgedAt) : null), { size: 9 })
    w.text(`SHA-256 ${ev.sha256}`, { x: M + 10, size: 7, font: mono, color: MUTED, gap: 2 })
  }

  w.heading(x.h.releases)
  if (!s.releases.length) w.text(x.none, { size: 9 })
  for (const r of s.releases) w.text(x.released(when(r.at), r.agent, r.what, r.to, r.detail), { size: 9, gap: 2 })

  w.heading(x.h.approvals)
  if (!s.approvals.length) w.text(x.noApprovals, { size: 9 })
  for (const a of s.approvals) w.text(x.approved(when(a.at), a.approver, a.agent, a.note), { size: 9, gap: 2 })

  w.heading(x.h.integrity)
  w.text(x.integrity, { size: 9 })
  if (p.chainHead) w.text(x.chainHead(p.chainHead.seq, p.chainHead.hash), { size: 8, font: mono })
  if (p.bundleHash) w.text(`${x.bundleHash}: ${p.bundleHash}`, { size: 8, font: mono })

  // ---- then the timeline and the evidence with thumbnails --------------------------------
  w.newPage()
  w.text(x.h.timeline(p.entries.length), { size: 16, font: bold, gap: 8 })
  for (const e of p.entries) {
    w.need(40)
    const top = w.y
    w.text(when(e.at), { size: 8, color: MUTED, width: 90 })
    w.y = top
    w.text(x.action(e.action), { x: M + 95, font: bold, width: 300 })
    const afterTitle = w.y
    w.y = top
    w.text(x.outcome[e.outcome] ?? e.outcome.toUpperCase(), { x: A4[0] - M - 60, size: 8, font: bold, color: OUTCOME[e.outcome] ?? MUTED, width: 60 })
    w.y = afterTitle
    w.text(x.entryBy(e.agent, e.device ?? '', e.seq), { x: M + 95, size: 8, color: MUTED })
    const inputs = inputsText(e.inputs)
    if (inputs && inputs !== '{}') w.text(inputs, { x: M + 95, size: 8 })
    if (e.detail) w.text(e.detail, { x: M + 95, size: 8 })
    w.y -= 4
  }

  const pictures = p.evidence.filter((e) => e.thumbnail)
  if (pictures.length) w.heading(x.h.pictures)
  for (const ev of pictures) {
    const thumbH = 90
    w.need(thumbH + 10)
    const top = w.y
    try {
      const img = await doc.embedJpg(ev.thumbnail!)
      const sc = Math.min(120 / img.width, thumbH / img.height)
      w.page.drawImage(img, { x: M, y: top - img.height * sc, width: img.width * sc, height: img.height * sc })
    } catch {
      /* a thumbnail that does not embed is left out */
    }
    w.text(`${ev.name} (${ev.kind})`, { x: M + 130, font: bold })
    w.text(x.pictureLine(ev.mime, (ev.size / 1024).toFixed(1), ev.auditSeq), { x: M + 130, size: 8, color: MUTED })
    w.y = Math.min(w.y, top - thumbH) - 10
  }
  return Buffer.from(await doc.save())
}
