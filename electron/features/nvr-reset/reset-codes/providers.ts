// Security-code providers (nvr-reset.md §6.1): where the code for a reset QR comes from.
//   lab     the lab's simulated vendor reset service (POST /api/v1/reset-codes, X-Api-Key)
//   http    a vendor API configured in Settings (URL, key header, body template, reply path)
//   manual  the agent types a code obtained from the vendor's own tool or phone line
// Every provider returns the code as given: codes are case sensitive, nothing is normalised
// except surrounding white space.
import { AppError } from '../../../../shared/contract/common'
import { failureReason, headerValue, httpRequest, type HttpReply } from '../../../infra/http-client'

export interface CodeRequest {
  payload: string
  signal?: AbortSignal
}

export interface IssuedCode {
  code: string
  provider: string
  /** Provider's own expiry for the code, when it says. */
  expiresAt: string | null
  /** Provider's reference (codeIndex, request id) for the audit trail. */
  reference: string | null
}

export interface SecurityCodeProvider {
  readonly id: string
  readonly label: string
  obtain(r: CodeRequest): Promise<IssuedCode>
}

const CODE = /^[A-Za-z0-9]{4,32}$/

/** Checks a code's shape; returns it trimmed. Case is kept. */
export function checkCode(raw: string): string {
  const c = raw.trim()
  if (!c) throw new AppError('VALIDATION', 'Enter the security code.', { field: 'code', key: 'resetCodes.codeEmpty' })
  if (/\s/.test(c)) throw new AppError('VALIDATION', 'The code contains spaces; type it without them (codes are letters and digits only).', { field: 'code', key: 'resetCodes.codeSpaces' })
  if (!CODE.test(c)) throw new AppError('VALIDATION', 'A security code is 4–32 letters and digits. Check it against the vendor’s reply character by character.', { field: 'code', key: 'resetCodes.codeShape' })
  return c
}

export function manualProvider(code: string): SecurityCodeProvider {
  return {
    id: 'manual',
    label: 'Typed in by the agent (vendor tool)',
    obtain: async () => ({ code: checkCode(code), provider: 'manual', expiresAt: null, reference: null }),
  }
}

async function post(url: string, headers: Record<string, string>, body: string, what: string, signal?: AbortSignal): Promise<{ status: number; json: unknown; retryAfter: string | null }> {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new AppError('VALIDATION', `${what}: the service address "${url}" is not a URL.`, { hint: 'Fix it in Settings → Reset-code services.', key: 'resetCodes.badUrl', values: { url } })
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AppError('VALIDATION', `${what}: only http and https addresses are supported.`, { key: 'resetCodes.badScheme' })
  let res: HttpReply
  try {
    // A code reply is a few hundred bytes: 1 MiB is far more than any vendor sends.
    res = await httpRequest(u, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body, timeoutMs: 15_000, totalMs: 15_000, maxBytes: 1024 * 1024, signal })
  } catch (e) {
    throw new AppError('UNREACHABLE', `${what}: the service at ${u.host} did not answer (${failureReason(e)}).`, { hint: 'Check the address in Settings and the network; nothing was sent to the device.', key: 'resetCodes.noAnswer', values: { host: u.host, detail: failureReason(e) } })
  }
  const text = res.body.toString('utf8')
  let json: unknown
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = null
  }
  return { status: res.status, json, retryAfter: headerValue(res.headers, 'retry-after') }
}

const LAB_ERRORS: Record<string, (m: string) => AppError> = {
  expired: (m) => new AppError('CONFLICT', `The vendor service refused the QR: ${m}.`, { hint: 'Ask the customer to reopen the Retrieve Password screen and send a new photo.', key: 'resetCodes.qrRefused', values: { detail: m } }),
  code_limit: (m) => new AppError('CONFLICT', `The vendor service refused: ${m}.`, { hint: 'Both codes of this QR were issued. Ask the customer for a photo of a fresh QR.', key: 'resetCodes.codeLimit', values: { detail: m } }),
  unknown_device: (m) => new AppError('NOT_FOUND', `The vendor service does not know this device: ${m}.`, { hint: 'Check the serial on the label photo; the device may be grey-market or registered under another region.', key: 'resetCodes.unknownDevice', values: { detail: m } }),
  bad_signature: (m) => new AppError('BAD_INPUT', `The vendor service says the QR is not genuine or was misread: ${m}.`, { hint: 'Decode the photo again, or ask for a sharper photo.', key: 'resetCodes.notGenuine', values: { detail: m } }),
  malformed: (m) => new AppError('BAD_INPUT', `The vendor service could not read the QR: ${m}.`, { hint: 'Decode the photo again, or ask for a sharper photo.', key: 'resetCodes.unreadable', values: { detail: m } }),
  unauthorized: () => new AppError('UNAUTHORIZED', 'The vendor service refused the API key.', { hint: 'Enter the current key in Settings → Reset-code services.', key: 'resetCodes.keyRefused' }),
}

