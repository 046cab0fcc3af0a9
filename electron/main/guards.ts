// Navigation, window-open, permission and external-link guards for every web contents.
import type { Session, WebContents } from 'electron'

/** The one way to open a link outside the app: http(s) only, never file:, javascript:, smb:… */
export function safeOpenExternal(openExternal: (url: string) => Promise<void>, url: string): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false
  void openExternal(u.toString())
  return true
}

/**
 * Scheme + host of a URL. Node's URL gives origin "null" for custom schemes such as
 * app://, so the origin is rebuilt here rather than read from `.origin`.
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}`
  } catch {
    return null
  }
}

export function isAppUrl(url: string, appOrigin: string): boolean {
  return originOf(url) === appOrigin
}

export function guardWebContents(wc: WebContents, appOrigin: string, openExternal: (url: string) => Promise<void>): void {
  const block = (e: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url, appOrigin)) e.preventDefault()
  }
  wc.on('will-navigate', block)
  wc.on('will-redirect', block)
  wc.on('will-attach-webview', (e) => e.preventDefault())
  wc.setWindowOpenHandler(({ url }) => {
    safeOpenExternal(openExternal, url)
    return { action: 'deny' }
  })
}

export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)
}
