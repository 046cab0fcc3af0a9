// PINs (the bench lock, second-agent approvers) are kept only as scrypt hashes with a salt of
// their own, compared in constant time. Since issue 13 the PIN goes into scrypt only through an
// HMAC under a key derived from the data key (a pepper, SecretBox.pinKey): a copy of the
// database alone gives nothing to guess against offline (a 6-digit PIN took hours with the
// plain scrypt hash). Hashes from before (no `v`) still match, unpeppered.
import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, o: { N: number; r: number; p: number }) => Promise<Buffer>
const PARAMS = { N: 16384, r: 8, p: 1 }

export interface PinHash {
  salt: string
  hash: string
  /** 2: peppered with the data folder's PIN key. */
  v?: 2
}

const peppered = (pin: string, pepper: Buffer) => createHmac('sha256', pepper).update(pin).digest('hex')

export async function hashPin(pin: string, pepper: Buffer): Promise<PinHash> {
  const salt = randomBytes(16)
  return { salt: salt.toString('base64'), hash: (await scrypt(peppered(pin, pepper), salt, 32, PARAMS)).toString('base64'), v: 2 }
}

export async function pinMatches(stored: PinHash, pin: string, pepper: Buffer): Promise<boolean> {
  const got = await scrypt(stored.v === 2 ? peppered(pin, pepper) : pin, Buffer.from(stored.salt, 'base64'), 32, PARAMS)
  const want = Buffer.from(stored.hash, 'base64')
  return got.length === want.length && timingSafeEqual(got, want)
}
