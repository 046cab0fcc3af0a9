// The synthetic development material (testing/scenes.ts) must be reproducible from its seeds,
// split into two disjoint halves that each cover every kind of photo, and labelled correctly
// (a code is where the label says, with the label's text).
import { describe, expect, it } from 'vitest'
import { decodeQr } from './decode'
import { scene, scenes, SCENE_KINDS } from './testing/scenes'

describe('synthetic QR scenes', () => {
  it('follow from their seed and split into disjoint halves covering every kind', () => {
    expect(scene(17).codes).toEqual(scene(17).codes)
    const tune = scenes('tune', 22)
    const held = scenes('held-back', 22)
    expect(new Set([...tune, ...held].map((s) => s.seed)).size).toBe(44)
    for (const split of [tune, held]) expect(new Set(split.map((s) => s.kind))).toEqual(new Set(SCENE_KINDS))
    expect(tune.find((s) => s.kind === 'no-code')!.codes).toEqual([])
    expect(tune.find((s) => s.kind === 'several')!.codes.length).toBeGreaterThan(1)
  })

  it('render a picture whose codes are where their labels say', async () => {
    const s = scenes('tune', 40).find((x) => x.kind === 'nominal' && x.width <= 2048)!
    const r = await decodeQr(await s.render())
    expect([r.width, r.height]).toEqual([s.width, s.height])
    for (const c of s.codes) {
      const got = r.codes.find((x) => x.text === c.text)
      expect(got, c.text).toBeDefined()
      const centre = (q: readonly (readonly number[])[]) => [0, 1].map((k) => q.reduce((a, p) => a + p[k], 0) / 4)
      const [ax, ay] = centre(got!.position)
      const [bx, by] = centre(c.quad)
      expect(Math.hypot(ax - bx, ay - by)).toBeLessThan(Math.hypot(c.quad[1][0] - c.quad[0][0], c.quad[1][1] - c.quad[0][1]) / 10)
    }
  }, 60_000)
})
