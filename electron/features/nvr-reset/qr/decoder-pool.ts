// A small pool of worker threads for QR decoding. Size min(2, cores): decoding is CPU-bound
// and the UI process must keep a core for itself. A job that exceeds its timeout, or whose
// signal aborts, terminates its worker (a wasm call cannot be interrupted otherwise) and a
// fresh worker takes its place.
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { AppError, type ErrorCode } from '../../../../shared/contract/common'
import type { DecodeOptions, DecodeResult } from './decode'
import type { WorkerRequest, WorkerResponse } from './decoder-worker'

export interface PoolOptions {
  size?: number
  /** Default per-job timeout, ms (queueing time not included). */
  timeoutMs?: number
}

export interface DecodeJobOptions extends Omit<DecodeOptions, 'signal'> {
  signal?: AbortSignal
  timeoutMs?: number
}

interface Job {
  id: number
  bytes: Uint8Array
  opts: DecodeJobOptions
  resolve: (r: DecodeResult) => void
  reject: (e: unknown) => void
}

interface Slot {
  worker: Worker
  ready: Promise<void>
  job?: Job
  timer?: NodeJS.Timeout
  onAbort?: () => void
}

/**
 * The worker file for a pool whose code is at `moduleUrl` (this module, or the bundle it was
 * built into). Bundled (the desktop app: electron.vite.config.ts builds decoder-worker.js
 * next to the main entry and its chunks): the built .js, run as is: a packaged app has no
 * tsx. From source (CLI, host, tests): the .ts source run through tsx.
 */
export function workerEntry(moduleUrl: string = import.meta.url): { url: URL; execArgv: string[] } {
  if (/\.[cm]?js$/.test(new URL(moduleUrl).pathname)) {
    const js = new URL('./decoder-worker.js', moduleUrl)
    if (!existsSync(fileURLToPath(js))) {
      throw new AppError('INTERNAL', `The QR decoder is missing from this build (${fileURLToPath(js)}).`, { hint: 'Reinstall the application; a developer build needs `npm run build`.', key: 'qr.missing', values: { path: fileURLToPath(js) } })
    }
    return { url: js, execArgv: [] }
  }
  // Resolved from this file, not from the process's working directory, so that the worker
  // starts whatever directory the console was launched from.
  return { url: new URL('./decoder-worker.ts', moduleUrl), execArgv: ['--import', import.meta.resolve('tsx')] }
}

export class DecoderPool {
  private slots: Slot[] = []
  private queue: Job[] = []
  private nextId = 1
  private closed = false
  readonly size: number
  private readonly timeoutMs: number

