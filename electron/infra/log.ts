// Structured logs (pino, JSON lines) in <data>/logs/, rotated by size: when the current file
// would pass LOG_MAX_BYTES it becomes .1 (the older ones shift up) and at most LOG_KEEP old
// files stay. Everything logged goes through maskSecrets, the audit trail's rule for
// secret-bearing keys, and long strings (a photo's base64) are cut, so a log never carries a
// password, code, token or a customer's photo. Background work (workflows, the audit head
// writer) logs through `logger()`, the logger of the console that opened last; before one is
// opened, and in a plain `support-console` command, lines go to stderr.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import pino, { type Logger } from 'pino'
import { isSecretKey } from '../../db/repos/audit'

export const LOG_DIR = 'logs'
export const LOG_FILE = 'support-console.log'
export const LOG_MAX_BYTES = 2 * 1024 * 1024
export const LOG_KEEP = 5
const MAX_STRING = 300

/** Secret-bearing keys masked as in the audit trail, strings longer than MAX_STRING replaced by their length (photos, exports). */
export function scrub(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return v.length > MAX_STRING ? `[${v.length} chars]` : v
  if (depth > 8 || v === null || typeof v !== 'object') return v
  if (v instanceof Error) return { type: v.name, message: scrub(v.message), code: (v as { code?: unknown }).code, stack: v.stack?.split('\n').slice(0, 12).join('\n') }
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => scrub(x, depth + 1))
  // The audit trail's rule (db/repos/audit.ts maskSecrets), applied here so Errors inside survive.
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x !== null && x !== undefined && x !== '' && isSecretKey(k) ? '[masked]' : scrub(x, depth + 1)]))
}

/** A size-rotated append-only file, written synchronously (a crash loses no line already logged). */
export class RotatingFile {
  private fd: number
  private size: number
  private closed = false
  constructor(readonly dir: string, readonly name = LOG_FILE, readonly maxBytes = LOG_MAX_BYTES, readonly keep = LOG_KEEP) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    this.fd = openSync(join(dir, name), 'a', 0o600)
    this.size = fstatSync(this.fd).size
  }
  write(line: string): void {
    if (this.closed) return // a late line after the console closed (a background task) is dropped
    const bytes = Buffer.from(line)
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate()
    writeSync(this.fd, bytes)
    this.size += bytes.length
  }
  private rotate(): void {
    closeSync(this.fd)
    const p = (i: number) => join(this.dir, i ? `${this.name}.${i}` : this.name)
    rmSync(p(this.keep), { force: true })
    for (let i = this.keep - 1; i >= 0; i--) if (existsSync(p(i))) renameSync(p(i), p(i + 1))
    this.fd = openSync(p(0), 'a', 0o600)
    this.size = 0
  }
  close(): void {
    if (this.closed) return
    this.closed = true
    try {
      closeSync(this.fd)
    } catch {
      /* already closed */
    }
  }
}

/** The log files of a data folder, newest first. */
export function logFiles(dataDir: string): string[] {
  const dir = join(dataDir, LOG_DIR)
  if (!existsSync(dir)) return []
  const n = (f: string) => (f === LOG_FILE ? 0 : Number(f.slice(LOG_FILE.length + 1)))
  return readdirSync(dir).filter((f) => f === LOG_FILE || /^support-console\.log\.\d+$/.test(f)).sort((a, b) => n(a) - n(b)).map((f) => join(dir, f))
}

const level = () => process.env.SUPPORT_CONSOLE_LOG_LEVEL ?? 'info'
const options = (): pino.LoggerOptions => ({
  level: level(),
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }), log: (o) => scrub(o) as Record<string, unknown> },
  // Errors go through scrub too (formatters.log), not pino's serializer that copies every field.
  serializers: { err: (e: unknown) => scrub(e) },
})

export interface FileLogger {
  log: Logger
  close(): void
}

/** A logger writing to <dataDir>/logs/support-console.log, rotated by size. */
export function openLogger(dataDir: string, o: { maxBytes?: number; keep?: number } = {}): FileLogger {
  const file = new RotatingFile(join(dataDir, LOG_DIR), LOG_FILE, o.maxBytes, o.keep)
  const log = pino(options(), { write: (s: string) => file.write(s) })
  current = log
  return {
    log,
    close: () => {
      if (current === log) current = null
      file.close()
    },
  }
}

let stderrLogger: Logger | null = null
let current: Logger | null = null
/** The logger for background work: the open console's file, else stderr. */
export function logger(): Logger {
  return current ?? (stderrLogger ??= pino(options(), pino.destination(2)))
}
