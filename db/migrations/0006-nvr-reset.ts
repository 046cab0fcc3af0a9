import type { Database } from 'better-sqlite3'

// The NVR "Option 2" password reset (issue 6). Photo bytes live in the evidence vault
// (kind qr-photo); these tables hold what the reset needs on top: the photo's times and
// decode result, the one reset case per ticket (the QR in use, its clock facts and state),
// the ownership checks, and the security codes, which are stored only sealed.
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE nvr_reset_photos (
      id              INTEGER PRIMARY KEY,
      ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
      evidence_id     INTEGER NOT NULL REFERENCES evidence (id),
      sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
      size            INTEGER NOT NULL CHECK (size > 0),
      mime            TEXT NOT NULL,
      width           INTEGER NOT NULL,
      height          INTEGER NOT NULL,
      file_name       TEXT NOT NULL,
      source          TEXT NOT NULL CHECK (source IN ('drop', 'picker', 'paste', 'eml', 'cli')),
      received_at     TEXT NOT NULL,
      -- EXIF DateTimeOriginal; without a zone unless captured_has_zone = 1.
      captured_at     TEXT,
      captured_has_zone INTEGER NOT NULL DEFAULT 0 CHECK (captured_has_zone IN (0, 1)),
      decode_status   TEXT NOT NULL DEFAULT 'pending' CHECK (decode_status IN ('pending', 'found', 'none', 'failed')),
      decode_ms       REAL,
      decode_strategy TEXT,
      decode_error    TEXT,
      -- JSON [{ text, position: [[x,y] x4], region }]
      codes           TEXT NOT NULL DEFAULT '[]',
      UNIQUE (ticket_id, sha256)
    ) STRICT;

    CREATE TABLE nvr_reset_cases (
      ticket_id       INTEGER PRIMARY KEY REFERENCES tickets (id),
      photo_id        INTEGER REFERENCES nvr_reset_photos (id),
      payload         TEXT,
      format          TEXT,
      vendor          TEXT,
      serial          TEXT,
      mac             TEXT,
      model           TEXT,
      nonce           TEXT,
      issued_at       TEXT,
      received_at     TEXT,
      customer_tz     TEXT NOT NULL DEFAULT 'Europe/Prague',
      device_address  TEXT NOT NULL DEFAULT '',
      -- Device clock minus real time, when known (ms).
      device_offset_ms INTEGER,
      invalidated     TEXT CHECK (invalidated IS NULL OR invalidated IN ('left-screen', 'reboot', 'new-qr', 'code-limit')),
      invalidated_at  TEXT,
      approved_by     TEXT,
      approved_at     TEXT,
      -- Wrong codes the NVR counted for the QR in use (the device locks at 5).
      wrong_codes     INTEGER NOT NULL DEFAULT 0,
      locked_until    TEXT,
      applied_at      TEXT,
      verified_at     TEXT,
      verify_detail   TEXT,
      created_at      TEXT NOT NULL,
      updated_at      TEXT NOT NULL
    ) STRICT;

    CREATE TABLE nvr_reset_checks (
      id          INTEGER PRIMARY KEY,
      ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
      kind        TEXT NOT NULL CHECK (kind IN ('label-photo', 'ownership-document', 'requester-is-owner')),
      passed      INTEGER NOT NULL CHECK (passed IN (0, 1)),
      evidence_id INTEGER REFERENCES evidence (id),
      note        TEXT NOT NULL DEFAULT '',
      agent       TEXT NOT NULL,
      at          TEXT NOT NULL
    ) STRICT;
    CREATE INDEX nvr_reset_checks_ticket ON nvr_reset_checks (ticket_id, kind, id);

    CREATE TABLE nvr_reset_codes (
      id          INTEGER PRIMARY KEY,
      ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
      -- The QR (nonce) the code was issued for: a code is useless with any other QR.
      nonce       TEXT NOT NULL,
      provider    TEXT NOT NULL CHECK (provider IN ('lab', 'http', 'manual')),
      code_sealed TEXT NOT NULL CHECK (code_sealed LIKE 'v1:%'),
      code_hint   TEXT NOT NULL,
      reference   TEXT,
      expires_at  TEXT,
      status      TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'accepted', 'rejected', 'void')),
      status_detail TEXT NOT NULL DEFAULT '',
      agent       TEXT NOT NULL,
      obtained_at TEXT NOT NULL,
      used_at     TEXT
    ) STRICT;
    CREATE INDEX nvr_reset_codes_ticket ON nvr_reset_codes (ticket_id, id);
  `)
}
