// Retention for the NVR reset's own copy of photo data (issue 7). The photo bytes live in the
// evidence vault and are purged there (kind qr-photo is personal data). What the reset keeps
// beside them, in nvr_reset_photos (migration 6), was read out of the picture: the EXIF
// capture time and the decoded QR text with its position in the picture. Once the photo is
// past the retention period, or its bytes are gone (retention or deleted on purpose), this
// drops those too. Size, dimensions, decode status and the SHA-256 stay, and each photo
// purged is one audit entry (`nvrReset.photoPurge`) carrying its hash. The case keeps the
// payload it adopted (device identity: serial, MAC, model; the nonce is long expired).
import type { App } from '../core/app'
import { buildView } from './view'
import { registerPersonalDataPurge } from '../evidence/retention'
import { vault } from '../evidence/vault'

interface Due {
  id: number
  ticket_id: number
  evidence_id: number
  sha256: string
  content_kept: 0 | 1
  purged: string | null
}

export async function purgeResetPhotos(app: App, cutoffIso: string, agent: string): Promise<number> {
  const due = app.db
    .prepare(
      `SELECT p.id, p.ticket_id, p.evidence_id, p.sha256, e.content IS NOT NULL AS content_kept, e.purged_at AS purged
       FROM nvr_reset_photos p JOIN evidence e ON e.id = p.evidence_id
       WHERE (e.purged_at IS NOT NULL OR p.received_at < ?) AND (p.codes != '[]' OR p.captured_at IS NOT NULL OR e.content IS NOT NULL)
       ORDER BY p.id`,
    )
    .all(cutoffIso) as Due[]
  if (due.length === 0) return 0
  const v = vault(app)
  const scrub = app.db.prepare("UPDATE nvr_reset_photos SET codes = '[]', captured_at = NULL, captured_has_zone = 0, decode_error = NULL WHERE id = ?")
  const now = new Date().toISOString()
  const tickets = new Set<number>()
  for (const d of due) {
    app.db
      .transaction(() => {
        // Normally the vault purged the bytes just before (same cutoff); a photo stored as
        // non-personal by mistake is purged here all the same.
        if (d.content_kept) v.purgeSync(d.evidence_id, 'retention', agent, now, 'NVR reset photo past the retention period.')
        scrub.run(d.id)
        app.auditLog.appendSync(
          {
            agent,
            action: 'nvrReset.photoPurge',
            outcome: 'ok',
            ticketId: d.ticket_id,
            inputs: { photoId: d.id, evidenceId: d.evidence_id, sha256: d.sha256, dropped: ['decoded QR text and positions', 'capture time'] },
            detail: d.purged || !d.content_kept ? 'The photo was removed from the evidence vault; the data read from it is removed too.' : 'Kept for the retention period.',
          },
          now,
        )
      })
      .immediate()
    tickets.add(d.ticket_id)
  }
  // No call of the agent made this change: the event carries the new view (built once).
  for (const ticketId of tickets) app.bus.emit('nvrReset.changed', { ticketId, view: await buildView(app, ticketId) })
  return due.length
}

registerPersonalDataPurge('nvr-reset photos', purgeResetPhotos)
