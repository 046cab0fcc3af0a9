import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dataDirFromArgs, defaultDataDir, makePrivate, windowsPrivateArgs } from './data-dir'

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

describe('a private data folder on Windows (issue 13, finding 5)', () => {
  it('cuts inherited access and grants the current user alone, on the folder and all in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sc-win-'))
    const calls: [string, string[]][] = []
    makePrivate(dir, () => undefined, { platform: 'win32', user: 'Eva', run: (cmd, args) => void calls.push([cmd, args]) })
    expect(calls).toEqual([['icacls', [dir, '/inheritance:r', '/grant:r', 'Eva:(OI)(CI)F', '/T', '/Q']]])
    expect(windowsPrivateArgs('C:\\Data\\Support Console', 'Eva')).toContain('/inheritance:r')
  })

  it('without an account name leaves the folder as it is rather than lock everyone out', () => {
    const calls: unknown[] = []
    makePrivate(mkdtempSync(join(tmpdir(), 'sc-win-')), () => undefined, { platform: 'win32', user: '', run: () => void calls.push(1) })
    expect(calls).toEqual([])
  })
})
