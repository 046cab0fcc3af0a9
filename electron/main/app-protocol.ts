// The renderer is served from app://console/ rather than file://, so it has a real origin
// (checked by the IPC sender check) and file:// pages can never be loaded by mistake.
import { CONTENT_SECURITY_POLICY } from '../infra/http-security'
import { readStatic } from '../infra/static-files'

export const APP_SCHEME = 'app'
export const APP_ORIGIN = `${APP_SCHEME}://console`

export async function appProtocolResponse(rendererDir: string, requestUrl: string): Promise<Response> {
  const url = new URL(requestUrl)
  if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return new Response('Not found', { status: 404 })
  const file = (url.pathname !== '/' && (await readStatic(rendererDir, url.pathname))) || (await readStatic(rendererDir, '/index.html'))
  if (!file) return new Response('The console UI is not built.', { status: 500 })
  const headers: Record<string, string> = { 'content-type': file.type, 'x-content-type-options': 'nosniff' }
  if (file.type.startsWith('text/html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY
  return new Response(new Uint8Array(file.body), { status: 200, headers })
}
