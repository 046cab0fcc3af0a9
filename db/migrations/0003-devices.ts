import type { Database } from 'better-sqlite3'

// The device inventory (issue 4): every device ever seen, with address and firmware
// history, ticket links, sealed credentials (app.secrets: AES-256-GCM; the key is wrapped
// by safeStorage or kept in a 0600 key file), pinned HTTPS certificate fingerprints and
// configuration backups stored as BLOBs with their SHA-256. A device is identified by its
// serial number, else its MAC address, else its WS-Discovery endpoint reference.
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE devices (
      id            INTEGER PRIMARY KEY,
      serial        TEXT NOT NULL DEFAULT '',
      mac           TEXT NOT NULL DEFAULT '',
      endpoint      TEXT NOT NULL DEFAULT '',
      kind          TEXT NOT NULL DEFAULT 'unknown' CHECK (kind IN ('intercom', 'nvr', 'camera', 'unknown')),
      vendor        TEXT NOT NULL DEFAULT '',
      model         TEXT NOT NULL DEFAULT '',
      name          TEXT NOT NULL DEFAULT '',
      firmware      TEXT NOT NULL DEFAULT '',
      ip            TEXT NOT NULL DEFAULT '',
      http_port     INTEGER,
      https_port    INTEGER,
      onvif_url     TEXT NOT NULL DEFAULT '',
      protocols     TEXT NOT NULL DEFAULT '[]',
      first_seen    TEXT NOT NULL,
      last_seen     TEXT NOT NULL,
      -- Set when the console itself ran a network factory reset: until then a new HTTPS
      -- certificate is expected and pinned without asking the agent.
      cert_reset_until TEXT
    ) STRICT;
    CREATE UNIQUE INDEX devices_serial ON devices (serial) WHERE serial <> '';
    CREATE INDEX devices_mac ON devices (mac) WHERE mac <> '';
    CREATE INDEX devices_endpoint ON devices (endpoint) WHERE endpoint <> '';
    CREATE INDEX devices_last_seen ON devices (last_seen DESC);

    CREATE TABLE device_addresses (
      device_id  INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
      ip         TEXT NOT NULL,
      iface      TEXT NOT NULL DEFAULT '',
      first_seen TEXT NOT NULL,
      last_seen  TEXT NOT NULL,
      PRIMARY KEY (device_id, ip)
    ) STRICT;
    CREATE INDEX device_addresses_ip ON device_addresses (ip);

    CREATE TABLE device_firmware (
      device_id  INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
      firmware   TEXT NOT NULL,
      first_seen TEXT NOT NULL,
      last_seen  TEXT NOT NULL,
      PRIMARY KEY (device_id, firmware)
    ) STRICT;

    CREATE TABLE device_tickets (
      device_id INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
      ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
      linked_at TEXT NOT NULL,
      PRIMARY KEY (device_id, ticket_id)
    ) STRICT;
    CREATE INDEX device_tickets_ticket ON device_tickets (ticket_id);

    CREATE TABLE device_credentials (
      device_id  INTEGER PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
      username   TEXT NOT NULL,
      sealed     TEXT NOT NULL CHECK (sealed LIKE 'v1:%'),
      -- Set when the device rejected this exact credential: never tried again until replaced.
      rejected_at TEXT,
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE device_tls_pins (
      device_id   INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
      fingerprint TEXT NOT NULL,
      pinned_at   TEXT NOT NULL,
      reason      TEXT NOT NULL CHECK (reason IN ('first-use', 'agent', 'after-reset')),
      replaced_at TEXT,
      PRIMARY KEY (device_id, fingerprint)
    ) STRICT;
    CREATE UNIQUE INDEX device_tls_pins_current ON device_tls_pins (device_id) WHERE replaced_at IS NULL;

    CREATE TABLE device_backups (
      id            INTEGER PRIMARY KEY,
      device_id     INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
      ticket_id     INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
      taken_at      TEXT NOT NULL,
      sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
      size          INTEGER NOT NULL CHECK (size >= 0),
      serial        TEXT NOT NULL,
      firmware      TEXT NOT NULL DEFAULT '',
      format        TEXT NOT NULL,
      verified      INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
      verify_detail TEXT NOT NULL DEFAULT '',
      -- Encrypted exports (ISAPI) need the key they were taken with to be restored.
      secret_sealed TEXT,
      data          BLOB NOT NULL
    ) STRICT;
    CREATE INDEX device_backups_device ON device_backups (device_id, taken_at DESC);
    CREATE INDEX device_backups_ticket ON device_backups (ticket_id);
  `)
}
