// `npm run security:electron`: Electronegativity (Doyensec) over the built Electron output
// (out/main, out/preload, out/renderer — built first with electron-vite) and over the
// sources of the Electron side (electron/main, electron/preload, renderer/index.html).
// Every finding must either be fixed or listed in JUSTIFIED below with the reason, which
// README.md ("Security") repeats for people; anything else fails the run.
//
// Run offline: the tool's CLI fetches translations and the list of Electron releases from the
// internet at start (and crashes on a got/p-cancelable bug when it cannot), so this calls its
// runner directly with local translations and without the release check
// (AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK; the Electron version is pinned in package.json and
// kept current by hand).
//   node scripts/security-electron.mjs [--no-build] [--verbose]
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const require = createRequire(import.meta.url)

/**
 * Accepted findings: check id, the files it may name (built output as `out/…`), the exact
 * kind of finding (its description), and why. README.md "Security" says the same for people.
 * A new finding, or the same check in another file or of another kind, fails the run.
 */
const JUSTIFIED = [
  {
    id: 'PRELOAD_JS_CHECK',
    files: ['out/main/index.js', 'electron/main/index.ts'],
    why: 'the one preload is sandboxed and context-isolated; it exposes only invoke/on of the typed contract, whose every call is validated by zod in the main process (electron/preload/index.ts)',
  },
  {
    id: 'OPEN_EXTERNAL_JS_CHECK',
    files: ['out/main/index.js', 'electron/main/index.ts'],
    why: 'openExternal is only reached through safeOpenExternal (electron/main/guards.ts), which passes http: and https: URLs and drops file:, smb:, javascript: and the rest',
  },
  {
    id: 'AUXCLICK_JS_CHECK',
    files: ['out/main/index.js', 'electron/main/index.ts'],
    why: 'a middle-click can only ask for a new window, and setWindowOpenHandler denies every new window (http/https links go to the system browser through safeOpenExternal); will-navigate/will-redirect block every origin but app://console',
  },
  {
    id: 'CSP_GLOBAL_CHECK',
    files: ['out/renderer/index.html'],
    description: /seems to be vulnerable/,
    why: "the only remark on the CSP is \"script-src 'self' can be problematic if you host JSONP, Angular or user uploaded files\": app://console serves only the built renderer, no JSONP, and photos are shown as blob:/data: URLs, never served from the app origin",
  },
  {
    id: 'CSP_GLOBAL_CHECK',
    files: ['out/main/index.js', 'electron/main/app-protocol.ts'],
    description: /Failed to parse CSP/,
    why: 'the header is set from the constant CONTENT_SECURITY_POLICY (electron/infra/http-security.ts), which the tool cannot read; it is the same policy as the meta tag checked above',
  },
]

// Build into a folder of our own: out/ is what the e2e tests and `npm start` serve.
let built = join(root, 'out')
let tmp = null
if (!args.includes('--no-build')) {
  tmp = mkdtempSync(join(tmpdir(), 'security-electron-'))
  built = join(tmp, 'out')
  const b = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', built, '-l', 'error'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  if (b.status !== 0) {
    console.error('security:electron: electron-vite build failed')
    process.exit(1)
  }
}

// Local translations instead of the tool's download (see above).
const pkgDir = dirname(require.resolve('@doyensec/electronegativity/package.json'))
const i18nPath = join(pkgDir, 'dist/locales/i18n.js')
const i18n = require('i18n')
require.cache[i18nPath] = {
  id: i18nPath,
  filename: i18nPath,
  loaded: true,
  exports: async () => {
    i18n.configure({ locales: ['en-US'], defaultLocale: 'en-US', directory: dirname(i18nPath), updateFiles: false, objectNotation: true, register: globalThis })
    i18n.setLocale('en-US')
  },
}
const run = require(join(pkgDir, 'dist/runner.js'))
const electronVersion = require(join(root, 'node_modules/electron/package.json')).version

// The built output (main, preload, renderer with its CSP meta tag) and the main-process sources.
// Each input is scanned as a whole: the tool's global checks (navigation limits, permission
// handler, CSP) look for their handler anywhere in the input.
const inputs = [
  { input: built, name: (f) => join('out', relative(built, f)) },
  { input: join(root, 'electron'), name: (f) => relative(root, f) },
]
const findings = []
const errors = []
for (const { input, name } of inputs) {
  const r = await run({
    input,
    output: undefined,
    isSarif: false,
    isRelative: false,
    customScan: [],
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    electronVersionOverride: electronVersion,
    severitySet: undefined,
    confidenceSet: undefined,
    parserPlugins: [],
  })
  for (const e of r.errors) if (!e.tolerable) errors.push(`${name(e.file)}: ${e.message}`)
  for (const i of r.issues) findings.push({ id: i.id, file: i.file === 'N/A' ? `${name(input)} (whole input)` : name(i.file), line: i.location?.line ?? 0, severity: i.severity?.name ?? '', confidence: i.confidence?.name ?? '', manual: !!i.manualReview, description: i.description })
}

// The same finding can come from several inputs (e.g. a global check per run): report it once.
const seen = new Set()
const unique = findings.filter((f) => {
  const k = `${f.id} ${f.file} ${f.line}`
  return seen.has(k) ? false : (seen.add(k), true)
})
const justification = (f) => JUSTIFIED.find((j) => j.id === f.id && j.files.includes(f.file) && (!j.description || j.description.test(f.description)))
const isJustified = (f) => !!justification(f)
const open = unique.filter((f) => !isJustified(f))
const verbose = args.includes('--verbose')
for (const f of unique) {
  const tag = isJustified(f) ? 'justified' : 'OPEN'
  console.log(`${tag.padEnd(9)} ${f.id} ${f.file}:${f.line} (${f.severity}/${f.confidence}${f.manual ? ', review' : ''})`)
  if (verbose || !isJustified(f)) console.log(`          ${f.description}`)
  if (verbose && isJustified(f)) console.log(`          why accepted: ${justification(f).why}`)
}
for (const e of errors) console.log(`PARSE     ${e}`)
console.log(`security:electron: Electronegativity ${require(join(pkgDir, 'package.json')).version}, Electron ${electronVersion}: ${unique.length} finding(s), ${open.length} not justified, ${errors.length} parse error(s)`)
if (tmp) rmSync(tmp, { recursive: true, force: true })
process.exit(open.length || errors.length ? 1 : 0)
