import type { Database } from 'better-sqlite3'
import { up as m0001 } from './0001-tickets'
import { up as m0002 } from './0002-settings-audit'

export interface Migration {
  version: number
  name: string
  up(db: Database): void
}

// Append only. Never edit a migration that has shipped: add the next number.
export const migrations: Migration[] = [
  { version: 1, name: 'tickets', up: m0001 },
  { version: 2, name: 'settings-audit', up: m0002 },
]

export const latestVersion = (): number => migrations[migrations.length - 1].version
