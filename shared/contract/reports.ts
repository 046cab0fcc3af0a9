// Reports: a ticket as a PDF for people and as a JSON bundle of its audit entries, checkable
// on another machine (issue 7).
import { z } from 'zod'
import { defineMethods, Id } from './common'

export const ExportedFile = z.object({ fileName: z.string(), mime: z.string(), dataBase64: z.string() })

export const reportMethods = defineMethods({
  'reports.ticketPdf': {
    // The agent's UI language: labels, dates and sentences of the report (names and notes print as typed).
    input: z.object({ ticketId: Id, lang: z.enum(['en', 'cs', 'de']).optional() }).strict(),
    output: ExportedFile,
    summary: 'A PDF report of a ticket for people, in English, Czech or German',
  },
  'reports.ticketBundle': { input: z.object({ ticketId: Id }).strict(), output: ExportedFile, summary: 'A JSON bundle of a ticket’s audit entries and hashes, checkable on another machine' },
})
