#!/usr/bin/env node
// Entry of the `support-console` command. The console runs on Node 24 (the Node that
// current Electron embeds); on an older system Node we re-run ourselves on the Node 24
// that `npm install` put in node_modules (package "node"), because better-sqlite3 13
// needs N-API 10 and crashes on Node 20.
import { spawn } from 'node:child_process'
import module from 'node:module'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const major = Number(process.versions.node.split('.')[0])
if (major < 22 && !process.env.SUPPORT_CONSOLE_REEXEC) {
  const local = join(root, 'node_modules', 'node', 'bin', 'node')
  if (!existsSync(local)) {
    console.error(`support-console needs Node 22 or later (this is ${process.version}). Run "npm install" in ${root} first.`)
    process.exit(1)
  }
  const child = spawn(local, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, SUPPORT_CONSOLE_REEXEC: '1' },
  })
  // A signal sent to this process alone (a service manager's SIGTERM, kill PID) must reach the
  // real console too, or it would keep running (and a lab bench keep its namespaces).
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
  const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 + ({ SIGINT: 2, SIGHUP: 1, SIGTERM: 15, SIGKILL: 9 }[signal] ?? 1) : 1))))
  process.exit(code)
}
// V8's compiled code of every module (ours and node_modules: zod, pdf-lib, axios…) is kept
// on disk between runs: about a third of the host's start otherwise goes to compiling them.
module.enableCompileCache?.(join(root, 'out', 'compile-cache'))
const argv = process.argv.slice(2)
const LAB = 'start the lab bench of simulated intercoms and NVRs'
let cli
if (argv[0] === 'lab') {
  // The lab bench is test infrastructure, never part of the product or its build: it runs
  // from the TypeScript source through tsx, as its network-namespace mode starts
  // lab/netns/device-main.ts in each namespace.
  const { register } = await import('tsx/esm/api')
  register()
  cli = await import('../electron/cli/index.ts')
} else {
  // The console itself runs compiled (scripts/build-cli.mjs, made by `npm ci`), rebuilt
  // first when a source is newer than the build.
  const { ensureCliBuild } = await import('../scripts/build-cli.mjs')
  let entry
  try {
    entry = await ensureCliBuild()
  } catch (e) {
    console.error(e.message)
    process.exit(1)
  }
  cli = await import(pathToFileURL(entry).href)
}
// Listed in every help; only ever loaded on the source path above.
cli.registerCommand('lab', LAB, async () => (await import('../lab/cli.ts')).labCommand)
process.exitCode = await cli.main(argv)
