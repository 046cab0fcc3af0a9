// Worker thread body: decodes photos sent by decoder-pool.ts, one at a time, so that the
// wasm decoder (synchronous, up to a second on a 12 MP photo) never blocks the main thread.
import { parentPort } from 'node:worker_threads'
import { AppError } from '../../../../shared/contract/common'
import { decodeQr, type DecodeOptions } from './decode'
import { loadZxing } from './zxing'

export interface WorkerRequest {
  id: number
  bytes: Uint8Array
  options: Omit<DecodeOptions, 'signal'>
}

export type WorkerResponse =
  | { id: number; ok: true; result: Awaited<ReturnType<typeof decodeQr>> }
  | { id: number; ok: false; error: { code: string; message: string; appError: boolean; key?: string; values?: Record<string, string | number> } }
  | { id: -1; ready: true }

const port = parentPort
if (!port) throw new Error('decoder-worker.ts must be started as a worker thread')

// Compile the wasm before the first job arrives.
await loadZxing()
port.postMessage({ id: -1, ready: true } satisfies WorkerResponse)

port.on('message', async (req: WorkerRequest) => {
  try {
    const result = await decodeQr(req.bytes, req.options)
    port.postMessage({ id: req.id, ok: true, result } satisfies WorkerResponse)
  } catch (e) {
    const app = e instanceof AppError
    port.postMessage({
      id: req.id,
      ok: false,
      error: { code: app ? e.code : 'INTERNAL', message: (e as Error)?.message ?? String(e), appError: app, ...(app ? { key: e.key, values: e.values } : {}) },
    } satisfies WorkerResponse)
  }
})
