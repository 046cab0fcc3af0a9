// The compiled runtime of the `support-console` command and the browser host: esbuild
// bundles electron/cli/index.ts (and the QR decoder's worker) into out/cli/, ESM, one chunk
// per lazily loaded subcommand, with the pure-JavaScript packages inside (native and wasm
// ones such as better-sqlite3 and sharp load from node_modules as they are). Nothing is
// transpiled at start: `support-console --help` loads one small file.
//
// `npm ci` builds it (`prepare`, always: node_modules was just replaced).
// bin/support-console.mjs calls ensureCliBuild() at every start: when a source the last
// build read is newer than that build (a checkout, a merge, an edit), it rebuilds first (a
// few seconds), so a test or an agent never runs stale code. `node scripts/build-cli.mjs
// [--force]` builds by hand.
//
// Several processes may start at once on a stale build (parallel tests): one builds (a lock
// file) while the others wait for it; every file is written to a temporary name and
// renamed, chunks have content-hashed names, and the manifest is written last, so a reader
// sees either the old build or the new one, and a process still running from the old build
// finds its chunks (unused ones are removed a day later).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
export const CLI_OUT = join(root, 'out', 'cli')
const MANIFEST = join(CLI_OUT, 'manifest.json')
const ENTRY = join(CLI_OUT, 'index.js')
const KEEP_UNUSED_MS = 24 * 3600_000
const EXTERNAL = ['better-sqlite3', 'sharp', 'zxing-wasm', 'heic-decode', 'electron']
// Read by every build besides the sources esbuild reports.
// package-lock.json: the bundled packages change with it.
const CONFIG_INPUTS = ['scripts/build-cli.mjs', 'tsconfig.json', 'package.json', 'package-lock.json']

/** Why the build in out/cli cannot be used as it is, or null when it is current. */
export function staleReason() {
  let manifest
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'))
  } catch {
    return 'there is no build yet'
  }
  if (!existsSync(ENTRY)) return 'the build is incomplete'
  for (const f of manifest.inputs) {
    let m
    try {
      m = statSync(join(root, f)).mtimeMs
    } catch {
      return `${f} was removed`
    }
    if (m > manifest.startedAt) return `${f} changed`
  }
  return null
}

function writeAtomic(path, contents) {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  writeFileSync(tmp, contents)
  renameSync(tmp, path)
}

// `import … from 'node:http'` makes Node build an ES module facade that reads every export
// of node:http, and three of them (WebSocket, CloseEvent, MessageEvent) are getters that
// load undici: about 40 ms of CPU at every start, for classes the console never uses. Our
// imports of node:http get the CommonJS module instead (require reads nothing).
const UNDICI_GETTERS = ['WebSocket', 'CloseEvent', 'MessageEvent']
const httpWithoutUndici = {
  name: 'http-without-undici',
  setup(b) {
    b.onResolve({ filter: /^(node:)?http$/ }, (a) => (a.kind === 'import-statement' || a.kind === 'dynamic-import' ? { path: 'node:http', namespace: 'cjs-http' } : undefined))
    b.onLoad({ filter: /.*/, namespace: 'cjs-http' }, () => {
      const names = Object.keys(createRequire(import.meta.url)('node:http')).filter((k) => !UNDICI_GETTERS.includes(k) && /^[A-Za-z_$][\w$]*$/.test(k))
      return { contents: `const m = require('node:http')\nexport default m\nexport const { ${names.join(', ')} } = m\n`, loader: 'js', resolveDir: root }
    })
  },
}

// zod re-exports its 60-odd error-message languages as \`z.locales\`, so bundling \`z\` takes them
// all (about 300 KB the host would load and compile at every start); the console uses English
// (zod's default, which zod imports on its own) and never \`z.locales\`.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) => (/node_modules[\\/]zod[\\/]/.test(a.importer) ? { path: 'zod-locales', namespace: 'zod-en' } : undefined))
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, () => ({ contents: "export { default as en } from 'zod/v4/locales/en.js'\n", loader: 'js', resolveDir: root }))
  },
}

