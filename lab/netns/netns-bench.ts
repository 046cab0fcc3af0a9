import type { Bench, BenchOptions } from '../bench'
export async function startNetnsBench(_opts: BenchOptions): Promise<Bench> {
  throw new Error('--netns is not implemented yet')
}
