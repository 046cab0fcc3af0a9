import { statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../db/test/helpers'
import { KEY_FILE, keyFileProvider, memoryKeyProvider, SecretBox } from './secret-box'

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
})
