// Deterministic randomness for the bench. Every identity (serial, MAC, password) and every
// nonce a device hands out comes from HMAC-SHA256(seed, label || counter), so two benches
// started with the same seed print the same table and issue the same first nonces, which
// makes failing tests and training scripts reproducible.
import { createHmac } from 'node:crypto'

export const ALNUM_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
export const DIGITS = '0123456789'

export class SeededRng {
  private counter = 0
  constructor(readonly key: string) {}

  /** A child stream whose values do not depend on how much the parent has been used. */
  fork(label: string | number): SeededRng {
    return new SeededRng(`${this.key}/${label}`)
  }

  bytes(n: number): Buffer {
    const out: Buffer[] = []
    let have = 0
    while (have < n) {
      const block = createHmac('sha256', this.key).update(String(this.counter++)).digest()
      out.push(block)
      have += block.length
    }
    return Buffer.concat(out).subarray(0, n)
  }

  int(maxExclusive: number): number {
    return this.bytes(4).readUInt32BE(0) % maxExclusive
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]
  }

  hex(chars: number): string {
    return this.bytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars)
  }

  string(alphabet: string, length: number): string {
    let s = ''
    for (const b of this.bytes(length)) s += alphabet[b % alphabet.length]
    return s
  }

  /** A password a human could type: letters and digits with one punctuation mark. */
  password(): string {
    return `${this.string('abcdefghjkmnpqrstuvwxyz', 4)}${this.string('ABCDEFGHJKLMNPQRSTUVWXYZ', 2)}${this.string('23456789', 3)}!`
  }
}
