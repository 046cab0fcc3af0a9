import type { Database } from 'better-sqlite3'
import { reading, txScope, writing } from './tx-scope'

/** The settings operations that run inside a transaction (SettingsRepo.tx()). */
export class SettingsTx {
  constructor(private readonly db: Database) {}

  get<T>(key: string): T | null {
    const r = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined
    return r ? (JSON.parse(r.value) as T) : null
  }

  set(key: string, value: unknown, now = new Date().toISOString()): void {
    this.db
      .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(value), now)
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM settings WHERE key = ?').run(key)
  }
}

/** Small key → JSON value store for preferences and the agent identity. */
export class SettingsRepo {
  private readonly view: SettingsTx
  constructor(private readonly db: Database) {
    this.view = new SettingsTx(db)
  }

  /**
   * The synchronous operations, for a setting and its audit entry in one transaction
   * (App.record), or the agent read inside one (App.agentLabelSync); throws outside one.
   */
  tx(): SettingsTx {
    return txScope(this.db, this.view, 'settings')
  }

  async get<T>(key: string): Promise<T | null> {
    return reading(this.db, () => this.tx().get<T>(key))
  }

  async set(key: string, value: unknown, now?: string): Promise<void> {
    writing(this.db, () => this.tx().set(key, value, now))
  }

  /** Removes a setting (the bench PIN when the agent clears it). */
  async delete(key: string): Promise<void> {
    writing(this.db, () => this.tx().delete(key))
  }
}
