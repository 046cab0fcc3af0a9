// The chain head kept outside the audit table: audit-head.json in the data folder names the
// newest entry the console had committed (seq, hash, and the hash of entry 1, which tells one
// trail from another). Cutting the newest entries off the table with a SQLite tool leaves a
// chain that verifies on its own; it no longer reaches the entry this file names, so
// `audit verify` sees the cut unless the file is forged too.
//
// The file may lag behind the database but is never ahead of it in a healthy folder:
// - it is written only from the committed head, read after the commit, outside any transaction;
// - before it is written, the WAL is fsynced, so a power cut cannot lose commits the file names
//   (the console commits with synchronous=NORMAL, which may lose the last commits otherwise);
// - it is replaced atomically (temporary file, fsync, rename), so it is whole or the old one.
// A crash between a commit and the write leaves an older head: verify reports that as a lag,
// never as damage. A database behind the file is what a cut looks like, and is reported.
//
// Cheap: appends only mark the head dirty; one write (two fsyncs) follows a quarter second
// later for any number of appends, off the event loop, plus one at close.
//
// A write that fails is never silent (issue 13): `report` hears every failure and the next
// success (App turns them into the storage banner), and the write is retried every few seconds
// until it works, so the banner goes away once the folder is writable again.
import type { Database } from 'better-sqlite3'
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { open, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { logger } from '../../infra/log'
import { GENESIS } from '../../../db/repos/audit'
import { auditHeadReads, type AuditHeadReads } from '../../../db/repos/audit-head'

export const HEAD_FILE = 'audit-head.json'
const FORMAT = 'support-console audit head'

export interface HeadRecord {
  seq: number
  hash: string
  /** Hash of entry 1: the identity of the trail the head belongs to. */
  first: string
  /** When the console wrote the file. */
  at: string
  /**
   * HMAC of the fields above under the audit key (issue 13; electron/features/audit/seal.ts): a head
   * file written without the key does not verify. Absent in files from before the seal.
   */
  mac?: string
}

export type HeadFileRead = { state: 'none' } | { state: 'damaged'; error: string } | { state: 'present'; head: HeadRecord }

const HEX64 = /^[0-9a-f]{64}$/

export function parseHead(text: string): HeadFileRead {
  try {
    const v = JSON.parse(text) as Partial<HeadRecord> & { format?: unknown }
    // seq 0: the head of an empty trail, written when the console created the folder, so a head
    // file is never legitimately missing once the trail has entries.
    const empty = v.seq === 0 && v.hash === GENESIS && v.first === ''
    if (v.format !== FORMAT || !Number.isSafeInteger(v.seq) || (v.seq as number) < 0 || (!empty && ((v.seq as number) < 1 || !HEX64.test(String(v.hash)) || !HEX64.test(String(v.first)))) || typeof v.at !== 'string' || (v.mac !== undefined && !HEX64.test(String(v.mac)))) {
      return { state: 'damaged', error: 'it is not a head file written by the console' }
    }
    return { state: 'present', head: { seq: v.seq as number, hash: v.hash as string, first: v.first as string, at: v.at, ...(v.mac ? { mac: v.mac } : {}) } }
  } catch (e) {
    return { state: 'damaged', error: (e as Error).message }
  }
}

export function readHeadFile(dataDir: string): HeadFileRead {
  let text: string
  try {
    text = readFileSync(join(dataDir, HEAD_FILE), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'none' }
    return { state: 'damaged', error: (e as Error).message }
  }
  return parseHead(text)
}

const serialize = (h: HeadRecord) => `${JSON.stringify({ format: FORMAT, ...h }, null, 2)}\n`

let tmpCounter = 0
/** How soon a failed head write is tried again (the banner clears on the first one that works). */
export const RETRY_MS = 3000

/** Writes the head file of one App's database; see the top of this file. */
export class HeadFileWriter {
  private timer: NodeJS.Timeout | null = null
  private writing = false
  private dirty = false
  private closed = false
  /** Set when the file on disk names an entry this trail does not have: it is evidence, never overwritten. */
  private blocked = false
  private warned = false
  private written: { seq: number; hash: string } | null = null
  private readonly path: string
  private readonly reads: AuditHeadReads
  /** Set while the last write failed: the next one is retried after RETRY_MS even without appends. */
  private failing = false

  /**
   * `seal` signs a head record with the audit key (App passes it; without it the file is
   * written unsealed, as before: benches and old tests). `report` hears each failed write
   * (the error) and the first successful one after a failure (null).
   */
  constructor(
    private readonly db: Database,
    private readonly dataDir: string,
    private readonly delayMs = 250,
    private readonly seal?: (h: HeadRecord) => string,
    private readonly report?: (e: unknown) => void,
  ) {
    this.path = join(dataDir, HEAD_FILE)
    this.reads = auditHeadReads(db)
  }

  /**
   * At start (App): an empty trail gets its seq-0 head at once, so a later missing file is an
   * alarm, not a folder that never had one. A file missing beside a trail with entries is never
   * silently replaced by a fresh head (that is how a cut used to go unnoticed): the writer stops
   * and says so, unless `adopt` (the console has just sealed a trail from before the head file).
   */
  start(o: { adopt?: boolean } = {}): void {
    const existing = readHeadFile(this.dataDir)
    if (existing.state !== 'none') return
    const head = this.reads.last()
    try {
      if (!head) return this.writeRecord({ seq: 0, hash: GENESIS, first: '', at: new Date().toISOString() })
      if (o.adopt) return this.writeSync()
    } catch (e) {
      this.failed(e) // cleared by the first write that works after the next append
      throw e
    }
    this.blocked = true
    this.warn(`${this.path} is missing although the trail has ${head.seq} entries; no new head is written. Run "support-console audit verify" and keep this folder as it is.`)
  }

  /** Set when the writer stopped: the head file on disk is evidence (missing, damaged, forged or ahead of the trail). */
  get stopped(): boolean {
    return this.blocked
  }

  /** After an append (AuditRepo's onAppend): one write a little later covers every append until then. */
  touched(): void {
    this.dirty = true
    this.schedule()
  }

  private schedule(delayMs = this.delayMs): void {
    if (this.timer || this.writing || this.closed || this.blocked) return
    this.timer = setTimeout(() => void this.tick(), delayMs)
    this.timer.unref()
  }

  private async tick(): Promise<void> {
    this.timer = null
    this.writing = true
    this.dirty = false
    try {
      if (await this.writeAsync()) this.succeeded()
    } catch (e) {
      this.failed(e)
      this.warn(`the audit head file ${this.path} could not be written (${(e as Error).message}); until it can, the end of the trail is checked against the database's own records only`)
    } finally {
      this.writing = false
      if (this.dirty) this.schedule()
      else if (this.failing) this.schedule(RETRY_MS)
    }
  }

  private failed(e: unknown): void {
    this.failing = true
    this.report?.(e)
  }

  private succeeded(): void {
    if (!this.failing) return
    this.failing = false
    this.report?.(null)
  }

  /** Resolves once the head committed now is on disk (tests). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    while (this.writing) await new Promise((r) => setTimeout(r, 5))
    this.dirty = false
    let wrote: boolean
    try {
      wrote = await this.writeAsync()
    } catch (e) {
      this.failed(e)
      throw e
    }
    if (wrote) this.succeeded()
  }

  /**
   * Stops the timer and writes the final head, synchronously (App.close, right before the
   * database closes, which callers expect to happen at once). A write in progress has read the
   * database already; it drops its older head instead of renaming it over this one.
   */
  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    try {
      this.writeSync()
    } catch (e) {
      this.report?.(e)
      this.warn(`the audit head file ${this.path} could not be written (${(e as Error).message})`)
    }
  }

  private warn(message: string): void {
    if (this.warned) return
    this.warned = true
    logger().error(`audit: ${message}`)
  }

  /**
   * What to write, or null. Reads the committed head (never inside a transaction of this
   * connection, which could still roll back) and refuses to replace a head file that names an
   * entry this trail does not have, or no longer has unchanged: that file is the evidence.
   */
  private next(existing: HeadFileRead): HeadRecord | null {
    if (!this.db.open) return null
    if (this.db.inTransaction) {
      this.dirty = true // try again after the transaction
      return null
    }
    const head = this.reads.last()
    if (!head) return null
    if (this.written && this.written.seq >= head.seq) return null
    const forged = existing.state === 'present' && this.seal && existing.head.mac !== undefined && existing.head.mac !== this.seal(existing.head)
    const gone = existing.state === 'none' && this.written !== null
    if (existing.state === 'damaged' || gone || forged || (existing.state === 'present' && existing.head.seq > 0 && this.reads.hashAt(existing.head.seq) !== existing.head.hash)) {
      this.blocked = true
      this.warn(
        existing.state === 'damaged'
          ? `${this.path} is damaged (${existing.error}); it is left as it is. Run "support-console audit verify".`
          : gone
            ? `${this.path} was removed while the console ran; no new head is written. Run "support-console audit verify".`
            : forged
              ? `${this.path} was not written by this console (its seal does not match); it is left as it is. Run "support-console audit verify".`
              : `${this.path} names entry ${existing.state === 'present' ? existing.head.seq : '?'}, which this trail does not have unchanged; it is left as it is. Run "support-console audit verify".`,
      )
      return null
    }
    // Another process on this folder (the CLI beside the app) may have written a newer head.
    if (existing.state === 'present' && existing.head.seq >= head.seq) return null
    return { seq: head.seq, hash: head.hash, first: this.reads.firstHash() ?? '', at: new Date().toISOString() }
  }

  private sealed(h: HeadRecord): HeadRecord {
    return this.seal ? { ...h, mac: this.seal(h) } : h
  }

  private writeSync(): void {
    const h = this.next(readHeadFile(this.dataDir))
    if (!h) return
    this.writeRecord(h)
  }

  private writeRecord(plain: HeadRecord): void {
    const h = this.sealed(plain)
    const tmp = this.tmpName()
    fsyncPath(`${this.db.name}-wal`)
    const fd = openSync(tmp, 'w')
    try {
      writeSync(fd, serialize(h))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, this.path)
    this.written = { seq: h.seq, hash: h.hash }
  }

  /** Whether a head was written. */
  private async writeAsync(): Promise<boolean> {
    const existing = await readHeadAsync(this.dataDir)
    // The head is read after the file: the database may have moved on, never back.
    const plain = this.next(existing)
    if (!plain) return false
    const h = this.sealed(plain)
    const tmp = this.tmpName()
    await fsyncPathAsync(`${this.db.name}-wal`)
    const f = await open(tmp, 'w')
    try {
      await f.writeFile(serialize(h))
      await f.sync()
    } finally {
      await f.close()
    }
    if (this.closed) {
      await unlink(tmp) // close() wrote the head as it was then, at least as new as this one
      return false
    }
    await rename(tmp, this.path)
    if (!this.written || h.seq > this.written.seq) this.written = { seq: h.seq, hash: h.hash }
    return true
  }

  private tmpName(): string {
    return `${this.path}.${process.pid}.${++tmpCounter}.tmp`
  }
}

async function readHeadAsync(dataDir: string): Promise<HeadFileRead> {
  try {
    return parseHead(await readFile(join(dataDir, HEAD_FILE), 'utf8'))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'none' }
    return { state: 'damaged', error: (e as Error).message }
  }
}

/** fsync of the WAL: every commit the head names is on disk before the head is. No WAL: the checkpoint synced the database file already. */
function fsyncPath(path: string): void {
  let fd: number
  try {
    fd = openSync(path, 'r+')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
    throw e
  }
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

async function fsyncPathAsync(path: string): Promise<void> {
  let f
  try {
    f = await open(path, 'r+')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
    throw e
  }
  try {
    await f.sync()
  } finally {
    await f.close()
  }
}