export interface LabVendorConfig {
  url: string
  apiKey: string
}

/** The lab service's root from an address as copied: with or without /api/v1(/reset-codes). */
export const labVendorBase = (url: string): string => url.trim().replace(/\/+$/, '').replace(/\/api\/v1(\/reset-codes)?$/, '')

/**
 * "Test connection" for the lab vendor service: a request without a QR, which the service
 * answers "malformed" when address and key are right, and which issues no code.
 */
export async function testLabVendor(cfg: LabVendorConfig): Promise<{ message: string }> {
  if (!cfg.url) throw new AppError('VALIDATION', 'No address is set for the lab vendor service.', { field: 'url', hint: 'Use the address the lab bench prints after “Vendor reset:”.', key: 'resetCodes.labNoUrl' })
  if (!cfg.apiKey) throw new AppError('VALIDATION', 'No API key is stored for the lab vendor service.', { field: 'apiKey', hint: 'Copy the X-Api-Key the lab bench prints.', key: 'resetCodes.labNoKey' })
  const base = labVendorBase(cfg.url)
  const { status, json } = await post(`${base}/api/v1/reset-codes`, { 'x-api-key': cfg.apiKey }, '{}', 'Testing the vendor service')
  const code = (json as { error?: { code?: string } } | null)?.error?.code
  if (status === 400 && code === 'malformed') return { message: `The vendor service at ${new URL(base).host} answered and accepted the API key.` }
  if (status === 401) throw new AppError('UNAUTHORIZED', `The vendor service at ${new URL(base).host} refused the API key.`, { field: 'apiKey', hint: 'Copy the X-Api-Key the lab bench printed (it changes at every start unless the bench has a fixed --seed).', key: 'resetCodes.labKeyRefused', values: { host: new URL(base).host } })
  if (status === 429) return { message: `The vendor service at ${new URL(base).host} answered; it is rate-limiting this key right now.` }
  throw new AppError('VALIDATION', `${base} does not look like the vendor reset service: POST /api/v1/reset-codes answered HTTP ${status}.`, { field: 'url', hint: 'Use the address the lab bench prints after “Vendor reset:”, as it is.', key: 'resetCodes.notVendorService', values: { base, status } })
}

export function labVendorProvider(cfg: LabVendorConfig): SecurityCodeProvider {
  const what = 'Requesting the security code'
  return {
    id: 'lab',
    label: 'Lab vendor reset service',
    async obtain(r) {
      if (!cfg.url || !cfg.apiKey) throw new AppError('FORBIDDEN', 'The lab vendor service is not configured.', { hint: 'Enter its address and API key in Settings → Reset-code services.', key: 'resetCodes.labNotConfigured' })
      const base = labVendorBase(cfg.url)
      const { status, json, retryAfter } = await post(`${base}/api/v1/reset-codes`, { 'x-api-key': cfg.apiKey }, JSON.stringify({ payload: r.payload }), what, r.signal)
      const body = (json ?? {}) as { securityCode?: unknown; codeIndex?: unknown; expiresAt?: unknown; error?: { code?: string; message?: string } }
      if (status === 200 && typeof body.securityCode === 'string') {
        return { code: checkCode(body.securityCode), provider: 'lab', expiresAt: typeof body.expiresAt === 'string' ? body.expiresAt : null, reference: body.codeIndex !== undefined ? `code ${String(body.codeIndex)} of this QR` : null }
      }
      if (status === 429) {
        throw new AppError('CONFLICT', `The vendor service is rate-limiting requests${retryAfter ? `; try again in ${retryAfter} s` : ''}.`, { hint: 'Nothing was issued. Wait, then request the code once more.', key: retryAfter ? 'resetCodes.rateLimitedFor' : 'resetCodes.rateLimited', values: { s: retryAfter ?? '' } })
      }
      const code = body.error?.code ?? ''
      const make = LAB_ERRORS[code]
      if (make) throw make(body.error?.message ?? code)
      throw new AppError('DEVICE', `The vendor service answered HTTP ${status} without a code.`, { hint: 'Try again later, or get the code from the vendor’s own tool and enter it by hand.', key: 'resetCodes.noCode', values: { status } })
    },
  }
}

