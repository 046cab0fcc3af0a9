import { createHash, randomBytes } from 'node:crypto'
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { KEY_FILE, keyFileProvider, memoryKeyProvider, SAFE_KEY_FILE, SecretBox } from './secret-box'

describe('secret box', () => {
  it('round-trips and never stores the plain text', () => {
    const box = new SecretBox(memoryKeyProvider())
    const sealed = box.seal('Pa55-word!')
    expect(sealed).not.toContain('Pa55')
    expect(box.seal('Pa55-word!')).not.toBe(sealed) // random IV
    expect(box.open(sealed)).toBe('Pa55-word!')
  })

  it('detects tampering and a changed key with a clear message', () => {
    const box = new SecretBox(memoryKeyProvider())
    const sealed = box.seal('code')
    const raw = Buffer.from(sealed.slice(3), 'base64')
    raw[raw.length - 1] ^= 1
    expect(() => box.open(`v1:${raw.toString('base64')}`)).toThrow(/could not be decrypted/)
    expect(() => new SecretBox(memoryKeyProvider()).open(sealed)).toThrow(/key of this data folder/)
  })

  it('keeps the browser-mode key in a file only the user can read', () => {
    const dir = tempDir()
    const a = new SecretBox(keyFileProvider(dir))
    const sealed = a.seal('x')
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600)
    expect(new SecretBox(keyFileProvider(dir)).open(sealed)).toBe('x')
  })

  it('fingerprints under the data folder key: stable in the folder, useless without the key', () => {
    const key = randomBytes(32)
    const a = new SecretBox(memoryKeyProvider(key))
    const fp = a.fingerprint('rejected-login', ['serial', '54-1234-5678', 'device', 'admin', 'Pa55-word!'])
    expect(fp).toMatch(/^[0-9a-f]{64}$/)
    expect(new SecretBox(memoryKeyProvider(key)).fingerprint('rejected-login', ['serial', '54-1234-5678', 'device', 'admin', 'Pa55-word!'])).toBe(fp)
    // Another folder's key, another purpose, another password, or the same characters split differently: different.
    expect(new SecretBox(memoryKeyProvider()).fingerprint('rejected-login', ['serial', '54-1234-5678', 'device', 'admin', 'Pa55-word!'])).not.toBe(fp)
    expect(a.fingerprint('other', ['serial', '54-1234-5678', 'device', 'admin', 'Pa55-word!'])).not.toBe(fp)
    expect(a.fingerprint('rejected-login', ['serial', '54-1234-5678', 'device', 'admin', 'Pa55-word?'])).not.toBe(fp)
    expect(a.fingerprint('x', ['ab', 'c'])).not.toBe(a.fingerprint('x', ['a', 'bc']))
    // Not a plain hash of the password (or of the parts) that could be brute-forced offline.
    for (const plain of ['Pa55-word!', 'admin:Pa55-word!', JSON.stringify(['rejected-login', 'serial', '54-1234-5678', 'device', 'admin', 'Pa55-word!'])]) {
      expect(createHash('sha256').update(plain).digest('hex')).not.toBe(fp)
    }
  })

  it('refuses the desktop app\'s data folder (key in the OS keychain) instead of making a key of its own', () => {
    const dir = tempDir()
    writeFileSync(join(dir, SAFE_KEY_FILE), 'wrapped')
    const box = new SecretBox(keyFileProvider(dir))
    expect(() => box.seal('x')).toThrow(/belongs to the desktop app/)
    expect(() => box.fingerprint('rejected-login', ['a'])).toThrow(/belongs to the desktop app/)
    expect(existsSync(join(dir, KEY_FILE))).toBe(false)
  })
})
