// The NVR reset as one observed workflow run per ticket (issue 12): its "Code applied" step
// completes when the code was entered on the bench NVR or sent to the customer. The sending is
// recorded on the code (sent_at), in the same transaction as its audit entry. Codes sent
// before this migration get the time of their audit entry ('nvrReset.message', kind 'code').
import type { Database } from 'better-sqlite3'

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE nvr_reset_codes ADD COLUMN sent_at TEXT;
    UPDATE nvr_reset_codes SET sent_at = (
      SELECT min(a.at) FROM audit_log a
      WHERE a.action = 'nvrReset.message' AND a.ticket_id = nvr_reset_codes.ticket_id
        AND json_extract(a.inputs, '$.kind') = 'code' AND json_extract(a.inputs, '$.codeId') = nvr_reset_codes.id
    );
  `)
}
