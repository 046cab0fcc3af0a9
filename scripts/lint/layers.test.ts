// The layer rules (scripts/lint/layers.mjs, run by ESLint through scripts/lint/eslint-plugin.mjs):
// they fail a fixture tree laid out like the repository on each kind of forbidden import,
// and pass the repository itself, which has no import circle in product code.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'
import { afterAll, describe, expect, it } from 'vitest'
import layers from './eslint-plugin.mjs'
import { LAYER_DEBT } from './layer-debt.mjs'
import { importCircles, productGraph } from './layers.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

function eslintFor(root: string, debt: Record<string, string[]>) {
  return new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        linterOptions: { reportUnusedDisableDirectives: 'off' },
        languageOptions: { parser: tseslint.parser as never },
        plugins: { layers },
        settings: { layersRoot: root },
        rules: { 'layers/imports': ['error', { debt }], 'layers/no-circle': 'error' },
      },
    ],
  })
}

describe('layer rules on a fixture tree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sc-layers-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const files: Record<string, string> = {
    'shared/contract/tickets.ts': "import { z } from 'zod'\nexport const T = z.string()\n",
    'shared/contract/bad.ts': "import { readFileSync } from 'node:fs'\nexport const f = readFileSync\n",
    'db/repos/tickets.ts': "import { T } from '../../shared/contract/tickets'\nexport const repo = T\n",
    'electron/infra/events.ts': 'export const bus = 1\n',
    'electron/core/app.ts': "import { repo } from '../../db/repos/tickets'\nimport { bus } from '../infra/events'\nexport class App { r = repo; b = bus }\n",
    'electron/cli/index.ts': "import { App } from '../core/app'\nexport const main = () => new App()\n",
    'electron/host/server.ts': 'export const serve = 1\n',
    // Fine: a feature using infrastructure, the database and the contract.
    'electron/features/tickets/search.ts': "import { bus } from '../../infra/events'\nimport { repo } from '../../../db/repos/tickets'\nexport const s = [bus, repo]\n",
    // Fine: a feature using another through its public entry.
    'electron/features/devices/index.ts': "export { d } from './driver'\n",
    'electron/features/tickets/devices.ts': "import { d } from '../devices'\nexport const x = d\n",
    // A feature reaching past another's entry into its inside.
    'electron/features/tickets/inside.ts': "import { d } from '../devices/driver'\nexport const y = d\n",
    // Infrastructure using a feature.
    'electron/infra/bad.ts': "import { s } from '../features/tickets/search'\nexport const z = s\n",
    // The deliberate upward import: a feature reaching into an entry point.
    'electron/features/devices/driver.ts': "import { main } from '../../cli/index'\nexport const d = main\n",
    // Type-only imports count: this is how the service locator spreads.
    'electron/features/devices/ops.ts': "import type { App } from '../../core/app'\nexport type O = App\n",
    'electron/features/nvr-reset/qr/decode.ts': "export const helper = () => import('../../../../lab/test-helpers')\n",
    'electron/features/workflows/testing.ts': 'export const fakeDevices = 1\n',
    'electron/features/workflows/service.ts': "import { fakeDevices } from './testing'\nexport const s = fakeDevices\n",
    'electron/features/nvr-reset/photos/window.ts': "import { BrowserWindow } from 'electron'\nexport const w = BrowserWindow\n",
    'electron/main/protocol.ts': "import { serve } from '../host/server'\nexport const p = serve\n",
    'electron/core/secret.ts': "export { main } from '../cli/index'\n",
    'renderer/src/store.ts': "import { App } from '../../electron/core/app'\nexport const a = App\n",
    'lab/test-helpers.ts': "import { App } from '../electron/core/app'\nexport const x = App\n",
    'lab/window.ts': "import { app } from 'electron'\nexport const x = app\n",
    'electron/features/audit/a.ts': "import { b } from './b'\nexport const a = () => b\n",
    'electron/features/audit/b.ts': "import type { a } from './a'\nexport const b = 1 as unknown as typeof a\n",
    // A listed exception that is used, and one that is no longer needed.
    'electron/features/evidence/vault.ts': "import type { App } from '../../core/app'\nexport type V = App\n",
    'electron/features/evidence/retention.ts': 'export const keep = 1\n',
  }
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true })
    writeFileSync(join(dir, f), text)
  }
  const debt = { 'electron/features/evidence/vault.ts': ['electron/core/app.ts'], 'electron/features/evidence/retention.ts': ['electron/core/app.ts'] }

  it('fails each forbidden import with a message that says which rule and why', async () => {
    const results = await eslintFor(dir, debt).lintFiles(['.'])
    const byFile = Object.fromEntries(results.map((r) => [r.filePath.slice(dir.length + 1), r.messages.map((m) => `${m.ruleId}: ${m.message}`)]))
    expect(byFile['electron/features/devices/driver.ts']).toEqual([expect.stringMatching(/^layers\/imports: feature code imports cli code \(electron\/cli\/index\.ts\)/)])
    expect(byFile['electron/features/tickets/inside.ts']).toEqual([expect.stringMatching(/inside the devices feature: features use one another only through the public entry electron\/features\/devices\/index\.ts/)])
    expect(byFile['electron/infra/bad.ts']).toEqual([expect.stringMatching(/infra code imports feature code/)])
    expect(byFile['electron/features/devices/ops.ts']).toEqual([expect.stringMatching(/feature code imports root code \(electron\/core\/app\.ts\)/)])
    expect(byFile['electron/core/secret.ts']).toEqual([expect.stringMatching(/root code imports cli code/)])
    expect(byFile['electron/features/nvr-reset/qr/decode.ts']).toEqual([expect.stringMatching(/product code imports test code \(lab\/test-helpers\.ts\)/)])
    expect(byFile['electron/features/workflows/service.ts']).toEqual([expect.stringMatching(/product code imports test code \(electron\/features\/workflows\/testing\.ts\)/)])
    expect(byFile['electron/features/nvr-reset/photos/window.ts']).toEqual([expect.stringMatching(/imports 'electron' outside electron\/main/)])
    expect(byFile['lab/window.ts']).toEqual([expect.stringMatching(/imports 'electron' outside electron\/main/)])
    expect(byFile['electron/main/protocol.ts']).toEqual([expect.stringMatching(/the desktop shell imports electron\/host\/server\.ts/)])
    expect(byFile['shared/contract/bad.ts']).toEqual([expect.stringMatching(/shared\/ must stay free of Node built-ins/)])
    expect(byFile['renderer/src/store.ts']).toEqual([expect.stringMatching(/the renderer imports electron\/core\/app\.ts/)])
    expect(byFile['electron/features/audit/a.ts']).toEqual([expect.stringMatching(/^layers\/no-circle: import circle: electron\/features\/audit\/a\.ts → electron\/features\/audit\/b\.ts/)])
    expect(byFile['electron/features/audit/b.ts']).toEqual([expect.stringMatching(/^layers\/no-circle/)])
    expect(byFile['electron/features/evidence/retention.ts']).toEqual([expect.stringMatching(/no longer imports electron\/core\/app\.ts: remove it from the layer debt/)])
    // Allowed: downward imports, the listed exception, the lab importing product code, the CLI building the App.
    for (const ok of ['electron/features/tickets/search.ts', 'electron/features/tickets/devices.ts', 'electron/features/devices/index.ts', 'electron/features/evidence/vault.ts', 'lab/test-helpers.ts', 'electron/cli/index.ts', 'electron/core/app.ts', 'db/repos/tickets.ts', 'shared/contract/tickets.ts']) {
      expect(byFile[ok], ok).toEqual([])
    }
  })
})

describe('layer rules on the repository', () => {
  it('are what eslint.config.js runs on product code', async () => {
    const config = await new ESLint({ cwd: ROOT }).calculateConfigForFile(join(ROOT, 'electron/features/devices/driver.ts'))
    expect(config.rules['layers/imports']?.[0]).toBe(2)
    expect(config.rules['layers/no-circle']?.[0]).toBe(2)
  })

  it('pass on every product file, and product code has no import circle', async () => {
    expect(importCircles(productGraph())).toEqual([])
    const results = await eslintFor(ROOT, LAYER_DEBT).lintFiles(['electron/**/*.ts', 'db/**/*.ts', 'shared/**/*.ts', 'renderer/src/**/*.ts', 'lab/**/*.ts'])
    expect(results.length).toBeGreaterThan(100)
    // Only the layer rules run here: the repository's disable comments name rules unknown to this config.
    expect(results.flatMap((r) => r.messages.filter((m) => m.ruleId?.startsWith('layers/')).map((m) => `${r.filePath.slice(ROOT.length)}:${m.line} ${m.message}`))).toEqual([])
  }, 120_000)
})
