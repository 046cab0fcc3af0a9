// Retention for the NVR reset's own copy of photo data (issue 7). The photo bytes live in the
// evidence vault and are purged there (kind qr-photo is personal data). What the reset keeps
// beside them, in nvr_reset_photos (migration 6), was read out of the picture: the EXIF
// capture time and the decoded QR text with its position in the picture. Once the photo is
// past the retention period, or its bytes are gone (retention or deleted on purpose), this
// drops those too. Size, dimensions, decode status and the SHA-256 stay, and each photo
// purged is one audit entry (`nvrReset.photoPurge`) carrying its hash. The case keeps the
// payload it adopted (device identity: serial, MAC, model; the nonce is long expired).
import type { ResetView } from '../../../shared/contract/nvr-reset'
import type { NvrResetRepo } from '../../../db/repos/nvr-reset'
import type { Events, Recording } from '../../infra/ports'
import type { PersonalDataPurge } from '../evidence'
import type { EvidenceVault } from '../evidence'

/** What the photo purge needs: the reset's rows, the vault, audited changes, and the view to announce. */
export type ResetPhotoPurgeDeps = Pick<Recording, 'record'> & Events & {
  readonly repo: NvrResetRepo
  readonly vault: EvidenceVault
  view(ticketId: number): Promise<ResetView>
}

/** The purge the composition root hands to the evidence retention run (same cutoff, same agent). */
export function resetPhotoPurge(deps: ResetPhotoPurgeDeps): PersonalDataPurge {
  return (cutoffIso, agent) => purgeResetPhotos(deps, cutoffIso, agent)
}

export async function purgeResetPhotos(deps: ResetPhotoPurgeDeps, cutoffIso: string, agent: string): Promise<number> {
  const due = await deps.repo.photosDueForPurge(cutoffIso)
  if (due.length === 0) return 0
  const v = deps.vault.repo
  const now = new Date().toISOString()
  const tickets = new Set<number>()
  for (const d of due) {
    await deps.record(
      () => {
        // Normally the vault purged the bytes just before (same cutoff); a photo stored as
        // non-personal by mistake is purged here all the same.
        if (d.contentKept) v.tx().purge(d.evidenceId, 'retention', agent, now, 'NVR reset photo past the retention period.')
        deps.repo.tx().scrubPhoto(d.id)
      },
      () => ({
        action: 'nvrReset.photoPurge',
        outcome: 'ok',
        ticketId: d.ticketId,
        inputs: { photoId: d.id, evidenceId: d.evidenceId, sha256: d.sha256, dropped: ['decoded QR text and positions', 'capture time'] },
        detail: d.purged || !d.contentKept ? 'The photo was removed from the evidence vault; the data read from it is removed too.' : 'Kept for the retention period.',
      }),
    )
    tickets.add(d.ticketId)
  }
  // No call of the agent made this change: the event carries the new view (built once).
  for (const ticketId of tickets) deps.bus.emit('nvrReset.changed', { ticketId, view: await deps.view(ticketId) })
  return due.length
}