export interface HttpVendorConfig {
  url: string
  /** Header carrying the key, e.g. "Authorization" or "X-Api-Key". */
  keyHeader: string
  /** Prefix for the key value, e.g. "Bearer ". */
  keyPrefix: string
  apiKey: string
  /** JSON body with {{payload}} where the decoded QR text goes (JSON-escaped). */
  bodyTemplate: string
  /** Dotted path of the code in the JSON reply, e.g. "data.code". */
  codePath: string
}

export function pick(json: unknown, path: string): unknown {
  let v: unknown = json
  for (const k of path.split('.').filter(Boolean)) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined
  return v
}

export function httpVendorProvider(cfg: HttpVendorConfig): SecurityCodeProvider {
  const what = 'Requesting the security code from the vendor API'
  return {
    id: 'http',
    label: 'Vendor API (configured)',
    async obtain(r) {
      if (!cfg.url) throw new AppError('FORBIDDEN', 'No vendor API is configured.', { hint: 'Enter it in Settings → Reset-code services, or enter a code by hand.', key: 'resetCodes.httpNotConfigured' })
      const body = cfg.bodyTemplate.replaceAll('{{payload}}', JSON.stringify(r.payload).slice(1, -1))
      try {
        JSON.parse(body)
      } catch {
        throw new AppError('VALIDATION', 'The body template of the vendor API is not valid JSON once filled in.', { hint: 'Fix it in Settings; put {{payload}} inside a JSON string.', key: 'resetCodes.badTemplate' })
      }
      const headers: Record<string, string> = cfg.keyHeader && cfg.apiKey ? { [cfg.keyHeader]: `${cfg.keyPrefix}${cfg.apiKey}` } : {}
      const { status, json } = await post(cfg.url, headers, body, what, r.signal)
      const code = pick(json, cfg.codePath)
      if (status >= 200 && status < 300 && typeof code === 'string') return { code: checkCode(code), provider: 'http', expiresAt: null, reference: null }
      const msg = pick(json, 'error.message') ?? pick(json, 'message') ?? pick(json, 'error')
      throw new AppError(status === 401 || status === 403 ? 'UNAUTHORIZED' : 'DEVICE', `The vendor API answered HTTP ${status}${typeof msg === 'string' ? `: ${msg}` : ' without a code'}.`, {
        hint: status === 401 || status === 403 ? 'Check the API key in Settings.' : `Check the reply path "${cfg.codePath}" in Settings, or enter the code by hand.`,
        key: status === 401 || status === 403 ? 'resetCodes.httpKeyRefused' : typeof msg === 'string' ? 'resetCodes.httpFailed' : 'resetCodes.httpNoCode', values: { status, detail: typeof msg === 'string' ? msg : '', path: cfg.codePath },
      })
    },
  }
}

const NAMES: Record<string, string> = { '0': 'digit zero', '1': 'digit one', '2': 'digit two', '3': 'digit three', '4': 'digit four', '5': 'digit five', '6': 'digit six', '7': 'digit seven', '8': 'digit eight', '9': 'digit nine' }

/** "aO0" -> ["lower-case a", "capital O", "digit zero"]: read aloud or checked against a typed code. */
export function spellCode(code: string): string[] {
  return [...code].map((c) => NAMES[c] ?? (c >= 'A' && c <= 'Z' ? `capital ${c}` : c >= 'a' && c <= 'z' ? `lower-case ${c}` : `symbol ${c}`))
}

/** For the audit trail: never the code itself (nvr-reset.md §6.1). */
export const maskCode = (code: string): string => `${'•'.repeat(Math.max(0, code.length - 2))}${code.slice(-2)}`
