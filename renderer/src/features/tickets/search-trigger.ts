/**
 * When the ticket search runs: a change after a pause (a pasted or scanned serial, the first
 * key typed) at once; the keys that follow it within `burstMs` once the typing pauses for
 * `waitMs`. A burst of typing costs two searches, and a pasted serial none of the wait.
 */
export function searchTrigger(run: () => void, o: { burstMs?: number; waitMs?: number; now?: () => number } = {}): () => void {
  const burstMs = o.burstMs ?? 300
  const waitMs = o.waitMs ?? 120
  const now = o.now ?? (() => performance.now())
  let timer: ReturnType<typeof setTimeout> | undefined
  let last = -Infinity
  return () => {
    clearTimeout(timer)
    const t = now()
    const typing = t - last < burstMs
    last = t
    if (typing) timer = setTimeout(run, waitMs)
    else run()
  }
}
