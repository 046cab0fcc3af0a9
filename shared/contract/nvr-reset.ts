// The NVR "Option 2" password reset from a customer's QR photo (issue 6): photo intake and
// decoding, the payload, validity, ownership checks, security codes and the device loop.
// Codes reach the renderer only through nvrReset.revealCode and the customer message that
// carries them (nvrReset.message), both audited; passwords never leave.
import { z } from 'zod'
import { defineEvents, defineMethods, Empty, Id } from './common'

const MAX_PHOTO_BASE64 = Math.ceil((40 * 1024 * 1024) / 3) * 4
const Base64 = z.string().min(1, 'The file is empty').max(MAX_PHOTO_BASE64, 'Files up to 40 MB can be added').regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Not base64')

export const ResetPhotoSource = z.enum(['drop', 'picker', 'paste', 'eml', 'cli'])
export type ResetPhotoSource = z.infer<typeof ResetPhotoSource>
export const ResetInvalidation = z.enum(['left-screen', 'reboot', 'new-qr', 'code-limit'])
export type ResetInvalidation = z.infer<typeof ResetInvalidation>
export const ResetCheckKind = z.enum(['label-photo', 'ownership-document', 'requester-is-owner'])
export type ResetCheckKind = z.infer<typeof ResetCheckKind>
export const ResetProviderId = z.enum(['lab', 'http', 'manual'])
export type ResetProviderId = z.infer<typeof ResetProviderId>
export const ResetDecodeStatus = z.enum(['pending', 'found', 'none', 'failed'])
export type ResetDecodeStatus = z.infer<typeof ResetDecodeStatus>
export const ResetCodeStatus = z.enum(['issued', 'accepted', 'rejected', 'void'])
export type ResetCodeStatus = z.infer<typeof ResetCodeStatus>

const Point = z.tuple([z.number(), z.number()])
export const ResetFoundCode = z.object({
  text: z.string(),
  position: z.array(Point),
  region: z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number(), rotate: z.number() }).nullable(),
  /** 'reset': a vendor parser reads it; 'unknown': no parser does (kept raw); 'other': not a reset code (a link, Wi-Fi, a contact card). */
  kind: z.enum(['reset', 'unknown', 'other']),
})
export type ResetFoundCode = z.infer<typeof ResetFoundCode>

export const ResetPhoto = z.object({
  id: Id,
  evidenceId: Id,
  sha256: z.string(),
  size: z.number().int(),
  mime: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  fileName: z.string(),
  source: ResetPhotoSource,
  receivedAt: z.string(),
  capturedAt: z.string().nullable(),
  capturedHasZone: z.boolean(),
  decodeStatus: ResetDecodeStatus,
  decodeMs: z.number().nullable(),
  decodeStrategy: z.string().nullable(),
  decodeError: z.string().nullable(),
  codes: z.array(ResetFoundCode),
})
export type ResetPhoto = z.infer<typeof ResetPhoto>

export const ResetWarning = z.object({ code: z.string(), message: z.string() })

