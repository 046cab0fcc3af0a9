// Password-protected copies of workflow step attachments, on disk under <dataDir>/workflows/run-N/
// (everything else is in the ticket's evidence vault: ./attachments.ts). AES-256-GCM with a
// scrypt-derived key, so the file is useless to whoever copies the data folder without the
// password. Attachments from before migration 7 were stored here too, unprotected.
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../../shared/contract/common'

const MAGIC = Buffer.from('SCWF1')

export function protect(data: Buffer, password: string): Buffer {
  const salt = randomBytes(16)
  const iv = randomBytes(12)
  const key = scryptSync(password, salt, 32)
  const c = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([c.update(data), c.final()])
  return Buffer.concat([MAGIC, salt, iv, c.getAuthTag(), body])
}

export function unprotect(blob: Buffer, password: string): Buffer {
  if (!blob.subarray(0, MAGIC.length).equals(MAGIC)) throw new AppError('BAD_INPUT', 'This stored copy is not a protected file.', { key: 'workflow.notProtected' })
  const o = MAGIC.length
  const key = scryptSync(password, blob.subarray(o, o + 16), 32)
  try {
    const d = createDecipheriv('aes-256-gcm', key, blob.subarray(o + 16, o + 28))
    d.setAuthTag(blob.subarray(o + 28, o + 44))
    return Buffer.concat([d.update(blob.subarray(o + 44)), d.final()])
  } catch {
    throw new AppError('BAD_INPUT', 'The password of the stored backup is wrong.', { field: 'backupPassword', hint: 'Type the password chosen when the backup was stored.', key: 'workflow.wrongBackupPassword' })
  }
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

export class RunFiles {
  constructor(private readonly dataDir: string) {}

  /** Writes the (maybe protected) bytes; returns the path relative to the data folder. */
  write(runId: number, data: Buffer, password?: string): { storedAs: string; sha256: string; size: number } {
    const dir = join('workflows', `run-${runId}`)
    mkdirSync(join(this.dataDir, dir), { recursive: true, mode: 0o700 })
    const digest = sha256(data)
    const storedAs = join(dir, `${digest.slice(0, 16)}-${randomBytes(4).toString('hex')}${password ? '.enc' : '.bin'}`)
    writeFileSync(join(this.dataDir, storedAs), password ? protect(data, password) : data, { mode: 0o600 })
    return { storedAs, sha256: digest, size: data.length }
  }

  read(storedAs: string, protectedCopy: boolean, password?: string): Buffer {
    const raw = readFileSync(join(this.dataDir, storedAs))
    if (!protectedCopy) return raw
    if (!password) throw new AppError('BAD_INPUT', 'This stored backup is password-protected.', { field: 'backupPassword', hint: 'Type the password chosen when the backup was stored.', key: 'workflow.backupProtected' })
    return unprotect(raw, password)
  }
}
