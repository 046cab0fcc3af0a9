/** Shared helpers for `npm run bench`: every figure is printed beside an anchor measured in the same run. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  if (!s.length) return NaN
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]
}
export const median = (xs: number[]) => percentile(xs, 50)

export function report(name: string, value: number, unit: string, anchor: { name: string; value: number }, target?: string): void {
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2))
  console.log(`${name}: ${fmt(value)} ${unit} (anchor ${anchor.name}: ${fmt(anchor.value)} ${unit}, ratio: ${(value / anchor.value).toFixed(2)}x)${target ? ` [target ${target}]` : ''}`)
}

export async function time<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now()
  const r = await fn()
  return [r, performance.now() - t0]
}
