import type { Database } from 'better-sqlite3'

/**
 * The language of the messages to a ticket's customer (issue 17), chosen per ticket and
 * independent of the agent's UI language. It was kept in the renderer's localStorage, so it
 * was lost on another PC and changed without a trace; now it is a column of the ticket and
 * every change is audited (tickets.setCustomerLang). NULL: not chosen, the console's default.
 */
export function up(db: Database): void {
  db.exec(`ALTER TABLE tickets ADD COLUMN customer_lang TEXT CHECK (customer_lang IN ('en', 'cs', 'de'))`)
}