/** Builds out/cli now. Returns the time it took, ms. */
export async function buildCli() {
  const t0 = performance.now()
  // Taken before esbuild reads anything: a file saved during the build is newer than this
  // and makes the next start rebuild.
  const startedAt = Date.now()
  const { build } = await import('esbuild')
  const r = await build({
    absWorkingDir: root,
    entryPoints: { index: 'electron/cli/index.ts', 'decoder-worker': 'electron/features/nvr-reset/qr/decoder-worker.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // Pure-JavaScript packages are bundled in: the host otherwise loads ~600 files from
    // node_modules at start (pdf-lib, zod, axios… one resolution and one read each). Native
    // and wasm packages, which find files next to themselves, load from node_modules.
    external: EXTERNAL,
    // CommonJS packages bundled into ESM still call require() for Node's built-ins.
    banner: { js: "import { createRequire as __scRequire } from 'node:module'; const require = __scRequire(import.meta.url);" },
    // Chunks sit beside the entries: code finds files relative to its own module
    // (electron/infra/paths.ts: the root two levels up; the QR pool: ./decoder-worker.js).
    outdir: CLI_OUT,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'silent',
    // The lab is test infrastructure and never part of the product; the bin adds it from source.
    plugins: [{ name: 'no-lab', setup: (b) => b.onResolve({ filter: /(^|\/)lab\// }, (a) => ({ errors: [{ text: `product code imports the lab (${a.path} from ${a.importer})` }] })) }, httpWithoutUndici, zodEnglishOnly],
  }).catch((e) => {
    const lines = (e.errors ?? []).map((m) => `  ${m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : ''}${m.text}`)
    throw new Error(`The console could not be built (scripts/build-cli.mjs):\n${lines.join('\n') || e.message}\nFix the error above and run the command again.`, { cause: e })
  })
  mkdirSync(CLI_OUT, { recursive: true })
  const entries = new Set(['index.js', 'index.js.map', 'decoder-worker.js', 'decoder-worker.js.map'])
  const written = new Set(['manifest.json'])
  // Chunks first (content-hashed names: an existing one is already right), entries after.
  const files = [...r.outputFiles].sort((a, b) => Number(entries.has(relative(CLI_OUT, a.path))) - Number(entries.has(relative(CLI_OUT, b.path))))
  for (const f of files) {
    const name = relative(CLI_OUT, f.path)
    written.add(name)
    if (!entries.has(name) && existsSync(f.path)) continue
    mkdirSync(dirname(f.path), { recursive: true })
    writeAtomic(f.path, f.contents)
  }
  // Files only: not node_modules, not a plugin's module (namespace:path).
  const inputs = [...new Set([...Object.keys(r.metafile.inputs), ...CONFIG_INPUTS])].filter((f) => !f.includes('node_modules/') && !/^[\w-]+:/.test(f)).sort()
  writeAtomic(MANIFEST, JSON.stringify({ startedAt, inputs }, null, 1))
  for (const name of readdirSync(CLI_OUT)) {
    const p = join(CLI_OUT, name)
    if (!written.has(name) && Date.now() - statSync(p).mtimeMs > KEEP_UNUSED_MS) unlinkSync(p)
  }
  return performance.now() - t0
}

const LOCK = join(root, 'out', 'cli.build-lock')
const LOCK_STALE_MS = 120_000

/** Takes the build lock, or returns false when another process holds it (a lock left by a crash expires). */
function lock() {
  mkdirSync(dirname(LOCK), { recursive: true })
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' })
      return true
    } catch (e) {
      // A folder we may not write to: nobody can build here; buildCli() will say so.
      if (e.code !== 'EEXIST') return true
      try {
        if (Date.now() - statSync(LOCK).mtimeMs < LOCK_STALE_MS) return false
        unlinkSync(LOCK)
      } catch {
        // removed meanwhile: try again
      }
    }
  }
  return false
}

/** The entry of a current build (built first when missing or stale), as a file path. */
export async function ensureCliBuild() {
  let why = staleReason()
  if (why === null) return ENTRY
  // Another process is building: wait for it rather than building the same thing again.
  const until = Date.now() + LOCK_STALE_MS
  let mine = lock()
  while (!mine && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100))
    why = staleReason()
    if (why === null) return ENTRY
    mine = lock()
  }
  try {
    await buildCli()
  } catch (e) {
    if (!['EACCES', 'EPERM', 'EROFS'].includes(e.code)) throw e
    throw new Error(`The console's build in ${CLI_OUT} must be remade (${why}) but cannot be written here: ${e.message}\nRun "npm run build:cli" in ${root} as the user who installed it, then run the command again.`, { cause: e })
  } finally {
    if (mine) rmSync(LOCK, { force: true })
  }
  return ENTRY
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force')
  const why = force ? 'asked to (--force)' : staleReason()
  if (why === null) {
    console.log('The console build in out/cli is current.')
  } else {
    try {
      const ms = await buildCli()
      console.log(`Console built into out/cli in ${Math.round(ms)} ms (${why}).`)
    } catch (e) {
      console.error(e.message)
      process.exit(1)
    }
  }
}
