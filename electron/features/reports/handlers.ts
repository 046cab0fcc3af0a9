import { exportTicketBundle, exportTicketPdf, type ReportDeps } from './export'
import type { HandlerMap } from '../../infra/handler-types'

export function reportHandlers(deps: ReportDeps): HandlerMap<'reports.ticketPdf' | 'reports.ticketBundle'> {
  return {
    'reports.ticketPdf': async ({ ticketId, lang }) => {
      const f = await exportTicketPdf(deps, ticketId, lang)
      return { fileName: f.fileName, mime: 'application/pdf', dataBase64: f.data.toString('base64') }
    },
    'reports.ticketBundle': async ({ ticketId }) => {
      const f = await exportTicketBundle(deps, ticketId)
      return { fileName: f.fileName, mime: 'application/json', dataBase64: f.data.toString('base64') }
    },
  }
}
