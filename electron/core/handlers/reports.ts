import { exportTicketBundle, exportTicketPdf } from '../../reports/export'
import type { App } from '../app'
import type { HandlerMap } from './types'

export function reportHandlers(app: App): HandlerMap<'reports.ticketPdf' | 'reports.ticketBundle'> {
  return {
    'reports.ticketPdf': async ({ ticketId, lang }) => {
      const f = await exportTicketPdf(app, ticketId, lang)
      return { fileName: f.fileName, mime: 'application/pdf', dataBase64: f.data.toString('base64') }
    },
    'reports.ticketBundle': async ({ ticketId }) => {
      const f = await exportTicketBundle(app, ticketId)
      return { fileName: f.fileName, mime: 'application/json', dataBase64: f.data.toString('base64') }
    },
  }
}
