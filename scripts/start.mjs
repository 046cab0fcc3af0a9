// `npm start`: opens the desktop window where an Electron binary is installed; otherwise
// serves the same UI on 127.0.0.1 and says why no window was opened.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const passThrough = process.argv.slice(2)

/** The Electron binary, if one is installed: ELECTRON_PATH, or the electron package's own download. */
function findElectron() {
  if (process.env.ELECTRON_PATH && existsSync(process.env.ELECTRON_PATH)) return process.env.ELECTRON_PATH
  try {
    const pkgDir = join(require.resolve('electron/package.json'), '..')
    const pathFile = join(pkgDir, 'path.txt')
    if (existsSync(pathFile)) {
      const bin = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim())
      if (existsSync(bin)) return bin
    }
  } catch {
    // electron package not installed: browser mode
  }
  return null
}

const electron = process.env.SUPPORT_CONSOLE_BROWSER ? null : findElectron()
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

if (electron) {
  run(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'])
  const child = spawn(electron, [root, ...passThrough], { stdio: 'inherit', cwd: root })
  child.on('exit', (code) => process.exit(code ?? 0))
} else {
  run(process.execPath, [join(root, 'scripts', 'build-renderer.mjs')])
  const reason = process.env.SUPPORT_CONSOLE_BROWSER
    ? 'Browser mode requested (SUPPORT_CONSOLE_BROWSER is set).'
    : 'No Electron binary is installed on this machine (it cannot be downloaded here), so no desktop window was opened: serving the console in your browser instead.'
  const child = spawn(process.execPath, [join(root, 'bin', 'support-console.mjs'), 'serve', '--reason', reason, ...passThrough], { stdio: 'inherit', cwd: root })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code) => process.exit(code ?? 0))
}
