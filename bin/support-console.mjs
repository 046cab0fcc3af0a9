#!/usr/bin/env node
// Entry of the `support-console` command. The console runs on Node 24 (the Node that
// current Electron embeds); on an older system Node we re-run ourselves on the Node 24
// that `npm install` put in node_modules (package "node"), because better-sqlite3 13
// needs N-API 10 and crashes on Node 20.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

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
const { register } = await import('tsx/esm/api')
register()
const { main } = await import('../electron/cli/index.ts')
process.exitCode = await main(process.argv.slice(2))
