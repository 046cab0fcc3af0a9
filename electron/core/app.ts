import type { Database } from 'better-sqlite3'
import { join } from 'node:path'
import type { Agent } from '../../shared/contract/system'
import { DB_FILE, openDatabase } from '../../db/database'
import { schemaVersion } from '../../db/migrate'
import { AuditRepo, type AuditInput } from '../../db/repos/audit'
import { SettingsRepo } from '../../db/repos/settings'
import { TicketsRepo } from '../../db/repos/tickets'
import { HeadFileWriter } from '../audit/head-file'
import { EventBus } from './events'
import { keyFileProvider, SecretBox, type KeyProvider } from './secret-box'

export interface AppOptions {
  dataDir: string
  host: 'electron' | 'browser'
  keys?: KeyProvider
  version?: string
}

/**
 * Everything a domain service needs, built once per process. Plain Node: the Electron
 * shell and the browser host both create one and attach their transport to it.
 */
export class App {
  readonly db: Database
  readonly bus = new EventBus()
  readonly tickets: TicketsRepo
  readonly settings: SettingsRepo
  readonly auditLog: AuditRepo
  readonly secrets: SecretBox
  /** audit-head.json: the chain head outside the database, written shortly after commits (electron/audit/head-file.ts). */
  readonly auditHead: HeadFileWriter
  readonly startedAt = new Date().toISOString()
  private agentCache: Agent | null | undefined
  private closers: (() => Promise<void> | void)[] = []

  constructor(readonly opts: AppOptions) {
    this.db = openDatabase(opts.dataDir)
    this.tickets = new TicketsRepo(this.db)
    this.settings = new SettingsRepo(this.db)
    this.auditHead = new HeadFileWriter(this.db, opts.dataDir)
    this.auditLog = new AuditRepo(this.db, {
      onAppend: (e) => {
        this.auditHead.touched()
        this.announce(e)
      },
    })
    this.secrets = new SecretBox(opts.keys ?? keyFileProvider(opts.dataDir))
  }

  get dbPath(): string {
    return join(this.opts.dataDir, DB_FILE)
  }
  get schemaVersion(): number {
    return schemaVersion(this.db)
  }

  async agent(): Promise<Agent | null> {
    if (this.agentCache === undefined) this.agentCache = await this.settings.get<Agent>('agent')
    return this.agentCache
  }
  async setAgent(a: Agent): Promise<void> {
    await this.settings.set('agent', a)
    this.agentCache = a
  }
  /** How the current agent is written into audit entries. */
  async agentLabel(): Promise<string> {
    const a = await this.agent()
    return a ? (a.email ? `${a.name} <${a.email}>` : a.name) : 'unidentified agent'
  }

  /** Appends an audit entry stamped with the current agent. */
  async audit(e: Omit<AuditInput, 'agent'>): Promise<void> {
    await this.auditLog.append({ ...e, agent: await this.agentLabel() })
  }

  /**
   * Runs a synchronous database change and its audit entry in one transaction: either
   * both are committed or neither (a crash or a full disk cannot leave an unaudited change).
   * `audit` receives the change's result so the entry can name what was created; it may return
   * several entries (a step done and its run completed), written in order in the same transaction.
   */
  async record<T>(change: () => T, audit: (result: T) => Omit<AuditInput, 'agent'> | Omit<AuditInput, 'agent'>[]): Promise<T> {
    const agent = await this.agentLabel()
    return this.db.transaction(() => {
      const result = change()
      const entries = audit(result)
      for (const e of Array.isArray(entries) ? entries : [entries]) this.auditLog.appendSync({ ...e, agent })
      return result
    }).immediate()
  }

  private pendingAnnounce = new Map<number | null, number>()
  /**
   * Tells the UI about new audit entries, one event per ticket per turn of the event loop,
   * after the transaction that wrote them: an open ticket page reloads its audit card live,
   * whichever service wrote the entry (a workflow step, an evidence item, a status change).
   * An entry rolled back with its change is announced too; the reload then finds nothing new.
   */
  private announce(e: { seq: number; ticketId: number | null }): void {
    const first = this.pendingAnnounce.size === 0
    this.pendingAnnounce.set(e.ticketId, e.seq)
    if (!first) return
    setImmediate(() => {
      const all = [...this.pendingAnnounce]
      this.pendingAnnounce.clear()
      for (const [ticketId, seq] of all) this.bus.emit('audit.appended', { seq, ticketId })
    })
  }

  /** Runs `fn` when the app closes (worker pools, simulators, sockets). */
  onClose(fn: () => Promise<void> | void): void {
    this.closers.push(fn)
  }

  async close(): Promise<void> {
    for (const c of this.closers.reverse()) await c()
    this.closers = []
    if (this.db.open) {
      this.auditHead.close() // synchronous: the database is closed when close() returns, as before
      this.db.close()
    }
  }
}
