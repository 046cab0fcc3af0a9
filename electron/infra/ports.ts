import type { Database } from 'better-sqlite3'
import type { Logger } from 'pino'
import type { AuditInput, AuditRepo } from '../../db/repos/audit'
import type { SettingsRepo } from '../../db/repos/settings'
import type { TicketsRepo } from '../../db/repos/tickets'
import type { EventBus } from './events'
import type { SecretBox } from './secret-box'

// The pieces of the composition root a feature may ask for, each named for what it does
// (issue 11: no service locator). A feature declares the intersection it needs, for example
// `type VaultDeps = Store & Recording & Secrets & DataDir`, and is handed exactly that by the
// composition root (electron/core/api.ts). `App` implements every port, so the root can pass
// it where a feature's needs are a subset; the feature cannot reach anything it did not declare.

export type AuditEntry = Omit<AuditInput, 'agent'>

/** Audit entries stamped with the current agent, and changes written with their entries in one transaction. */
export interface Recording {
  audit(e: AuditEntry): Promise<void>
  record<T>(change: () => T, audit: (result: T) => AuditEntry | AuditEntry[]): Promise<T>
  agentLabel(): Promise<string>
  /**
   * The same, called only inside a transaction (the first read goes through settings.tx()):
   * a rejected login is recorded with its entry from a driver's synchronous login guard.
   */
  agentLabelSync(): string
}

/** The open database, for building a feature's repository (db/repos/<feature>.ts); no SQL outside db/. */
export interface Store {
  readonly db: Database
}

/** The repositories every feature may read: tickets, settings and the audit trail. */
export interface CommonRepos {
  readonly tickets: TicketsRepo
  readonly settings: SettingsRepo
  readonly auditLog: AuditRepo
}

export interface Events {
  readonly bus: EventBus
}

export interface Secrets {
  readonly secrets: SecretBox
}

export interface Logging {
  readonly log: Logger
}

/** Work to stop when the console closes (timers, worker pools, sockets). */
export interface Lifecycle {
  onClose(fn: () => Promise<void> | void): void
}

export interface DataDir {
  readonly dataDir: string
}
