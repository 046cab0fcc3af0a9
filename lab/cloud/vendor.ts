// SIMULATED vendor reset service: what support would get from the OEM's portal (nvr-reset.md
// §4, §6). POST a decoded reset-QR payload with the lab API key; get the security code.
// Errors: malformed payload, bad signature, expired (older than 24 h by the service clock,
// or issued in the future), unknown device, more than 2 codes for one QR, and a per-key
// rate limit answered with 429 and Retry-After.
import type { SeededRng } from '../core/rng'
import { startJsonServer, type JsonReply, type JsonReq } from '../core/json-server'
import { CODES_PER_QR, PAYLOAD_VALIDITY_MS, decodePayload, securityCode } from '../reset-code'

export interface RateLimit { requests: number; windowMs: number }

export class VendorResetService {
  /** The lab's key (`bench.vendor.apiKey`); more with addApiKey(), each with its own rate limit. */
  readonly apiKey: string
  private readonly apiKeys = new Set<string>()
  private known = new Map<string, { model: string; mac: string }>()
  private issued = new Map<string, number>()
  /** Request times in the current window, per API key. */
  private hits = new Map<string, number[]>()
  private server: { url: string; close(): Promise<void> } | null = null

  constructor(
    private readonly rng: SeededRng,
    private readonly key: Buffer,
    private readonly now: () => number,
    public rateLimit: RateLimit = { requests: 20, windowMs: 60_000 },
  ) {
    this.apiKey = this.addApiKey()
  }

  /** Another API key (another support team or integration), deterministic per seed and call order. */
  addApiKey(): string {
    const key = `vendor-${this.rng.hex(24)}`
    this.apiKeys.add(key)
    return key
  }

  get url(): string { return this.server?.url ?? '' }

  register(serial: string, model: string, mac: string): void {
    this.known.set(serial, { model, mac })
  }

  forget(serial: string): void {
    this.known.delete(serial)
  }

  async start(host: string, port = 0): Promise<void> {
    this.server = await startJsonServer(host, port, (r) => this.handle(r))
  }

  async stop(): Promise<void> {
    await this.server?.close()
    this.server = null
  }

  private handle(r: JsonReq): JsonReply {
    const key = r.headers['x-api-key']
    if (typeof key !== 'string' || !this.apiKeys.has(key)) return err(401, 'unauthorized', 'Missing or invalid X-Api-Key')
    if (r.method !== 'POST' || r.path !== '/api/v1/reset-codes') return err(404, 'not_found', 'POST /api/v1/reset-codes')
    const now = this.now()
    const hits = (this.hits.get(key) ?? []).filter((t) => now - t < this.rateLimit.windowMs)
    this.hits.set(key, hits)
    if (hits.length >= this.rateLimit.requests) {
      const retry = Math.max(1, Math.ceil((hits[0] + this.rateLimit.windowMs - now) / 1000))
      return { ...err(429, 'rate_limited', 'Too many requests for this API key'), headers: { 'Retry-After': String(retry) } }
    }
    hits.push(now)
    const payload = (r.body as { payload?: unknown } | undefined)?.payload
    if (typeof payload !== 'string') return err(400, 'malformed', 'Body must be {"payload": "<decoded QR text>"}')
    const d = decodePayload(payload, this.key)
    if (!d.ok) return d.reason === 'signature' ? err(400, 'bad_signature', 'The payload signature does not verify') : err(400, 'malformed', 'Not a 2MSIM1 reset payload')
    const p = d.payload
    const dev = this.known.get(p.serial)
    if (!dev) return err(404, 'unknown_device', `Unknown serial number ${p.serial}`)
    const issuedAt = Date.parse(p.issuedAt)
    if (now - issuedAt >= PAYLOAD_VALIDITY_MS) return err(410, 'expired', 'The QR code is older than 24 hours; ask for a new one')
    if (issuedAt - now >= PAYLOAD_VALIDITY_MS) return err(410, 'expired', 'The QR code is dated in the future; check the device clock')
    const n = (this.issued.get(p.nonce) ?? 0) + 1
    if (n > CODES_PER_QR) return err(409, 'code_limit', `At most ${CODES_PER_QR} codes per QR code; ask for a new one`)
    this.issued.set(p.nonce, n)
    return {
      status: 200,
      body: { serial: p.serial, model: p.model, mac: p.mac, securityCode: securityCode(this.key, p.serial, p.nonce, n), codeIndex: n, issuedAt: p.issuedAt, expiresAt: new Date(issuedAt + PAYLOAD_VALIDITY_MS).toISOString() },
    }
  }
}

const err = (status: number, code: string, message: string): JsonReply => ({ status, body: { error: { code, message } } })
