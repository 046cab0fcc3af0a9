import type { Database } from 'better-sqlite3'

// The helpdesk as the system of record (issue 14).
//
// helpdesk_providers: one row per configured helpdesk. The API token lives only sealed
//   (SecretBox, 'v1:' prefix checked), never in another column, a log or the audit trail.
// helpdesk_links: a console ticket ⇄ one helpdesk ticket, with what was imported (subject,
//   requester) so the page shows it offline. One helpdesk ticket links to one console ticket.
//   `reported_seq`: the audit entry of the last completed procedure whose report note was
//   queued (set in the same transaction as the queueing), so each completion is reported once.
//   `follow_status`: the agent allowed the helpdesk ticket's status to follow the console's.
// helpdesk_attachments: the helpdesk ticket's attachments as listed at import; evidence_id
//   is set when one went into the console, keeping the helpdesk attachment id as provenance.
// helpdesk_outbox: everything sent to a helpdesk. `idem_key` is unique and is also written
//   into what is sent (RT has no idempotency header), so a send whose answer was lost is
//   looked up before it is retried: a crash, a network loss or a 429 never duplicates it.
//   'sending' is written (committed) before the request: found at start, it means "uncertain".
// helpdesk_outbox_files: the files of an item (PDF report, JSON bundle) frozen when queued,
//   with their SHA-256, so what is sent later is exactly what the agent queued.
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE helpdesk_providers (
      id            TEXT PRIMARY KEY CHECK (id IN ('rt', 'zendesk')),
      base_url      TEXT NOT NULL CHECK (base_url LIKE 'http%'),
      username      TEXT NOT NULL DEFAULT '',
      secret_sealed TEXT NOT NULL CHECK (secret_sealed LIKE 'v1:%'),
      updated_at    TEXT NOT NULL
    ) STRICT;
    CREATE TABLE helpdesk_links (
      ticket_id   INTEGER PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
      provider    TEXT NOT NULL CHECK (provider IN ('rt', 'zendesk')),
      remote_id   TEXT NOT NULL CHECK (length(remote_id) BETWEEN 1 AND 64),
      subject     TEXT NOT NULL DEFAULT '',
      requester   TEXT NOT NULL DEFAULT '{}',
      linked_at   TEXT NOT NULL,
      reported_seq INTEGER NOT NULL DEFAULT 0,
      follow_status INTEGER NOT NULL DEFAULT 0 CHECK (follow_status IN (0, 1)),
      UNIQUE (provider, remote_id)
    ) STRICT;
    CREATE TABLE helpdesk_attachments (
      id          INTEGER PRIMARY KEY,
      ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
      remote_id   TEXT NOT NULL,
      file_name   TEXT NOT NULL,
      mime        TEXT NOT NULL,
      size        INTEGER NOT NULL CHECK (size >= 0),
      evidence_id INTEGER,
      taken_at    TEXT,
      UNIQUE (ticket_id, remote_id)
    ) STRICT;
    CREATE TABLE helpdesk_outbox (
      id               INTEGER PRIMARY KEY,
      idem_key         TEXT NOT NULL UNIQUE CHECK (length(idem_key) >= 16),
      ticket_id        INTEGER NOT NULL REFERENCES tickets (id),
      provider         TEXT NOT NULL CHECK (provider IN ('rt', 'zendesk')),
      remote_ticket_id TEXT NOT NULL,
      kind             TEXT NOT NULL CHECK (kind IN ('note', 'reply', 'status')),
      subject          TEXT NOT NULL,
      body             TEXT NOT NULL,
      status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
      attempts         INTEGER NOT NULL DEFAULT 0,
      next_at          TEXT,
      last_error       TEXT,
      remote_ref       TEXT,
      created_at       TEXT NOT NULL,
      sent_at          TEXT
    ) STRICT;
    CREATE INDEX helpdesk_outbox_due ON helpdesk_outbox (status, next_at) WHERE status IN ('pending', 'sending');
    CREATE INDEX helpdesk_outbox_ticket ON helpdesk_outbox (ticket_id, id);
    CREATE TABLE helpdesk_outbox_files (
      outbox_id INTEGER NOT NULL REFERENCES helpdesk_outbox (id) ON DELETE CASCADE,
      seq       INTEGER NOT NULL,
      name      TEXT NOT NULL,
      mime      TEXT NOT NULL,
      sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
      content   BLOB NOT NULL,
      PRIMARY KEY (outbox_id, seq)
    ) STRICT;
  `)
}
