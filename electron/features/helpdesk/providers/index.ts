// The helpdesks the console knows: one folder each, one line here.
import type { HelpdeskProviderId } from '../../../../shared/contract/helpdesk'
import type { HelpdeskProvider, ProviderConfig } from '../provider'
import { rtProvider } from './rt/index'
import { zendeskProvider } from './zendesk/index'

export const providerFactories: Record<HelpdeskProviderId, (cfg: ProviderConfig) => HelpdeskProvider> = {
  rt: rtProvider,
  zendesk: zendeskProvider,
}
