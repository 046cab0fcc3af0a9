import { HelpdeskRepo } from '../../db/repos/helpdesk'
import type { App } from '../core/app'

const repos = new WeakMap<App, HelpdeskRepo>()
/** The helpdesk repository of this app (one per process, created on first use). */
export function helpdeskRepo(app: App): HelpdeskRepo {
  let r = repos.get(app)
  if (!r) repos.set(app, (r = new HelpdeskRepo(app.db)))
  return r
}
