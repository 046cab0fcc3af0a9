import type { Database } from 'better-sqlite3'

// Passwords a device rejected, remembered across processes (issue 4: never retry a failed
// login in a way that trips the device's lockout). Before, only the stored credential of an
// inventory device was marked (device_credentials.rejected_at, cleared by "Set credentials")
// and everything else lived in the memory of one process, so each command-line run, each
// "add by address" and each re-entry of the same wrong password cost the device one more
// failed login.
//
// A row is one rejected (device, user, password). The password is kept only inside
// `fingerprint`: HMAC-SHA256 under a key derived from the data folder's secret key
// (app.secrets.fingerprint) over the scope (the device's serial, or its address while its
// serial is unknown), the account realm (a 2N web admin login is not an API account), the
// user name and the password. Without the key nothing can be tested against it offline.
// The rest says when, where and by what the login was rejected, for the refusal message and
// the device page. `cleared_at` ends a row's effect without losing its history: the
// console's own factory reset of the device or its setting of that very password.
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE device_rejected_logins (
      id          INTEGER PRIMARY KEY,
      fingerprint TEXT NOT NULL UNIQUE CHECK (length(fingerprint) = 64),
      scope       TEXT NOT NULL CHECK (scope IN ('serial', 'address')),
      device_id   INTEGER REFERENCES devices (id) ON DELETE SET NULL,
      serial      TEXT NOT NULL DEFAULT '',
      ip          TEXT NOT NULL,
      kind        TEXT NOT NULL DEFAULT 'unknown' CHECK (kind IN ('intercom', 'nvr', 'camera', 'unknown')),
      realm       TEXT NOT NULL CHECK (realm IN ('device', 'web')),
      username    TEXT NOT NULL,
      action      TEXT NOT NULL,
      rejected_at TEXT NOT NULL,
      cleared_at  TEXT,
      cleared_by  TEXT CHECK (cleared_by IN ('factory-reset', 'password-set'))
    ) STRICT;
    CREATE INDEX device_rejected_logins_device ON device_rejected_logins (device_id, rejected_at DESC);
    CREATE INDEX device_rejected_logins_serial ON device_rejected_logins (serial) WHERE serial <> '';
    CREATE INDEX device_rejected_logins_ip ON device_rejected_logins (ip);
  `)
}
