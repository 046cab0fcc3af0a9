import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { dataDirFromArgs, defaultDataDir } from './data-dir'

describe('data folder', () => {
  it('takes --data-dir from the desktop app arguments in both spellings', () => {
    expect(dataDirFromArgs(['/opt/Support Console/support-console', '.', '--data-dir', '/tmp/bench a'])).toBe('/tmp/bench a')
    expect(dataDirFromArgs(['electron', '.', '--data-dir=/srv/sc'])).toBe('/srv/sc')
  })

  it('ignores a --data-dir without a folder, so the default applies', () => {
    expect(dataDirFromArgs(['electron', '.', '--data-dir'])).toBeUndefined()
    expect(dataDirFromArgs(['electron', '.', '--data-dir', '--inspect'])).toBeUndefined()
    expect(dataDirFromArgs(['electron', '.', '--data-dir='])).toBeUndefined()
  })

  it('uses SUPPORT_CONSOLE_DATA_DIR, else the platform user-data folder named for the product', () => {
    expect(defaultDataDir({ SUPPORT_CONSOLE_DATA_DIR: '/data/sc' })).toBe('/data/sc')
    if (process.platform === 'linux') expect(defaultDataDir({ XDG_CONFIG_HOME: '/home/a/.config' })).toBe(join('/home/a/.config', 'Support Console'))
  })
})
