// Builds what the ticket page shows of a reset: one read of the rows, the validity worked
// out at this moment, and the stage the agent is at (with the reason when it is blocked).
import { ResetCheckKind, type ResetView } from '../../../shared/contract/nvr-reset'
import type { CaseRow, CheckKind } from '../../../db/repos/nvr-reset'
import type { CommonRepos } from '../../infra/ports'
import { codeKind } from './choose-code'
import { parsePayload } from './payload'
import { loadSettings, type StoredSettings } from './settings'
import type { ResetRows } from './deps'
import { assessValidity, INVALIDATED_BY } from './validity'

/** What the view reads: the ticket, the reset's settings and its rows. */
export type ViewDeps = Pick<CommonRepos, 'tickets' | 'settings'> & ResetRows

export const CHECK_KINDS: readonly CheckKind[] = ResetCheckKind.options

/** The per-code invalidation rules, stated for the agent (the seed; nvr-reset.md §5). */
export const INVALIDATORS = [
  'The customer leaves the Retrieve Password screen (the QR and its codes are forgotten).',
  'The NVR restarts or loses power.',
  'The validity runs out (one day from the QR’s issue time by default; the NVR judges by its own clock).',
  'Two codes were already used with this QR.',
  'Five wrong codes lock code entry on the NVR for 5 minutes.',
]

export function validityOf(c: CaseRow, s: StoredSettings, capturedAt: string | null, capturedHasZone: boolean, now = Date.now()) {
  const vendor = c.vendor ?? 'unknown'
  const validityHours = s.validityHours[vendor] ?? s.validityHours.unknown ?? 24
  const v = assessValidity({
    issuedAt: c.issuedAt, validityHours, receivedAt: c.receivedAt ?? c.createdAt, capturedAt, capturedAtHasZone: capturedHasZone,
    customerTz: c.customerTz, deviceOffsetMs: c.deviceOffsetMs, invalidated: c.invalidated, toleranceMinutes: s.skewToleranceMinutes, now,
  })
  return { ...v, validityHours }
}

/**
 * Where the inventory last saw this NVR (matched by the serial, else the MAC the QR carries):
 * the bench address the agent would otherwise look up and type.
 */
export async function inventoryAddress(deps: ResetRows, serial: string | null, mac: string | null): Promise<string> {
  const r = await deps.repo.inventorySighting(serial ?? '', (mac ?? '').toUpperCase().replace(/-/g, ':'))
  if (!r) return ''
  return r.httpPort && r.httpPort !== 80 ? `${r.ip}:${r.httpPort}` : r.ip
}

export async function buildView(deps: ViewDeps, ticketId: number, now = Date.now()): Promise<ResetView> {
  const repo = deps.repo
  const ticket = await deps.tickets.get(ticketId)
  const s = await loadSettings(deps)
  const photos = await repo.photos(ticketId)
  const c = await repo.getCase(ticketId)
  const checks = await repo.latestChecks(ticketId)
  const codes = await repo.codes(ticketId)
  const photo = c?.photoId ? photos.find((p) => p.id === c.photoId) ?? null : null
  let caseView: ResetView['case'] = null
  if (c) {
    const parsed = c.payload ? parsePayload(c.payload) : null
    const v = validityOf(c, s, photo?.capturedAt ?? null, photo?.capturedHasZone ?? false, now)
    caseView = {
      photoId: c.photoId, payload: c.payload, format: c.format, formatLabel: parsed?.label ?? '',
      fields: parsed?.fields ?? null, problems: parsed?.problems ?? [],
      customerTz: c.customerTz, deviceAddress: c.deviceAddress, deviceOffsetMs: c.deviceOffsetMs,
      invalidated: c.invalidated, invalidatedAt: c.invalidatedAt, invalidatedMessage: c.invalidated ? INVALIDATED_BY[c.invalidated] : null,
      validity: { state: v.state, expiresAt: v.expiresAt, validityHours: v.validityHours, capturedAtUtc: v.capturedAtUtc, warnings: v.warnings },
      serialMatchesTicket: parsed?.fields?.serial && ticket.deviceSerial ? parsed.fields.serial.toUpperCase() === ticket.deviceSerial.trim().toUpperCase() : null,
      approvedBy: c.approvedBy, approvedAt: c.approvedAt, wrongCodes: c.wrongCodes, lockedUntil: c.lockedUntil,
      appliedAt: c.appliedAt, verifiedAt: c.verifiedAt, verifyDetail: c.verifyDetail,
      inventoryAddress: await inventoryAddress(deps, c.serial, c.mac),
    }
  }
  const ownershipComplete = CHECK_KINDS.every((k) => checks.some((x) => x.kind === k && x.passed))
  const approvalRequired = s.requireSecondAgent
  const codeRows = codes.map((x) => ({
    id: x.id, provider: x.provider, hint: x.codeHint, status: x.status, statusDetail: x.statusDetail, obtainedAt: x.obtainedAt,
    expiresAt: x.expiresAt, reference: x.reference, usedAt: x.usedAt, sentAt: x.sentAt ?? null, agent: x.agent, forCurrentQr: !!c?.nonce && x.nonce === c.nonce,
  }))
  const { stage, blockedReason } = stageOf(caseView, ownershipComplete, approvalRequired, codeRows)
  return {
    ticketId, stage, blockedReason, photos: photos.map((p) => ({ ...p, codes: p.codes.map((x) => ({ ...x, kind: codeKind(x.text) })) })), case: caseView,
    checks: checks.map((x) => ({ kind: x.kind, passed: x.passed, note: x.note, agent: x.agent, at: x.at, evidenceId: x.evidenceId })),
    ownershipComplete, approvalRequired, codes: codeRows, invalidators: INVALIDATORS,
    providers: { lab: !!(s.lab.url && s.lab.keySealed), http: !!s.http.url },
  }
}

function stageOf(c: ResetView['case'], owned: boolean, approvalRequired: boolean, codes: ResetView['codes']): { stage: ResetView['stage']; blockedReason: string | null } {
  if (c?.verifiedAt) return { stage: 'done', blockedReason: null }
  if (!c || !c.payload) return { stage: c ? 'payload' : 'photo', blockedReason: null }
  if (c.invalidated) return { stage: 'blocked', blockedReason: c.invalidatedMessage }
  if (c.validity.state === 'expired') return { stage: 'blocked', blockedReason: 'The QR has expired. Ask the customer to reopen the Retrieve Password screen and send a new photo.' }
  if (!owned) return { stage: 'ownership', blockedReason: null }
  if (approvalRequired && !c.approvedBy) return { stage: 'approval', blockedReason: null }
  if (!codes.some((x) => x.forCurrentQr && x.status === 'issued')) return { stage: 'code', blockedReason: null }
  return { stage: 'apply', blockedReason: null }
}
