import type { Database } from 'better-sqlite3'

// Guided workflow runs. A run belongs to one ticket; every step visit is a row written the
// moment it changes, so a crash loses nothing that was confirmed. `phase = 'running'` marks an
// automatic step whose operation was started: if the process dies there, the engine finds the
// row on restart and re-checks the device instead of blindly running the operation again.
// Secrets (security codes, generated passwords) are stored sealed by the app's SecretBox.
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE workflow_runs (
      id                INTEGER PRIMARY KEY,
      ticket_id         INTEGER NOT NULL REFERENCES tickets(id),
      procedure         TEXT NOT NULL,
      procedure_version INTEGER NOT NULL,
      status            TEXT NOT NULL CHECK (status IN ('active', 'completed', 'abandoned')),
      current_step      TEXT,
      facts             TEXT NOT NULL DEFAULT '{}',
      secrets           TEXT NOT NULL DEFAULT '{}',
      created_at        TEXT NOT NULL,
      updated_at        TEXT NOT NULL,
      ended_at          TEXT
    ) STRICT;
    CREATE INDEX workflow_runs_ticket ON workflow_runs (ticket_id, id);
    CREATE UNIQUE INDEX workflow_runs_one_active ON workflow_runs (ticket_id, procedure) WHERE status = 'active';

    CREATE TABLE workflow_steps (
      id          INTEGER PRIMARY KEY,
      run_id      INTEGER NOT NULL REFERENCES workflow_runs(id),
      step_id     TEXT NOT NULL,
      visit       INTEGER NOT NULL,
      state       TEXT NOT NULL CHECK (state IN ('current', 'done', 'blocked', 'skipped', 'failed')),
      phase       TEXT NOT NULL DEFAULT 'idle' CHECK (phase IN ('idle', 'running')),
      outcome     TEXT,
      why         TEXT NOT NULL DEFAULT '',
      inputs      TEXT NOT NULL DEFAULT '{}',
      result      TEXT NOT NULL DEFAULT '{}',
      agent       TEXT NOT NULL DEFAULT '',
      started_at  TEXT NOT NULL,
      ended_at    TEXT,
      UNIQUE (run_id, step_id, visit)
    ) STRICT;
    CREATE INDEX workflow_steps_run ON workflow_steps (run_id, id);

    CREATE TABLE workflow_notes (
      id          INTEGER PRIMARY KEY,
      run_id      INTEGER NOT NULL REFERENCES workflow_runs(id),
      step_row    INTEGER NOT NULL REFERENCES workflow_steps(id),
      agent       TEXT NOT NULL,
      body        TEXT NOT NULL,
      created_at  TEXT NOT NULL
    ) STRICT;

    CREATE TABLE workflow_files (
      id          INTEGER PRIMARY KEY,
      run_id      INTEGER NOT NULL REFERENCES workflow_runs(id),
      step_row    INTEGER NOT NULL REFERENCES workflow_steps(id),
      kind        TEXT NOT NULL,
      name        TEXT NOT NULL,
      size        INTEGER NOT NULL,
      sha256      TEXT NOT NULL,
      stored_as   TEXT NOT NULL,
      protected   INTEGER NOT NULL DEFAULT 0,
      verified    INTEGER NOT NULL DEFAULT 0,
      detail      TEXT NOT NULL DEFAULT '',
      created_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX workflow_files_run ON workflow_files (run_id, id);
  `)
}
