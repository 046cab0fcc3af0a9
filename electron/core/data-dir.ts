import { homedir, platform } from 'node:os'
import { join } from 'node:path'

/**
 * The platform's user-data folder, matching Electron's app.getPath('userData') for our
 * product name so the desktop app and browser mode share one database.
 */
export function defaultDataDir(env = process.env): string {
  if (env.SUPPORT_CONSOLE_DATA_DIR) return env.SUPPORT_CONSOLE_DATA_DIR
  const name = 'Support Console'
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), name)
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', name)
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), name)
  }
}

/**
 * `--data-dir DIR` or `--data-dir=DIR` among the desktop app's arguments (npm start passes
 * its own arguments through to Electron), so both modes take the same option.
 */
export function dataDirFromArgs(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--data-dir' && argv[i + 1] && !argv[i + 1].startsWith('--')) return argv[i + 1]
    if (a.startsWith('--data-dir=') && a.length > '--data-dir='.length) return a.slice('--data-dir='.length)
  }
  return undefined
}
