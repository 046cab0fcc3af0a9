import type { SafeStorage } from 'electron'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/contract/common'
import { SAFE_KEY_FILE, type KeyProvider } from '../infra/secret-box'

/** Desktop app: the data key is stored wrapped by the OS keychain (Electron safeStorage). */
export function safeStorageKeyProvider(safeStorage: SafeStorage, dataDir: string): KeyProvider {
  const file = join(dataDir, SAFE_KEY_FILE)
  let key: Buffer | null = null
  return {
    kind: 'safeStorage',
    dataKey() {
      if (key) return key
      if (!safeStorage.isEncryptionAvailable()) {
        throw new AppError('STORAGE', 'The operating system keychain is not available, so device passwords cannot be stored safely.', {
          hint: 'Log in to a desktop session with a keyring (on Linux: GNOME Keyring or KWallet) and restart the console.',
          key: 'storage.noKeychain',
        })
      }
      if (!existsSync(file)) writeFileSync(file, safeStorage.encryptString(randomBytes(32).toString('base64')), { mode: 0o600, flag: 'wx' })
      key = Buffer.from(safeStorage.decryptString(readFileSync(file)), 'base64')
      return key
    },
  }
}
