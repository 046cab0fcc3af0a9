// The `support-console` command runs from the build in out/cli (scripts/build-cli.mjs),
// not from TypeScript transpiled at start, and never from a build older than its sources.
import { spawnSync } from 'node:child_process'
import { readFileSync, statSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(ROOT, 'bin', 'support-console.mjs')
const MANIFEST = join(ROOT, 'out', 'cli', 'manifest.json')

// Loaded before the bin: reports on stderr every TypeScript file and every tsx module the
// process loads (module.registerHooks sees both the ESM and the CommonJS loader).
const TRACE = `data:text/javascript,${encodeURIComponent(`
import module from 'node:module'
module.registerHooks({ load(url, context, next) {
  if (/\\.(ts|mts|cts)$/.test(url) || url.includes('/node_modules/tsx/')) process.stderr.write('LOADED ' + url + '\\n')
  return next(url, context)
} })`)}`

function run(args: string[]) {
  return spawnSync(process.execPath, ['--import', TRACE, BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
}
const loaded = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('LOADED '))

describe('the compiled support-console', () => {
  it('prints help and decodes photos without loading TypeScript or tsx', () => {
    const help = run(['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('Usage: support-console <command>')
    expect(help.stdout).toMatch(/^ {2}lab {7}start the lab bench/m)
    expect(loaded(help.stderr)).toEqual([])

    const qr = run(['qr', 'decode', '--json', join(ROOT, 'package.json')])
    expect(qr.stdout).toMatch(/"file"/)
    expect(loaded(qr.stderr)).toEqual([])
  })

  it('runs the lab bench (test infrastructure, never built) from source', () => {
    // Also shows that the trace above sees tsx and .ts files when they are loaded.
    const lab = run(['lab', '--help'])
    expect(lab.status).toBe(0)
    expect(lab.stdout).toContain('Usage: support-console lab')
    expect(loaded(lab.stderr).some((l) => l.endsWith('/lab/cli.ts'))).toBe(true)
  })

  it('rebuilds before running when a source is newer than the build', () => {
    expect(run(['--help']).status).toBe(0)
    const before = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { startedAt: number; inputs: string[] }
    expect(before.inputs).toContain('electron/cli/command.ts')
    const src = join(ROOT, 'electron', 'cli', 'command.ts')
    // As an edit, a merge or a checkout would: the file is now newer than the build.
    const now = new Date(Math.max(Date.now(), before.startedAt + 1))
    utimesSync(src, now, now)
    expect(statSync(src).mtimeMs).toBeGreaterThan(before.startedAt)

    const help = run(['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('Usage: support-console <command>')
    const after = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { startedAt: number }
    expect(after.startedAt).toBeGreaterThanOrEqual(now.getTime())
    const check = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { cwd: ROOT, encoding: 'utf8' })
    expect(check.stdout).toContain('is current')
  })
})
