// PINs (the bench lock, second-agent approvers) are kept only as scrypt hashes with a salt of
// their own, compared in constant time: a copy of the database does not give them away.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, o: { N: number; r: number; p: number }) => Promise<Buffer>
const PARAMS = { N: 16384, r: 8, p: 1 }

export interface PinHash {
  salt: string
  hash: string
}

export async function hashPin(pin: string): Promise<PinHash> {
  const salt = randomBytes(16)
  return { salt: salt.toString('base64'), hash: (await scrypt(pin, salt, 32, PARAMS)).toString('base64') }
}

export async function pinMatches(stored: PinHash, pin: string): Promise<boolean> {
  const got = await scrypt(pin, Buffer.from(stored.salt, 'base64'), 32, PARAMS)
  const want = Buffer.from(stored.hash, 'base64')
  return got.length === want.length && timingSafeEqual(got, want)
}
