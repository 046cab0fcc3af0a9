// Which My2N the console talks to. Stored in settings ('my2n.provider') with the API key
// sealed; SUPPORT_CONSOLE_MY2N_URL / SUPPORT_CONSOLE_MY2N_KEY override it (the lab bench,
// scripts). Without either, My2N steps say how to configure it.
import { AppError } from '../../../../shared/contract/common'
import type { SettingsRepo } from '../../../../db/repos/settings'
import { my2nClient, type My2nClient, type My2nProviderConfig } from './client'

interface Stored { kind: 'lab' | 'partner'; url: string; apiKeySealed: string }
export const SETTINGS_KEY = 'my2n.provider'
export const PARTNER_API_URL = 'https://my2n.com/middleware/api/partner/v1'

export interface My2nProviderDeps {
  settings: SettingsRepo
  seal(p: string): string
  open(s: string): string
  env?: NodeJS.ProcessEnv
}

export function my2nProvider(d: My2nProviderDeps) {
  const env = d.env ?? process.env
  async function config(): Promise<My2nProviderConfig | null> {
    if (env.SUPPORT_CONSOLE_MY2N_URL && env.SUPPORT_CONSOLE_MY2N_KEY)
      return { kind: env.SUPPORT_CONSOLE_MY2N_KIND === 'partner' ? 'partner' : 'lab', url: env.SUPPORT_CONSOLE_MY2N_URL, apiKey: env.SUPPORT_CONSOLE_MY2N_KEY }
    const s = await d.settings.get<Stored>(SETTINGS_KEY)
    return s ? { kind: s.kind, url: s.url, apiKey: d.open(s.apiKeySealed) } : null
  }
  return {
    async client(): Promise<My2nClient> {
      const c = await config()
      if (!c) throw new AppError('FORBIDDEN', 'No My2N account is configured in this console.', { hint: 'Add the My2N partner API key in Settings (or the lab simulator’s URL and key), then run the step again.', key: 'my2n.notConfigured' })
      return my2nClient(c)
    },
    async status(): Promise<{ configured: boolean; kind: 'lab' | 'partner' | null; url: string; fromEnvironment: boolean }> {
      const c = await config()
      return { configured: Boolean(c), kind: c?.kind ?? null, url: c?.url ?? '', fromEnvironment: Boolean(env.SUPPORT_CONSOLE_MY2N_URL && env.SUPPORT_CONSOLE_MY2N_KEY) }
    },
    async set(c: My2nProviderConfig): Promise<void> {
      let u: URL
      try {
        u = new URL(c.url)
      } catch {
        throw new AppError('VALIDATION', 'The My2N URL is not a URL.', { field: 'url', key: 'my2n.badUrl' })
      }
      if (c.kind === 'partner' && u.protocol !== 'https:') throw new AppError('VALIDATION', 'The My2N Partner API must be reached over https.', { field: 'url', key: 'my2n.httpsOnly' })
      if (c.kind === 'lab' && !/^127\.|^localhost$/.test(u.hostname)) throw new AppError('VALIDATION', 'The lab My2N simulator runs on this machine (127.x).', { field: 'url', key: 'my2n.labLocalOnly' })
      await d.settings.set(SETTINGS_KEY, { kind: c.kind, url: c.url, apiKeySealed: d.seal(c.apiKey) } satisfies Stored)
    },
  }
}
