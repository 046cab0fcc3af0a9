// `npm ci` on the system Node (20 or later, README) prints no EBADENGINE flood for the
// dependencies that only ever run on the pinned Node 24, and the engines field says what the
// README says.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies?: Record<string, string>; dependencies?: Record<string, string> }

describe('engines', () => {
  it('npm logs only errors (no engine warnings) and package.json and the README agree on the system Node', () => {
    const npmrc = readFileSync(join(ROOT, '.npmrc'), 'utf8')
    expect(/^loglevel=(.+)$/m.exec(npmrc)?.[1]).toBe('error')
    const pinned = pkg.dependencies?.node ?? pkg.devDependencies?.node
    expect(pinned).toMatch(/^24\.\d+\.\d+$/)
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const min = /only the system Node \((\d+) or later\)/.exec(readme)?.[1]
    expect(min).toBeDefined()
    expect(pkg.engines.node).toBe(`>=${min}`)
  })
})