  constructor(opts: PoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? Math.min(2, availableParallelism()))
    this.timeoutMs = opts.timeoutMs ?? 15_000
  }

  /** Decodes `bytes` (a photo file) in a worker. Rejects with AppError BAD_INPUT for unreadable files, or on timeout/abort. */
  decode(bytes: Uint8Array, opts: DecodeJobOptions = {}): Promise<DecodeResult> {
    if (this.closed) return Promise.reject(new AppError('INTERNAL', 'The QR decoder has been shut down.', { key: 'qr.shutDown' }))
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal))
    return new Promise<DecodeResult>((resolve, reject) => {
      const job: Job = { id: this.nextId++, bytes, opts, resolve, reject }
      if (opts.signal) {
        opts.signal.addEventListener('abort', () => this.cancel(job, abortError(opts.signal!)), { once: true })
      }
      this.queue.push(job)
      this.pump()
    })
  }

  /** Stops all workers; pending and running jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true
    const err = new AppError('INTERNAL', 'The QR decoder was shut down before the photo was decoded.', { key: 'qr.shutDownBefore' })
    for (const j of this.queue.splice(0)) j.reject(err)
    await Promise.all(
      this.slots.map(async (s) => {
        clearTimeout(s.timer)
        s.job?.reject(err)
        s.job = undefined
        await s.worker.terminate()
      }),
    )
    this.slots = []
  }

  /** Number of live worker threads (for tests and diagnostics). */
  get threadCount(): number {
    return this.slots.length
  }

  get threadIds(): number[] {
    return this.slots.map((s) => s.worker.threadId)
  }

  private spawn(): Slot {
    const { url, execArgv } = workerEntry()
    const worker = new Worker(url, { execArgv })
    let readyResolve!: () => void
    let readyReject!: (e: unknown) => void
    const slot: Slot = { worker, ready: new Promise<void>((res, rej) => ((readyResolve = res), (readyReject = rej))) }
    slot.ready.catch(() => {}) // observed through the job that is waiting for it
    worker.on('message', (m: WorkerResponse) => {
      if ('ready' in m) return readyResolve()
      const job = slot.job
      if (!job || job.id !== m.id) return
      this.finish(slot)
      if (m.ok) job.resolve(m.result)
      else job.reject(m.error.appError ? new AppError(m.error.code as ErrorCode, m.error.message, { key: m.error.key ?? 'qr.failed', values: m.error.key ? m.error.values : { detail: m.error.message } }) : new AppError('INTERNAL', `The QR decoder failed: ${m.error.message}`, { key: 'qr.failed', values: { detail: m.error.message } }))
      this.pump()
    })
    worker.on('error', (e) => {
      readyReject(e)
      const job = slot.job
      this.replace(slot)
      job?.reject(new AppError('INTERNAL', `The QR decoder crashed: ${e.message}`, { cause: e, key: 'qr.crashed', values: { detail: e.message } }))
      this.pump()
    })
    worker.on('exit', () => {
      // A worker that exits on its own (out of memory) is replaced; its job fails.
      if (this.slots.includes(slot) && !this.closed) {
        const job = slot.job
        this.replace(slot)
        job?.reject(new AppError('INTERNAL', 'The QR decoder stopped unexpectedly (the photo may be too large).', { key: 'qr.stopped' }))
        this.pump()
      }
    })
    this.slots.push(slot)
    return slot
  }

  private finish(slot: Slot) {
    clearTimeout(slot.timer)
    if (slot.onAbort && slot.job?.opts.signal) slot.job.opts.signal.removeEventListener('abort', slot.onAbort)
    slot.job = undefined
    slot.timer = undefined
  }

  private replace(slot: Slot) {
    this.finish(slot)
    this.slots = this.slots.filter((s) => s !== slot)
    void slot.worker.terminate()
  }

  private cancel(job: Job, err: unknown) {
    const qi = this.queue.indexOf(job)
    if (qi >= 0) {
      this.queue.splice(qi, 1)
      job.reject(err)
      return
    }
    const slot = this.slots.find((s) => s.job === job)
    if (!slot) return
    this.replace(slot)
    job.reject(err)
    this.pump()
  }

  private pump() {
    if (this.closed) return
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job)
      if (!slot && this.slots.length < this.size) {
        try {
          slot = this.spawn()
        } catch (e) {
          this.queue.shift()!.reject(e)
          continue
        }
      }
      if (!slot) return
      const job = this.queue.shift()!
      slot.job = job
      const timeout = job.opts.timeoutMs ?? this.timeoutMs
      slot.timer = setTimeout(
        () => this.cancel(job, new AppError('INTERNAL', `Decoding the photo took longer than ${Math.round(timeout / 1000)} s and was stopped. Try a smaller photo, or crop it around the code.`, { key: 'qr.tooSlow', values: { s: Math.round(timeout / 1000) } })),
        timeout,
      )
      const { signal, timeoutMs, ...options } = job.opts
      void signal
      void timeoutMs
      const s = slot
      s.ready.then(
        () => {
          if (s.job !== job) return
          // Copy: transferring would detach the caller's buffer.
          const copy = new Uint8Array(job.bytes)
          s.worker.postMessage({ id: job.id, bytes: copy, options } satisfies WorkerRequest, [copy.buffer])
        },
        (e) => {
          if (s.job === job) {
            this.replace(s)
            job.reject(new AppError('INTERNAL', `The QR decoder could not start: ${(e as Error).message}`, { cause: e, key: 'qr.cannotStart', values: { detail: (e as Error).message } }))
          }
        },
      )
    }
  }
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new AppError('INTERNAL', 'Decoding was cancelled.', { key: 'qr.cancelled' })
}

let shared: DecoderPool | undefined

/** Decodes in the process-wide pool (created on first use). */
export function decodeInWorker(bytes: Uint8Array, opts?: DecodeJobOptions): Promise<DecodeResult> {
  shared ??= new DecoderPool()
  return shared.decode(bytes, opts)
}

/** Shuts the process-wide pool down (app quit). */
export async function shutdownDecoderPool(): Promise<void> {
  const p = shared
  shared = undefined
  await p?.close()
}
