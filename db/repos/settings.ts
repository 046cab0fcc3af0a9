import type { Database } from 'better-sqlite3'

/** Small key → JSON value store for preferences and the agent identity. */
export class SettingsRepo {
  constructor(private readonly db: Database) {}

  async get<T>(key: string): Promise<T | null> {
    return this.getSync<T>(key)
  }

  /** The same, synchronously (inside a transaction: App.agentLabelSync). */
  getSync<T>(key: string): T | null {
    const r = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined
    return r ? (JSON.parse(r.value) as T) : null
  }

  async set(key: string, value: unknown, now = new Date().toISOString()): Promise<void> {
    this.setSync(key, value, now)
  }

  /** For App.record: a setting and its audit entry in one transaction. */
  setSync(key: string, value: unknown, now = new Date().toISOString()): void {
    this.db
      .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(value), now)
  }

  /** Removes a setting (the bench PIN when the agent clears it). */
  deleteSync(key: string): void {
    this.db.prepare('DELETE FROM settings WHERE key = ?').run(key)
  }
}
