/** Runs `fn` over `items` with at most `limit` at once; stops taking new items once `signal` aborts. */
export async function pool<T>(items: T[], limit: number, signal: AbortSignal, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (!signal.aborted) {
      const i = next++
      if (i >= items.length) return
      try {
        await fn(items[i], i)
      } catch {
        // One item's failure never stops the others; fn reports its own diagnostics.
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
}

export const delay = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
