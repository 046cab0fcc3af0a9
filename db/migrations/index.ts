import type { Database } from 'better-sqlite3'
import { up as m0001 } from './0001-tickets'
import { up as m0002 } from './0002-settings-audit'
import { up as m0003 } from './0003-devices'
import { up as m0004 } from './0004-workflows'
import { up as m0005 } from './0005-evidence'
import { up as m0006 } from './0006-nvr-reset'
import { up as m0007 } from './0007-workflow-evidence'
import { up as m0008 } from './0008-audit-hash-unindexed'
import { up as m0009 } from './0009-rejected-logins'
import { up as m0010 } from './0010-leases-attempts'
import { up as m0011 } from './0011-audit-seal'
import { up as m0013 } from './0013-helpdesk'
import { up as m0018 } from './0018-ticket-identifier-search'
import { up as m0019 } from './0019-ticket-edits'
import { up as m0025 } from './0025-device-ip-index'
import { up as m0016 } from './0016-nvr-reset-runs'
import { up as m0017 } from './0017-ticket-activity'
import { up as m0022 } from './0022-ticket-customer-lang'

export interface Migration {
  version: number
  name: string
  up(db: Database): void
}

// Append only. Never edit a migration that has shipped: add the next number.
export const migrations: Migration[] = [
  { version: 1, name: 'tickets', up: m0001 },
  { version: 2, name: 'settings-audit', up: m0002 },
  { version: 3, name: 'devices', up: m0003 },
  { version: 4, name: 'workflows', up: m0004 },
  { version: 5, name: 'evidence', up: m0005 },
  { version: 6, name: 'nvr-reset', up: m0006 },
  { version: 7, name: 'workflow-evidence', up: m0007 },
  { version: 8, name: 'audit-hash-unindexed', up: m0008 },
  { version: 9, name: 'rejected-logins', up: m0009 },
  { version: 10, name: 'leases-attempts', up: m0010 },
  { version: 11, name: 'audit-seal', up: m0011 },
  { version: 13, name: 'helpdesk', up: m0013 },
  { version: 18, name: 'ticket-identifier-search', up: m0018 },
  { version: 19, name: 'ticket-edits', up: m0019 },
  { version: 16, name: 'nvr-reset-runs', up: m0016 },
  { version: 17, name: 'ticket-activity', up: m0017 },
  { version: 22, name: 'ticket-customer-lang', up: m0022 },
  { version: 25, name: 'device-ip-index', up: m0025 },
]

// The list may be out of order when migrations land in a different order than numbered.
export const latestVersion = (): number => Math.max(...migrations.map((m) => m.version))
