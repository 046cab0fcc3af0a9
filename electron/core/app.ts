import type { Database } from 'better-sqlite3'
import { join } from 'node:path'
import type { Agent } from '../../shared/contract/system'
import { DB_FILE, openDatabase, storageError } from '../../db/database'
import { makePrivate } from '../infra/data-dir'
import { schemaVersion } from '../../db/migrate'
import { AuditRepo, type AuditInput } from '../../db/repos/audit'
import { SettingsRepo } from '../../db/repos/settings'
import { writing } from '../../db/repos/tx-scope'
import { TicketsRepo } from '../../db/repos/tickets'
import { HeadFileWriter } from '../features/audit/head-file'
import { headSealOf, KEYED_ACTION, sealOf, unsealedTrail } from '../features/audit/seal'
import { EventBus } from '../infra/events'
import { StorageState } from '../infra/storage-state'
import { openLogger, type FileLogger } from '../infra/log'
import type { Logger } from 'pino'
import { keyFileProvider, SecretBox, type KeyProvider } from '../infra/secret-box'
import type { CommonRepos, DataDir, Events, Lifecycle, Logging, Recording, Secrets, Store } from '../infra/ports'

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
export class App implements Recording, Store, CommonRepos, Events, Secrets, Logging, Lifecycle, DataDir {
  readonly db: Database
  readonly bus = new EventBus()
  readonly tickets: TicketsRepo
  readonly settings: SettingsRepo
  readonly auditLog: AuditRepo
  readonly secrets: SecretBox
  /** audit-head.json: the chain head outside the database, written shortly after commits (electron/features/audit/head-file.ts). */
  readonly auditHead: HeadFileWriter
  readonly startedAt = new Date().toISOString()
  /** The data folder's current write problem (storage-state.ts), shown by the UI as a banner. */
  readonly storage: StorageState
  /** Structured log in <data>/logs (electron/infra/log.ts): secrets masked, rotated by size. */
  readonly log: Logger
  private logFile: FileLogger
  private logClosed = false
  private agentCache: Agent | null | undefined
  private closers: (() => Promise<void> | void)[] = []

  constructor(readonly opts: AppOptions) {
    // Private before anything is written (issue 13): umask 0077, folder 0700, files 0600.
    try {
      makePrivate(opts.dataDir)
    } catch (e) {
      throw storageError(e, opts.dataDir)
    }
    this.db = openDatabase(opts.dataDir)
    this.logFile = openLogger(opts.dataDir)
    this.log = this.logFile.log
    this.storage = new StorageState(opts.dataDir, this.bus, () => this.log)
    this.log.info({ host: opts.host, version: opts.version ?? null, node: process.versions.node, electron: process.versions.electron ?? null, schema: schemaVersion(this.db) }, 'console opened')
    this.tickets = new TicketsRepo(this.db)
    this.settings = new SettingsRepo(this.db)
    this.secrets = new SecretBox(opts.keys ?? keyFileProvider(opts.dataDir))
    // Entries and the head file are sealed with the audit key (issue 13). Where this process
    // cannot have the key (the command line on the desktop app's folder) appends are refused
    // with the key provider's own explanation rather than written unsealed.
    this.auditHead = new HeadFileWriter(this.db, opts.dataDir, 250, (h) => headSealOf(this.secrets.auditKey(), h), (e) => (e ? this.storage.failed('auditHead', e) : this.storage.succeeded()))
    this.auditLog = new AuditRepo(this.db, {
      onAppend: (e) => {
        this.auditHead.touched()
        this.announce(e)
      },
      seal: (hash) => sealOf(this.secrets.auditKey(), hash) })
    this.startTrail()
  }

  /**
   * A trail from before the seal is sealed once, by an entry naming its last entry; then the
   * head file: written for an empty trail, adopted for a just-sealed one, an alarm when missing.
   */
  private startTrail(): void {
    let keyed = true
    try {
      this.secrets.auditKey()
    } catch {
      keyed = false // no key in this process: nothing is written here, verify says what it could check
    }
    if (!keyed || this.db.readonly) return
    const old = unsealedTrail(this.db)
    if (old) {
      // At start, before anything awaits: one small transaction of its own.
      writing(this.db, () => this.auditLog.tx().append({
        agent: 'Support Console',
        action: KEYED_ACTION,
        outcome: 'info',
        inputs: { sealedUpTo: old.seq, hash: old.hash, entries: old.entries },
        detail: `The ${old.entries} entries written before the trail was sealed with this data folder's key end at entry ${old.seq} (hash ${old.hash}); this entry seals them through the chain. Entries from here on are each sealed.`,
      }))
    }
    try {
      this.auditHead.start({ adopt: old !== null })
    } catch (e) {
      console.error(`audit: the head file could not be written at start (${(e as Error).message})`)
      this.storage.failed('auditHead', e)
    }
  }

  get dataDir(): string {
    return this.opts.dataDir
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
  /**
   * The same, synchronously, inside a transaction: a rejected login is recorded with its entry
   * from inside a driver's request (electron/features/devices/rejected-logins.ts), which cannot await.
   */
  agentLabelSync(): string {
    if (this.agentCache === undefined) this.agentCache = this.settings.tx().get<Agent>('agent')
    const a = this.agentCache
    return a ? (a.email ? `${a.name} <${a.email}>` : a.name) : 'unidentified agent'
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
    return writing(this.db, () => {
      const result = change()
      const entries = audit(result)
      for (const e of Array.isArray(entries) ? entries : [entries]) this.auditLog.tx().append({ ...e, agent })
      return result
    })
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
    if (!this.logClosed) {
      this.logClosed = true
      this.log.info('console closed')
      this.logFile.close()
    }
  }
}