export const ResetCase = z.object({
  photoId: z.number().int().nullable(),
  payload: z.string().nullable(),
  format: z.string().nullable(),
  formatLabel: z.string(),
  fields: z.object({ serial: z.string(), mac: z.string(), model: z.string(), nonce: z.string(), issuedAt: z.string() }).nullable(),
  problems: z.array(z.string()),
  customerTz: z.string(),
  deviceAddress: z.string(),
  deviceOffsetMs: z.number().nullable(),
  invalidated: ResetInvalidation.nullable(),
  invalidatedAt: z.string().nullable(),
  invalidatedMessage: z.string().nullable(),
  validity: z.object({
    state: z.enum(['valid', 'expiring', 'expired', 'invalidated', 'unknown']),
    expiresAt: z.string().nullable(),
    validityHours: z.number(),
    capturedAtUtc: z.string().nullable(),
    warnings: z.array(ResetWarning),
  }),
  serialMatchesTicket: z.boolean().nullable(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  wrongCodes: z.number().int(),
  lockedUntil: z.string().nullable(),
  appliedAt: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  verifyDetail: z.string().nullable(),
  /** The NVR's address in the device inventory, matched by the QR's serial or MAC ('' if none). */
  inventoryAddress: z.string().default(''),
})
export type ResetCase = z.infer<typeof ResetCase>

export const ResetCheck = z.object({ kind: ResetCheckKind, passed: z.boolean(), note: z.string(), agent: z.string(), at: z.string(), evidenceId: z.number().int().nullable() })
export type ResetCheck = z.infer<typeof ResetCheck>
export const ResetCode = z.object({
  id: Id,
  provider: ResetProviderId,
  hint: z.string(),
  status: ResetCodeStatus,
  statusDetail: z.string(),
  obtainedAt: z.string(),
  expiresAt: z.string().nullable(),
  reference: z.string().nullable(),
  usedAt: z.string().nullable(),
  /** The message carrying this code was written for the customer. */
  sentAt: z.string().nullable(),
  agent: z.string(),
  forCurrentQr: z.boolean(),
})
export type ResetCode = z.infer<typeof ResetCode>

export const ResetStage = z.enum(['photo', 'payload', 'ownership', 'approval', 'code', 'apply', 'done', 'blocked'])
export const ResetView = z.object({
  ticketId: Id,
  stage: ResetStage,
  blockedReason: z.string().nullable(),
  photos: z.array(ResetPhoto),
  case: ResetCase.nullable(),
  checks: z.array(ResetCheck),
  ownershipComplete: z.boolean(),
  approvalRequired: z.boolean(),
  codes: z.array(ResetCode),
  invalidators: z.array(z.string()),
  providers: z.object({ lab: z.boolean(), http: z.boolean() }),
})
export type ResetView = z.infer<typeof ResetView>

export const ResetIntakeResult = z.object({
  name: z.string(),
  /** skipped: over the pixel budget of its .eml or of the call, never decoded; cancelled: the agent stopped the intake first. */
  status: z.enum(['added', 'duplicate', 'refused', 'skipped', 'cancelled']),
  message: z.string(),
  photoId: z.number().int().nullable(),
  /** The message's translation (renderer errors.<key>), where it has one. */
  key: z.string().optional(),
  values: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
})
export type ResetIntakeResult = z.infer<typeof ResetIntakeResult>

export const ResetSettings = z.object({
  lab: z.object({ url: z.string(), keySet: z.boolean() }),
  http: z.object({ url: z.string(), keyHeader: z.string(), keyPrefix: z.string(), bodyTemplate: z.string(), codePath: z.string(), keySet: z.boolean() }),
  validityHours: z.record(z.string(), z.number()),
  requireSecondAgent: z.boolean(),
  skewToleranceMinutes: z.number(),
  defaultTz: z.string(),
})
export type ResetSettings = z.infer<typeof ResetSettings>

/** An approver's own PIN: 6 to 12 digits (issue 13: 4 digits fell to guessing), typed by the approver at the agent's console. */
const ApproverPin = z.string().regex(/^\d{6,12}$/, 'A PIN is 6 to 12 digits')
/** A PIN typed to prove who someone is: any enrolled PIN (older ones may be shorter), never validated for strength. */
const TypedPin = z.string().regex(/^\d{1,12}$/, 'A PIN is digits only')
export const Approver = z.object({ name: z.string(), email: z.string(), addedBy: z.string(), addedAt: z.string() })
export type Approver = z.infer<typeof Approver>

const tid = z.object({ ticketId: Id }).strict()
const Rect = z.object({ x: z.number().int().min(0), y: z.number().int().min(0), w: z.number().int().min(8), h: z.number().int().min(8) }).strict()

export const nvrResetMethods = defineMethods({
  'nvrReset.get': { input: tid, output: ResetView, summary: 'The NVR reset of a ticket: photos, QR, validity, checks, codes' },
  'nvrReset.addPhotos': {
    input: z.object({ ticketId: Id, files: z.array(z.object({ name: z.string().trim().min(1).max(200), source: ResetPhotoSource, dataBase64: Base64 }).strict()).min(1).max(20) }).strict(),
    output: z.object({ view: ResetView, results: z.array(ResetIntakeResult) }),
    summary: 'Add customer photos (or .eml files with photo attachments) and decode their QR codes',
  },
  'nvrReset.cancelIntake': {
    input: tid,
    output: z.object({ cancelled: z.number().int() }),
    summary: 'Stop the photo intake running for a ticket: the photo being decoded and the rest are not taken in; those already stored stay',
  },
  'nvrReset.photoImage': {
    input: z.object({ photoId: Id }).strict(),
    output: z.object({ dataUrl: z.string(), width: z.number().int(), height: z.number().int() }),
    summary: 'An upright JPEG preview of a photo, in the coordinates of its detected codes',
  },
  'nvrReset.decodeRegion': {
    input: z.object({ photoId: Id, rect: Rect, rotate: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]) }).strict(),
    output: z.object({ view: ResetView, found: z.boolean() }),
    summary: 'Decode a selected region of a photo, optionally rotated',
  },
  'nvrReset.usePayload': {
    input: z.object({ ticketId: Id, photoId: Id.nullable(), text: z.string().trim().min(1).max(4000) }).strict(),
    output: ResetView,
    summary: 'Use this QR text as the reset payload of the ticket',
  },
  'nvrReset.update': {
    input: z.object({ ticketId: Id, customerTz: z.string().min(1).max(64).optional(), deviceAddress: z.string().max(200).optional(), deviceTime: z.string().datetime({ offset: true }).nullable().optional() }).strict(),
    output: ResetView,
    summary: 'Customer time zone, bench address, or the device clock as read now',
  },
  'nvrReset.invalidate': { input: z.object({ ticketId: Id, reason: ResetInvalidation }).strict(), output: ResetView, summary: 'Record that the QR no longer works (screen left, reboot…)' },
  'nvrReset.recordCheck': {
    input: z.object({ ticketId: Id, kind: ResetCheckKind, passed: z.boolean(), note: z.string().trim().max(2000).default(''), file: z.object({ name: z.string().trim().min(1).max(200), dataBase64: Base64 }).strict().optional() }).strict(),
    output: ResetView,
    summary: 'Record an ownership check, with its evidence',
  },
  'nvrReset.approve': {
    input: z.object({ ticketId: Id, approver: z.string().trim().email().max(200), pin: TypedPin, note: z.string().trim().max(2000).default('') }).strict(),
    output: ResetView,
    summary: 'Second-agent approval of the code release: an enrolled approver and their own PIN',
  },
  'nvrReset.approvers.list': { input: Empty, output: z.array(Approver), summary: 'Second agents enrolled to approve code releases' },
  'nvrReset.approvers.add': {
    input: z
      .object({
        name: z.string().trim().min(2).max(120),
        email: z.string().trim().email().max(200),
        pin: ApproverPin,
        /** An approver already enrolled, vouching with their own PIN (needed unless this is the very first approver). */
        sponsor: z.object({ email: z.string().trim().email().max(200), pin: TypedPin }).strict().optional(),
      })
      .strict(),
    output: z.array(Approver),
    summary: 'Enrol a second agent with their own PIN (kept only as a hash); an enrolled approver vouches with theirs',
  },
  'nvrReset.approvers.remove': { input: z.object({ email: z.string().trim().email().max(200) }).strict(), output: z.array(Approver), summary: 'Remove an enrolled approver' },
  'nvrReset.requestCode': {
    input: z.object({ ticketId: Id, provider: ResetProviderId, code: z.string().max(64).optional() }).strict(),
    output: ResetView,
    summary: 'Obtain the security code for the current QR (stored sealed)',
  },
  'nvrReset.revealCode': { input: z.object({ codeId: Id }).strict(), output: z.object({ code: z.string(), spelled: z.array(z.string()) }), summary: 'Show a security code to the agent (audited)' },
  'nvrReset.message': {
    input: z.object({ ticketId: Id, kind: z.enum(['code', 'retake']), lang: z.enum(['en', 'cs', 'de']), codeId: Id.optional() }).strict(),
    // The view changes when a code message is written (the code counts as sent to the customer).
    output: z.object({ subject: z.string(), body: z.string(), view: ResetView }),
    summary: 'A message for the customer (code with deadline, or how to take a better photo)',
  },
  'nvrReset.confirmVerified': {
    input: z.object({ ticketId: Id, note: z.string().trim().min(3, 'Write how the customer confirmed it').max(1000) }).strict(),
    output: ResetView,
    summary: 'Off the bench: record that the customer confirmed the new password works (verifies the reset)',
  },
  'nvrReset.apply': {
    input: z.object({ ticketId: Id, codeId: Id, address: z.string().trim().min(1).max(200), username: z.string().trim().min(1).max(64).default('admin'), newPassword: z.string().min(1).max(64), oldPassword: z.string().max(64).optional() }).strict(),
    output: z.object({ view: ResetView, outcome: z.enum(['verified', 'not-verified', 'wrong-code', 'locked', 'invalidated', 'expired']), message: z.string() }),
    summary: 'Lab bench: enter the code on the NVR once, set the new password, verify new works and old does not',
  },
  'nvrReset.settings.get': { input: Empty, output: ResetSettings, summary: 'Reset-code services and reset rules' },
  'nvrReset.settings.set': {
    input: z
      .object({
        lab: z.object({ url: z.string().max(500), apiKey: z.string().max(500).optional() }).strict().optional(),
        http: z.object({ url: z.string().max(500), keyHeader: z.string().max(100), keyPrefix: z.string().max(50), bodyTemplate: z.string().max(4000), codePath: z.string().max(200), apiKey: z.string().max(500).optional() }).strict().optional(),
        validityHours: z.record(z.string(), z.number().min(1).max(24 * 14)).optional(),
        requireSecondAgent: z.boolean().optional(),
        skewToleranceMinutes: z.number().min(1).max(24 * 60).optional(),
        defaultTz: z.string().min(1).max(64).optional(),
      })
      .strict(),
    output: ResetSettings,
    summary: 'Change reset-code services and reset rules (API keys are sealed)',
  },
})

// Only for changes no call of this window made (the retention purge): every call that changes
// a reset returns the new view instead, so a view is built once per change.
export const nvrResetEvents = defineEvents({
  'nvrReset.changed': z.object({ ticketId: Id, view: ResetView }),
})
