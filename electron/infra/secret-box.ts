import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/contract/common'

/**
 * Encrypts device passwords and security codes at rest (AES-256-GCM). The data key comes
 * from a KeyProvider: in the desktop app it is wrapped by Electron safeStorage (OS keychain);
 * in browser mode it is a key file readable only by the user. Sealed values never leave the
 * main process: the contract has no method that returns one.
 */
export interface KeyProvider {
  /** 32 bytes. */
  dataKey(): Buffer
  readonly kind: 'safeStorage' | 'keyfile' | 'memory'
}

export class SecretBox {
  private fpKey: Buffer | null = null
  private auditKeyCache: Buffer | null = null
  constructor(private readonly keys: KeyProvider) {}

  /**
   * The key that seals the audit trail and its head file (issue 13): derived from the data key,
   * so a copy of the database alone (or a local user who can write it but not read the key)
   * cannot re-hash an edited trail into one that verifies.
   */
  auditKey(): Buffer {
    this.auditKeyCache ??= Buffer.from(hkdfSync('sha256', this.keys.dataKey(), Buffer.alloc(0), 'support-console audit seal v1', 32))
    return this.auditKeyCache
  }

  /** The key PIN hashes are bound to: a stolen database alone cannot be used to guess a PIN offline. */
  pinKey(): Buffer {
    return Buffer.from(hkdfSync('sha256', this.keys.dataKey(), Buffer.alloc(0), 'support-console pin v1', 32))
  }

  /**
   * A keyed fingerprint of `parts` (HMAC-SHA256 under a key derived from this data folder's
   * data key, never the data key itself): equal parts give equal fingerprints in this data
   * folder, and without the key nothing can be tested against it offline (a stored
   * fingerprint of a password is not a password hash anyone can brute-force). `purpose`
   * separates uses, so a fingerprint made for one can never match one made for another.
   */
  fingerprint(purpose: string, parts: readonly string[]): string {
    this.fpKey ??= Buffer.from(hkdfSync('sha256', this.keys.dataKey(), Buffer.alloc(0), 'support-console fingerprint v1', 32))
    // JSON of the array: unambiguous, whatever characters the parts contain.
    return createHmac('sha256', this.fpKey).update(JSON.stringify([purpose, ...parts])).digest('hex')
  }

  seal(plain: string): string {
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', this.keys.dataKey(), iv)
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
    return `v1:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`
  }

  open(sealed: string): string {
    if (!sealed.startsWith('v1:')) throw new AppError('INTERNAL', 'A stored secret has an unknown format.', { key: 'storage.secretFormat' })
    const raw = Buffer.from(sealed.slice(3), 'base64')
    try {
      const d = createDecipheriv('aes-256-gcm', this.keys.dataKey(), raw.subarray(0, 12))
      d.setAuthTag(raw.subarray(12, 28))
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')
    } catch (e) {
      throw new AppError('STORAGE', 'A stored secret could not be decrypted: the key of this data folder has changed.', {
        hint: 'Enter the device password or code again; the old encrypted value cannot be recovered.',
        cause: e,
        key: 'storage.secretKeyChanged',
      })
    }
  }
}

export const KEY_FILE = 'secret.key'
/** The desktop app's data key, wrapped by the OS keychain (electron/main/safe-storage-keys.ts). */
export const SAFE_KEY_FILE = 'secret.key.safe'

/**
 * Browser mode and the command line: a random key in `<dataDir>/secret.key`, mode 0600.
 * A data folder whose key the desktop app keeps in the OS keychain (`secret.key.safe`) is
 * refused: with a key of its own this process could not open the stored device passwords
 * and would overwrite them with values the desktop app cannot open (and would not know the
 * passwords the devices already rejected).
 */
export function keyFileProvider(dataDir: string): KeyProvider {
  const file = join(dataDir, KEY_FILE)
  let key: Buffer | null = null
  return {
    kind: 'keyfile',
    dataKey() {
      if (key) return key
      if (existsSync(join(dataDir, SAFE_KEY_FILE))) {
        throw new AppError('STORAGE', `The data folder ${dataDir} belongs to the desktop app: its device passwords are encrypted with a key kept in this computer's keychain, which the command line and browser mode cannot use. Nothing was changed.`, {
          hint: 'Do this in the desktop app, or give the command another folder with --data-dir (it then has its own inventory and stored passwords).',
          key: 'storage.desktopFolder', values: { dir: dataDir },
        })
      }
      if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' })
      chmodSync(file, 0o600)
      key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
      if (key.length !== 32) throw new AppError('STORAGE', `The key file ${file} is damaged.`, { key: 'storage.keyFileDamaged', values: { file } })
      return key
    },
  }
}

/**
 * The data key of a folder if this process may read it, without creating one (read-only
 * commands such as `audit verify`): null when there is no key file or it is the desktop app's.
 */
export function existingDataKey(dataDir: string): Buffer<ArrayBuffer> | null {
  try {
    const key = Buffer.from(readFileSync(join(dataDir, KEY_FILE), 'utf8').trim(), 'base64')
    return key.length === 32 ? (key as Buffer<ArrayBuffer>) : null
  } catch {
    return null
  }
}

export function memoryKeyProvider(key = randomBytes(32)): KeyProvider {
  return { kind: 'memory', dataKey: () => key }
}
