// The data folder's write health as the console last saw it (issue 13, finding 11). A write
// that fails (the audit head file, a database change) sets the problem; the next write of
// the head file that succeeds clears it, since that write needs a working folder. Each change is
// logged once and announced on the event bus, so the UI shows a banner for as long as the problem
// lasts instead of one toast that scrolls away, or nothing at all (the head file used to fail silently).
import type { Logger } from 'pino'
import { AppError, type ApiError } from '../../shared/contract/common'
import type { StorageProblem } from '../../shared/contract/system'
import { storageError } from '../../db/storage-problem'
import type { EventBus } from './events'

type Source = StorageProblem['source']

export class StorageState {
  private current: StorageProblem | null = null

  constructor(private readonly dataDir: string, private readonly bus: EventBus, private readonly log: () => Logger) {}

  get problem(): StorageProblem | null {
    return this.current
  }

  /** A write failed: `e` is the raw error, or the STORAGE ApiError a call already made of it. */
  failed(source: Source, e: unknown): void {
    const api: ApiError = e instanceof AppError && e.code === 'STORAGE' ? e.toJSON() : isApiStorage(e) ? e : storageError(e, this.dataDir).toJSON()
    const kind = (api.key ?? '').replace(/^storage\./, '').replace(/File$/, '') as StorageProblem['kind']
    const next: StorageProblem = {
      kind: ['readOnly', 'immutable', 'full', 'missing', 'permission', 'io'].includes(kind) ? kind : 'io',
      source,
      message: api.message,
      ...(api.hint ? { hint: api.hint } : {}),
      ...(api.key ? { key: api.key, ...(api.values ? { values: api.values } : {}) } : { key: 'storage.io', values: { dir: this.dataDir, detail: api.message } }),
      since: this.current?.kind === kind ? this.current.since : new Date().toISOString(),
    }
    const same = this.current && this.current.kind === next.kind && this.current.message === next.message
    this.current = next
    if (same) return
    this.log().error({ storage: next.kind, source, code: api.values?.code ?? null }, `storage: ${next.message}`)
    this.bus.emit('system.storage', { problem: next })
  }

  /** A write of the head file succeeded: the folder takes writes again. */
  succeeded(): void {
    if (!this.current) return
    const was = this.current
    this.current = null
    this.log().info({ storage: 'ok', was: was.kind }, 'storage: the data folder takes writes again')
    this.bus.emit('system.storage', { problem: null })
  }
}

function isApiStorage(e: unknown): e is ApiError {
  const x = e as ApiError | null
  return !!x && typeof x === 'object' && !(e instanceof Error) && x.code === 'STORAGE' && typeof x.message === 'string'
}
