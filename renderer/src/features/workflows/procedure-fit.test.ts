import { describe, expect, it } from 'vitest'
import { procedureFit } from './procedure-fit'

describe('procedure fit', () => {
  it('warns for a My2N move on an NVR serial or model, and an NVR reset on a 2N intercom', () => {
    expect(procedureFit('my2n-move', '21023582TYPDUZDHY31F', '')).toBe('nvr-for-move')
    expect(procedureFit('my2n-move', '', '2MN-8016')).toBe('nvr-for-move')
    expect(procedureFit('my2n-move', '54-0559-5383', '2N IP Verso')).toBe('fits')
    expect(procedureFit('my2n-move', '5405595383', '')).toBe('fits')
    expect(procedureFit('nvr-password-reset', '54-0559-5383', '')).toBe('intercom-for-reset')
    expect(procedureFit('nvr-password-reset', '21023582TYPDUZDHY31F', '2MN-8016')).toBe('fits')
    expect(procedureFit('other', '21023582TYPDUZDHY31F', '')).toBe('fits')
    expect(procedureFit('my2n-move', '', '')).toBe('unknown')
  })
})
